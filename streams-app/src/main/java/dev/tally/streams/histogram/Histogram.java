package dev.tally.streams.histogram;

import java.util.Arrays;
import java.util.Objects;

/**
 * A mergeable histogram of observations for one series in one window: native (exponential) buckets,
 * classic {@code le} buckets, count, exact sum, min and max.
 *
 * <p>Merging is exact: counts add, the sum is kept as an exact fixed-point number, and min and max
 * combine; any grouping and order of merges gives an {@linkplain #equals equal} histogram, equal to
 * one that observed everything itself. Quantile estimates come from the native buckets and are
 * within {@link ExponentialBuckets#maxRelativeError(int)} of the exact value (0.54 % at the default
 * schema 6).
 *
 * <p>Mutable and not thread-safe: it is the accumulator of a Kafka Streams aggregation, owned by
 * one stream thread.
 *
 * <pre>{@code
 * latencies
 *     .groupByKey(Grouped.as("latency-by-series"))
 *     .windowedBy(TimeWindows.ofSizeWithNoGrace(Duration.ofMinutes(1)))
 *     .aggregate(
 *         () -> Histogram.empty(HistogramLayout.latencySeconds()),
 *         (series, seconds, histogram) -> {
 *           histogram.observe(seconds);
 *           return histogram;
 *         },
 *         Named.as("latency-histogram"),
 *         Materialized.<String, Histogram, WindowStore<Bytes, byte[]>>as("latency-1m")
 *             .withValueSerde(new HistogramSerde()));
 * }</pre>
 */
public final class Histogram implements HistogramView {

  private HistogramLayout layout;
  private final long[] classicCounts;
  private long count;
  private final ExactSum sum;
  private double min = Double.POSITIVE_INFINITY;
  private double max = Double.NEGATIVE_INFINITY;
  private long zeroCount;
  private final SparseCounts positive;
  private final SparseCounts negative;

  private Histogram(
      HistogramLayout layout,
      long[] classicCounts,
      ExactSum sum,
      SparseCounts positive,
      SparseCounts negative) {
    this.layout = layout;
    this.classicCounts = classicCounts;
    this.sum = sum;
    this.positive = positive;
    this.negative = negative;
  }

  /** A histogram with no observations. */
  public static Histogram empty(HistogramLayout layout) {
    Objects.requireNonNull(layout, "layout");
    return new Histogram(
        layout,
        new long[layout.classicBucketCount()],
        new ExactSum(),
        new SparseCounts(),
        new SparseCounts());
  }

  /**
   * Rebuilds a histogram from its parts, as {@link HistogramSerde} stores them.
   *
   * @throws IllegalArgumentException if the parts contradict each other
   */
  static Histogram restore(
      HistogramLayout layout,
      long[] classicCounts,
      long count,
      ExactSum sum,
      double min,
      double max,
      long zeroCount,
      SparseCounts positive,
      SparseCounts negative) {
    if (classicCounts.length != layout.classicBucketCount()) {
      throw new IllegalArgumentException(
          classicCounts.length + " classic counts for " + layout.classicBucketCount() + " buckets");
    }
    long nativeTotal = Math.addExact(zeroCount, Math.addExact(total(positive), total(negative)));
    long classicTotal = 0;
    for (long c : classicCounts) {
      if (c < 0) {
        throw new IllegalArgumentException("negative classic count " + c);
      }
      classicTotal = Math.addExact(classicTotal, c);
    }
    if (zeroCount < 0 || nativeTotal != count || classicTotal != count) {
      throw new IllegalArgumentException(
          "count "
              + count
              + " disagrees with native buckets "
              + nativeTotal
              + " or classic buckets "
              + classicTotal);
    }
    if (count > 0 && !(Double.isFinite(min) && Double.isFinite(max) && min <= max)) {
      throw new IllegalArgumentException("min " + min + " and max " + max + " are not a range");
    }
    Histogram histogram = new Histogram(layout, classicCounts.clone(), sum, positive, negative);
    histogram.count = count;
    histogram.zeroCount = zeroCount;
    if (count > 0) {
      histogram.min = min;
      histogram.max = max;
    }
    return histogram;
  }

  /**
   * Counts one observation.
   *
   * @throws IllegalArgumentException if {@code value} is NaN or infinite; the event contract never
   *     lets those through, so one arriving here is a bug upstream, not data
   */
  public void observe(double value) {
    observe(value, 1);
  }

  /**
   * Counts {@code times} observations of the same value, exactly as {@code times} calls of {@link
   * #observe(double)} would; {@code times == 0} changes nothing.
   *
   * @throws IllegalArgumentException if {@code value} is not finite or {@code times} is negative
   */
  public void observe(double value, long times) {
    if (!Double.isFinite(value)) {
      throw new IllegalArgumentException(
          "histogram observations must be finite, got " + value + " (rejected by the contract)");
    }
    if (times <= 0) {
      if (times < 0) {
        throw new IllegalArgumentException("observation count must not be negative: " + times);
      }
      return;
    }
    // -0.0 is 0.0; one spelling keeps min, max and equality simple.
    value += 0.0;
    count = Math.addExact(count, times);
    sum.add(value, times);
    min = Math.min(min, value);
    max = Math.max(max, value);
    classicCounts[layout.classicBucket(value)] += times;
    double magnitude = Math.abs(value);
    if (magnitude <= layout.zeroThreshold()) {
      zeroCount += times;
    } else if (value > 0) {
      positive.add(ExponentialBuckets.index(layout.schema(), magnitude), times);
    } else {
      negative.add(ExponentialBuckets.index(layout.schema(), magnitude), times);
    }
  }

  /**
   * Adds every observation of {@code other} to this histogram and returns this one. {@code other}
   * is left unchanged.
   *
   * <p>Histograms with different schemas merge at the coarser one: the finer side is re-bucketed
   * exactly, as Prometheus does, and this histogram keeps the coarser schema from then on.
   *
   * @throws IllegalArgumentException if the zero thresholds or classic bounds differ, which no
   *     re-bucketing can reconcile exactly
   */
  public Histogram merge(Histogram other) {
    if (!layout.isMergeableWith(other.layout)) {
      throw new IllegalArgumentException(
          "cannot merge histograms with different zero thresholds or classic bounds: "
              + layout
              + " and "
              + other.layout);
    }
    count = Math.addExact(count, other.count);
    sum.addAll(other.sum);
    min = Math.min(min, other.min);
    max = Math.max(max, other.max);
    zeroCount += other.zeroCount;
    for (int i = 0; i < classicCounts.length; i++) {
      classicCounts[i] += other.classicCounts[i];
    }
    if (other.layout.schema() < layout.schema()) {
      downscale(other.layout.schema());
    }
    int delta = other.layout.schema() - layout.schema();
    positive.addAll(downscaled(other.positive, delta));
    negative.addAll(downscaled(other.negative, delta));
    return this;
  }

  /**
   * Re-buckets the native buckets to a coarser schema, exactly; bucket {@code i} goes to {@code ((i
   * - 1) >> (schema() - targetSchema)) + 1}.
   *
   * @throws IllegalArgumentException if {@code targetSchema} is finer than the current schema or
   *     out of range
   */
  public void downscale(int targetSchema) {
    ExponentialBuckets.checkSchema(targetSchema);
    if (targetSchema > layout.schema()) {
      throw new IllegalArgumentException(
          "cannot downscale schema " + layout.schema() + " to the finer schema " + targetSchema);
    }
    int delta = layout.schema() - targetSchema;
    positive.downscale(delta);
    negative.downscale(delta);
    layout = layout.withSchema(targetSchema);
  }

  /** An independent copy. */
  public Histogram copy() {
    Histogram copy =
        new Histogram(layout, classicCounts.clone(), sum.copy(), positive.copy(), negative.copy());
    copy.count = count;
    copy.min = min;
    copy.max = max;
    copy.zeroCount = zeroCount;
    return copy;
  }

  /**
   * Estimates the {@code q}-quantile: the value of rank {@code ceil(q * count())} (the smallest
   * value with at least that share of observations at or below it), within {@link
   * ExponentialBuckets#maxRelativeError(int)} of it. {@code q = 0} and {@code q = 1} return {@link
   * #min()} and {@link #max()} exactly, and every estimate lies within them.
   *
   * @return the estimate, or NaN if the histogram is empty
   * @throws IllegalArgumentException if {@code q} is not in [0, 1]
   */
  @Override
  public double quantile(double q) {
    if (!(q >= 0 && q <= 1)) {
      throw new IllegalArgumentException("quantile must be in [0, 1], got " + q);
    }
    if (count == 0) {
      return Double.NaN;
    }
    long rank = Math.max(1, Math.min(count, (long) Math.ceil(q * count)));
    if (rank == 1) {
      return min;
    }
    if (rank == count) {
      return max;
    }
    return clamp(estimateAtRank(rank));
  }

  private double estimateAtRank(long rank) {
    int schema = layout.schema();
    long seen = 0;
    // Most negative values first: negative buckets by descending index.
    for (int i = negative.size() - 1; i >= 0; i--) {
      seen += negative.count(i);
      if (seen >= rank) {
        return -ExponentialBuckets.estimate(schema, negative.index(i));
      }
    }
    seen += zeroCount;
    if (seen >= rank) {
      return 0.0;
    }
    for (int i = 0; i < positive.size(); i++) {
      seen += positive.count(i);
      if (seen >= rank) {
        return ExponentialBuckets.estimate(schema, positive.index(i));
      }
    }
    throw new IllegalStateException("native buckets hold fewer than " + count + " observations");
  }

  private double clamp(double estimate) {
    return Math.max(min, Math.min(max, estimate));
  }

  /** The number of observations. */
  @Override
  public long count() {
    return count;
  }

  /** The sum of all observations, rounded once from the exact sum; 0 when empty. */
  @Override
  public double sum() {
    return sum.toDouble();
  }

  /** The smallest observation, or NaN when empty. */
  @Override
  public double min() {
    return count == 0 ? Double.NaN : min;
  }

  /** The largest observation, or NaN when empty. */
  @Override
  public double max() {
    return count == 0 ? Double.NaN : max;
  }

  @Override
  public HistogramLayout layout() {
    return layout;
  }

  /** The native schema; coarser than the layout's only after a merge or {@link #downscale}. */
  @Override
  public int schema() {
    return layout.schema();
  }

  @Override
  public double zeroThreshold() {
    return layout.zeroThreshold();
  }

  /** Observations with {@code |v| <= zeroThreshold()}. */
  @Override
  public long zeroCount() {
    return zeroCount;
  }

  /** Populated native buckets of values above the zero threshold. */
  @Override
  public NativeBuckets positiveBuckets() {
    return positive.snapshot();
  }

  /** Populated native buckets of values below minus the zero threshold, indexed by magnitude. */
  @Override
  public NativeBuckets negativeBuckets() {
    return negative.snapshot();
  }

  /** The classic upper bounds including the final +Inf, aligned with the classic counts. */
  @Override
  public double[] classicUpperBounds() {
    double[] bounds = Arrays.copyOf(layout.classicUpperBounds(), classicCounts.length);
    bounds[bounds.length - 1] = Double.POSITIVE_INFINITY;
    return bounds;
  }

  /** Observations per classic bucket: {@code [i]} counts {@code bound[i-1] < v <= bound[i]}. */
  @Override
  public long[] classicCounts() {
    return classicCounts.clone();
  }

  /** Observations at or below each classic bound ({@code le}); the last equals {@link #count()}. */
  @Override
  public long[] classicCumulativeCounts() {
    long[] cumulative = new long[classicCounts.length];
    long running = 0;
    for (int i = 0; i < classicCounts.length; i++) {
      running += classicCounts[i];
      cumulative[i] = running;
    }
    return cumulative;
  }

  ExactSum exactSum() {
    return sum;
  }

  SparseCounts positiveCounts() {
    return positive;
  }

  SparseCounts negativeCounts() {
    return negative;
  }

  private static SparseCounts downscaled(SparseCounts counts, int delta) {
    if (delta == 0) {
      return counts;
    }
    SparseCounts copy = counts.copy();
    copy.downscale(delta);
    return copy;
  }

  private static long total(SparseCounts counts) {
    long total = 0;
    for (int i = 0; i < counts.size(); i++) {
      total = Math.addExact(total, counts.count(i));
    }
    return total;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Histogram other
        && count == other.count
        && zeroCount == other.zeroCount
        && Double.compare(min, other.min) == 0
        && Double.compare(max, other.max) == 0
        && layout.equals(other.layout)
        && Arrays.equals(classicCounts, other.classicCounts)
        && sum.equals(other.sum)
        && positive.equals(other.positive)
        && negative.equals(other.negative);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        layout,
        count,
        zeroCount,
        min,
        max,
        Arrays.hashCode(classicCounts),
        sum,
        positive,
        negative);
  }

  @Override
  public String toString() {
    return "Histogram[count="
        + count
        + ", sum="
        + sum()
        + ", min="
        + min()
        + ", max="
        + max()
        + ", schema="
        + layout.schema()
        + ", zero="
        + zeroCount
        + ", positive="
        + positive
        + ", negative="
        + negative
        + ", classic="
        + Arrays.toString(classicCounts)
        + "]";
  }
}
