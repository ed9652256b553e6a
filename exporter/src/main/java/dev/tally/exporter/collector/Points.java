package dev.tally.exporter.collector;

import dev.tally.streams.histogram.HistogramView;
import dev.tally.streams.histogram.NativeBuckets;
import dev.tally.streams.series.SeriesKey;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Exemplars;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.NativeHistogramBuckets;
import io.prometheus.metrics.model.snapshots.PrometheusNaming;
import java.util.SortedMap;

/**
 * Checks that a stored series can be exposed, and converts a checked one into a client_java data
 * point. The checks run when the stores are read, so that every output format leaves out the same
 * series; {@link InvalidValueException} says the stored value itself cannot be exposed.
 */
final class Points {
  private Points() {}

  /** A value Prometheus cannot take for this type: NaN, infinite, or a negative counter. */
  static final class InvalidValueException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    InvalidValueException(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * Checks the label names a series would be exposed with: Prometheus' classic label names, none
   * reserved ({@code __} prefixes, and {@code le} on histograms).
   *
   * @throws IllegalArgumentException naming the offending label
   */
  static void checkLabelNames(SeriesKey key, boolean histogram) {
    for (String name : key.labels().keySet()) {
      if (!PrometheusNaming.isValidLegacyLabelName(name)
          || name.startsWith("__")
          || (histogram && name.equals("le"))) {
        throw new IllegalArgumentException("label name '" + name + "' cannot be exposed");
      }
    }
  }

  static void checkCounter(double total) {
    if (!(total >= 0) || Double.isInfinite(total)) {
      throw new InvalidValueException("counter total " + total + " is not a finite value >= 0");
    }
  }

  static void checkGauge(double value) {
    if (!Double.isFinite(value)) {
      throw new InvalidValueException("gauge value " + value + " is not finite");
    }
  }

  /** The sum is finite and the classic and native buckets both add up to the count. */
  static void checkHistogram(HistogramView histogram) {
    double sum = histogram.sum();
    if (!Double.isFinite(sum)) {
      throw new InvalidValueException("histogram sum " + sum + " is not finite");
    }
    long classicTotal = total(histogram.classicCounts());
    long nativeTotal =
        histogram.zeroCount()
            + total(histogram.positiveBuckets())
            + total(histogram.negativeBuckets());
    if (classicTotal != histogram.count() || nativeTotal != histogram.count()) {
      throw new InvalidValueException(
          "histogram count "
              + histogram.count()
              + " disagrees with classic buckets "
              + classicTotal
              + " or native buckets "
              + nativeTotal);
    }
  }

  /** The series' labels; {@link SeriesKey} keeps them sorted by name already. */
  static Labels labels(SeriesKey key) {
    SortedMap<String, String> labels = key.labels();
    if (labels.isEmpty()) {
      return Labels.EMPTY;
    }
    String[] names = new String[labels.size()];
    String[] values = new String[labels.size()];
    int[] i = {0};
    labels.forEach(
        (name, value) -> {
          names[i[0]] = name;
          values[i[0]++] = value;
        });
    return Labels.of(names, values);
  }

  /**
   * A counter data point of a {@linkplain #checkCounter checked} total.
   *
   * @param createdMs when the series started counting; 0 or less means unknown
   */
  static CounterDataPointSnapshot counter(Labels labels, double total, long createdMs) {
    return new CounterDataPointSnapshot(total, labels, null, Math.max(0, createdMs));
  }

  static GaugeDataPointSnapshot gauge(Labels labels, double value) {
    return new GaugeDataPointSnapshot(value, labels, null);
  }

  /**
   * A histogram data point of a {@linkplain #checkHistogram checked} histogram, with both classic
   * {@code le} buckets (for dashboards and servers without native histograms) and native buckets
   * (carried by the protobuf format).
   */
  static HistogramDataPointSnapshot histogram(
      Labels labels, HistogramView histogram, long createdMs) {
    return new HistogramDataPointSnapshot(
        // client_java takes per-bucket counts and accumulates them for the le buckets.
        ClassicHistogramBuckets.of(histogram.classicUpperBounds(), histogram.classicCounts()),
        histogram.schema(),
        histogram.zeroCount(),
        histogram.zeroThreshold(),
        nativeBuckets(histogram.positiveBuckets()),
        nativeBuckets(histogram.negativeBuckets()),
        histogram.sum(),
        labels,
        Exemplars.EMPTY,
        Math.max(0, createdMs));
  }

  /**
   * Tally's native bucket indexes follow Prometheus' convention (bucket {@code i} holds {@code
   * (base^(i-1), base^i]}), so they pass through unchanged; the protobuf writer turns them into
   * spans and deltas.
   */
  private static NativeHistogramBuckets nativeBuckets(NativeBuckets buckets) {
    if (buckets.size() == 0) {
      return NativeHistogramBuckets.EMPTY;
    }
    return NativeHistogramBuckets.of(buckets.indexes(), buckets.counts());
  }

  private static long total(long[] counts) {
    long total = 0;
    for (long count : counts) {
      total += count;
    }
    return total;
  }

  private static long total(NativeBuckets buckets) {
    long total = 0;
    for (int i = 0; i < buckets.size(); i++) {
      total += buckets.count(i);
    }
    return total;
  }
}
