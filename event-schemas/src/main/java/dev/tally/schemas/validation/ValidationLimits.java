package dev.tally.schemas.validation;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The configurable bounds an event must stay within. The published JSON Schemas encode the
 * defaults; the fixed bounds of the contract are the constants below.
 *
 * <pre>{@code
 * ValidationLimits limits = ValidationLimits.builder()
 *     .maxFutureSkew(Duration.ofMinutes(1))
 *     .maxLabels(8)
 *     .build();
 * EventParser parser = new EventParser(limits, Clock.systemUTC());
 * }</pre>
 */
public final class ValidationLimits {

  /** Longest {@code service}, {@code instance}, {@code event_id} and other ids, in characters. */
  public static final int MAX_ID_LENGTH = 128;

  /** Longest name or reason ({@code cache}, {@code queue}, {@code route} ...), in characters. */
  public static final int MAX_NAME_LENGTH = 256;

  /** The earliest timestamp an event may carry. */
  public static final Instant EARLIEST_TIMESTAMP = Instant.parse("2000-01-01T00:00:00Z");

  private static final ValidationLimits DEFAULTS = builder().build();

  private final int maxEventBytes;
  private final Duration maxFutureSkew;
  private final int maxLabels;
  private final int maxLabelValueLength;

  private ValidationLimits(Builder builder) {
    this.maxEventBytes = builder.maxEventBytes;
    this.maxFutureSkew = builder.maxFutureSkew;
    this.maxLabels = builder.maxLabels;
    this.maxLabelValueLength = builder.maxLabelValueLength;
  }

  /** 64 KiB events, 5 minutes of future skew, 16 labels, label values of 256 characters. */
  public static ValidationLimits defaults() {
    return DEFAULTS;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Largest record value accepted, in bytes; larger ones are rejected before parsing. */
  public int maxEventBytes() {
    return maxEventBytes;
  }

  /** How far past the clock's now a timestamp may be, to allow for producers' clock drift. */
  public Duration maxFutureSkew() {
    return maxFutureSkew;
  }

  /** Most entries in {@code labels}. */
  public int maxLabels() {
    return maxLabels;
  }

  /** Longest label value, in characters (Unicode code points). */
  public int maxLabelValueLength() {
    return maxLabelValueLength;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ValidationLimits other
        && maxEventBytes == other.maxEventBytes
        && maxFutureSkew.equals(other.maxFutureSkew)
        && maxLabels == other.maxLabels
        && maxLabelValueLength == other.maxLabelValueLength;
  }

  @Override
  public int hashCode() {
    return Objects.hash(maxEventBytes, maxFutureSkew, maxLabels, maxLabelValueLength);
  }

  @Override
  public String toString() {
    return "ValidationLimits{maxEventBytes="
        + maxEventBytes
        + ", maxFutureSkew="
        + maxFutureSkew
        + ", maxLabels="
        + maxLabels
        + ", maxLabelValueLength="
        + maxLabelValueLength
        + "}";
  }

  /** Builds {@link ValidationLimits}; unset values keep their defaults. */
  public static final class Builder {
    private int maxEventBytes = 65_536;
    private Duration maxFutureSkew = Duration.ofMinutes(5);
    private int maxLabels = 16;
    private int maxLabelValueLength = 256;

    private Builder() {}

    public Builder maxEventBytes(int maxEventBytes) {
      this.maxEventBytes = positive(maxEventBytes, "maxEventBytes");
      return this;
    }

    public Builder maxFutureSkew(Duration maxFutureSkew) {
      Objects.requireNonNull(maxFutureSkew, "maxFutureSkew");
      if (maxFutureSkew.isNegative()) {
        throw new IllegalArgumentException("maxFutureSkew must not be negative: " + maxFutureSkew);
      }
      this.maxFutureSkew = maxFutureSkew;
      return this;
    }

    public Builder maxLabels(int maxLabels) {
      if (maxLabels < 0) {
        throw new IllegalArgumentException("maxLabels must not be negative: " + maxLabels);
      }
      this.maxLabels = maxLabels;
      return this;
    }

    public Builder maxLabelValueLength(int maxLabelValueLength) {
      this.maxLabelValueLength = positive(maxLabelValueLength, "maxLabelValueLength");
      return this;
    }

    public ValidationLimits build() {
      return new ValidationLimits(this);
    }

    private static int positive(int value, String name) {
      if (value <= 0) {
        throw new IllegalArgumentException(name + " must be positive: " + value);
      }
      return value;
    }
  }
}
