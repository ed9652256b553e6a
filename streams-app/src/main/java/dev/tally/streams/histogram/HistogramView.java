package dev.tally.streams.histogram;

/**
 * A histogram as readers see it: counts, sum, quantile estimates and buckets, and no way to change
 * them. {@link Histogram} is the mutable accumulator of the topology; the read side (the exporter,
 * the query API) only ever gets this view of one.
 *
 * <p>Units are those of the observed values (seconds for latency metrics, bytes for sizes).
 */
public interface HistogramView {

  /** The number of observations. */
  long count();

  /** The sum of all observations, rounded once from the exact sum; 0 when empty. */
  double sum();

  /** The smallest observation, or NaN when empty. */
  double min();

  /** The largest observation, or NaN when empty. */
  double max();

  /**
   * Estimates the {@code q}-quantile within {@link ExponentialBuckets#maxRelativeError(int)} of the
   * exact value (0.54 % at the default schema 6).
   *
   * @return the estimate, or NaN if the histogram is empty
   * @throws IllegalArgumentException if {@code q} is not in [0, 1]
   */
  double quantile(double q);

  HistogramLayout layout();

  /** The native schema (Prometheus native histograms: bucket boundaries grow by 2^(2^-schema)). */
  int schema();

  double zeroThreshold();

  /** Observations with {@code |v| <= zeroThreshold()}. */
  long zeroCount();

  /** Populated native buckets of values above the zero threshold (a copy). */
  NativeBuckets positiveBuckets();

  /** Populated native buckets of values below minus the zero threshold, by magnitude (a copy). */
  NativeBuckets negativeBuckets();

  /** The classic upper bounds including the final +Inf (a copy). */
  double[] classicUpperBounds();

  /** Observations per classic bucket (a copy). */
  long[] classicCounts();

  /** Observations at or below each classic bound ({@code le}); the last equals {@link #count()}. */
  long[] classicCumulativeCounts();
}
