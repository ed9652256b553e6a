package dev.tally.schemas.validation;

import java.util.Locale;
import java.util.Optional;

/**
 * Why an event was rejected. {@link #code()} is the stable wire form (lower snake case) used in
 * dead-letter headers, rejected-event counters and the query API; it never changes once published.
 */
public enum ReasonCode {
  /** The record value is empty or not well-formed JSON (including duplicate keys). */
  NOT_JSON,
  /** The record value is JSON but not an object. */
  NOT_AN_OBJECT,
  /** The record value is larger than the configured maximum event size. */
  EVENT_TOO_LARGE,
  /** The {@code type} field names no known event type. */
  UNKNOWN_TYPE,
  /** The {@code schema_version} field names a major version Tally does not read. */
  UNSUPPORTED_VERSION,
  /** A required field is absent. */
  MISSING_FIELD,
  /**
   * A field has the wrong JSON type (a string where a number belongs, null for a required field).
   */
  WRONG_TYPE,
  /** A field has the right type but a value out of range, not in its enumeration, or empty. */
  INVALID_VALUE,
  /** A duration or latency is negative. */
  NEGATIVE_DURATION,
  /** A number is NaN, Infinity or beyond the range of a 64-bit float. */
  NOT_FINITE,
  /** The timestamp is later than the clock allows (now plus the configured skew). */
  TIMESTAMP_IN_FUTURE,
  /** The timestamp is before 2000-01-01T00:00:00Z. */
  TIMESTAMP_TOO_OLD,
  /** The timestamp string is not an RFC 3339 date-time. */
  INVALID_TIMESTAMP,
  /** A label name does not match {@code [a-zA-Z_][a-zA-Z0-9_]*}. */
  INVALID_LABEL_NAME,
  /** A label name starts with {@code __}, which Prometheus reserves. */
  RESERVED_LABEL_NAME,
  /** The event carries more labels than the configured maximum. */
  TOO_MANY_LABELS,
  /** A label value is longer than the configured maximum. */
  LABEL_VALUE_TOO_LONG,
  /**
   * The record value is not well-formed UTF-8 (RFC 8259 §8.1: JSON exchanged between systems is
   * UTF-8; overlong forms, encoded surrogates and bytes that start no character are malformed), or
   * a string escapes half a surrogate pair (a backslash-u escape of D800 to DFFF alone), which
   * names no character (§8.2).
   */
  INVALID_UTF8;

  private final String code = name().toLowerCase(Locale.ROOT);

  /** The stable wire form, e.g. {@code missing_field}. */
  public String code() {
    return code;
  }

  /** The reason with the given wire form. */
  public static Optional<ReasonCode> fromCode(String code) {
    for (ReasonCode reason : values()) {
      if (reason.code.equals(code)) {
        return Optional.of(reason);
      }
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return code;
  }
}
