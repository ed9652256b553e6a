package dev.tally.streams.histogram;

import java.util.Arrays;
import java.util.Objects;

/**
 * How a {@link Histogram} buckets its observations: the native (exponential) schema, the zero
 * bucket's threshold and the classic {@code le} upper bounds. Immutable.
 *
 * <pre>{@code
 * HistogramLayout latency = HistogramLayout.latencySeconds();
 * HistogramLayout sizes =
 *     HistogramLayout.builder().classicUpperBounds(1024, 16384, 262144, 4194304).build();
 * }</pre>
 */
public final class HistogramLayout {

  /**
   * The default schema, 6: the coarsest whose quantile estimates stay within 1 % of the truth.
   *
   * <p>An estimate names one bucket {@code (l, u]} with {@code u = base*l} and reports {@code
   * 2lu/(l+u)}, whose worst relative error is {@code (base-1)/(base+1)} (see {@link
   * ExponentialBuckets#maxRelativeError(int)}). With {@code base = 2^(2^-s)}:
   *
   * <pre>
   * schema 4: base 1.044274  error 2.166 %
   * schema 5: base 1.021897  error 1.083 %   too coarse
   * schema 6: base 1.010889  error 0.542 %   the default
   * schema 7: base 1.005430  error 0.271 %
   * </pre>
   *
   * At schema 6 latencies from 1 ms to 10 s fall into about 850 possible buckets (64 per doubling).
   */
  public static final int DEFAULT_SCHEMA = 6;

  /** Values with {@code |v|} at most this go to the zero bucket; client_java uses the same. */
  public static final double DEFAULT_ZERO_THRESHOLD = 0x1p-128;

  private static final double[] LATENCY_SECONDS_BOUNDS = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
  };

  private static final HistogramLayout LATENCY_SECONDS =
      new HistogramLayout(DEFAULT_SCHEMA, DEFAULT_ZERO_THRESHOLD, LATENCY_SECONDS_BOUNDS);

  private final int schema;
  private final double zeroThreshold;
  private final double[] classicUpperBounds;

  private HistogramLayout(int schema, double zeroThreshold, double[] classicUpperBounds) {
    ExponentialBuckets.checkSchema(schema);
    if (!(zeroThreshold >= 0) || zeroThreshold == Double.POSITIVE_INFINITY) {
      throw new IllegalArgumentException(
          "zero threshold must be finite and not negative, got " + zeroThreshold);
    }
    double[] bounds = classicUpperBounds.clone();
    for (int i = 0; i < bounds.length; i++) {
      if (!Double.isFinite(bounds[i])) {
        throw new IllegalArgumentException(
            "classic upper bounds must be finite (the +Inf bucket is implicit), got "
                + bounds[i]
                + " at position "
                + i);
      }
      if (i > 0 && !(bounds[i] > bounds[i - 1])) {
        throw new IllegalArgumentException(
            "classic upper bounds must be strictly increasing, got "
                + bounds[i - 1]
                + " then "
                + bounds[i]
                + " at position "
                + i);
      }
      // -0.0 and 0.0 are the same bound; keep one spelling so equal layouts compare equal.
      bounds[i] += 0.0;
    }
    this.schema = schema;
    this.zeroThreshold = zeroThreshold;
    this.classicUpperBounds = bounds;
  }

  /**
   * Tally's layout for durations in seconds: the {@linkplain #DEFAULT_SCHEMA default schema} and
   * classic bounds 1 ms, 2.5 ms, 5 ms, 10 ms, 25 ms, 50 ms, 100 ms, 250 ms, 500 ms, 1 s, 2.5 s, 5
   * s, 10 s (plus +Inf).
   */
  public static HistogramLayout latencySeconds() {
    return LATENCY_SECONDS;
  }

  /** Starts from the latency layout; every setter replaces one part of it. */
  public static Builder builder() {
    return new Builder();
  }

  /** The native histogram schema, in [-4, 8]. */
  public int schema() {
    return schema;
  }

  /** Observations with {@code |v| <= zeroThreshold} are counted in the zero bucket. */
  public double zeroThreshold() {
    return zeroThreshold;
  }

  /** The classic bucket upper bounds, strictly increasing, without the implicit +Inf. */
  public double[] classicUpperBounds() {
    return classicUpperBounds.clone();
  }

  /** The number of classic buckets including the +Inf bucket. */
  public int classicBucketCount() {
    return classicUpperBounds.length + 1;
  }

  /** This layout with another schema. */
  public HistogramLayout withSchema(int schema) {
    return schema == this.schema
        ? this
        : new HistogramLayout(schema, zeroThreshold, classicUpperBounds);
  }

  double classicUpperBound(int i) {
    return classicUpperBounds[i];
  }

  /** Index of the classic bucket counting {@code v}: the first bound with {@code v <= bound}. */
  int classicBucket(double v) {
    int low = 0;
    int high = classicUpperBounds.length;
    while (low < high) {
      int mid = (low + high) >>> 1;
      if (classicUpperBounds[mid] < v) {
        low = mid + 1;
      } else {
        high = mid;
      }
    }
    return low;
  }

  /** Same zero threshold and classic bounds: histograms can merge, whatever their schemas. */
  boolean isMergeableWith(HistogramLayout other) {
    return Double.compare(zeroThreshold, other.zeroThreshold) == 0
        && Arrays.equals(classicUpperBounds, other.classicUpperBounds);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof HistogramLayout other && schema == other.schema && isMergeableWith(other);
  }

  @Override
  public int hashCode() {
    return Objects.hash(schema, zeroThreshold, Arrays.hashCode(classicUpperBounds));
  }

  @Override
  public String toString() {
    return "HistogramLayout[schema="
        + schema
        + ", zeroThreshold="
        + zeroThreshold
        + ", classicUpperBounds="
        + Arrays.toString(classicUpperBounds)
        + "]";
  }

  /** Builds a {@link HistogramLayout}; starts from {@link #latencySeconds()}. */
  public static final class Builder {
    private int schema = DEFAULT_SCHEMA;
    private double zeroThreshold = DEFAULT_ZERO_THRESHOLD;
    private double[] classicUpperBounds = LATENCY_SECONDS_BOUNDS;

    private Builder() {}

    /** The native schema in [-4, 8]; finer schemas have smaller errors and more buckets. */
    public Builder schema(int schema) {
      this.schema = schema;
      return this;
    }

    /** Finite and not negative; 0 sends only exact zeros to the zero bucket. */
    public Builder zeroThreshold(double zeroThreshold) {
      this.zeroThreshold = zeroThreshold;
      return this;
    }

    /** Strictly increasing finite bounds, without +Inf; none at all leaves only the +Inf bucket. */
    public Builder classicUpperBounds(double... classicUpperBounds) {
      this.classicUpperBounds =
          Objects.requireNonNull(classicUpperBounds, "classicUpperBounds").clone();
      return this;
    }

    /**
     * @throws IllegalArgumentException if a part is out of range, naming the part and the value
     */
    public HistogramLayout build() {
      return new HistogramLayout(schema, zeroThreshold, classicUpperBounds);
    }
  }
}
