package dev.tally.exporter.collector;

import dev.tally.streams.histogram.Histogram;
import dev.tally.streams.histogram.NativeBuckets;
import dev.tally.streams.series.SeriesKey;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Exemplars;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.NativeHistogramBuckets;
import java.util.SortedMap;

/**
 * Converts one stored series into one client_java data point. Every method either returns a valid
 * data point or throws; {@link InvalidValueException} says the stored value itself cannot be
 * exposed.
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
   * A counter data point.
   *
   * @param createdMs when the series started counting; 0 or less means unknown
   */
  static CounterDataPointSnapshot counter(Labels labels, double total, long createdMs) {
    if (!(total >= 0) || Double.isInfinite(total)) {
      throw new InvalidValueException("counter total " + total + " is not a finite value >= 0");
    }
    return new CounterDataPointSnapshot(total, labels, null, Math.max(0, createdMs));
  }

  static GaugeDataPointSnapshot gauge(Labels labels, double value) {
    if (!Double.isFinite(value)) {
      throw new InvalidValueException("gauge value " + value + " is not finite");
    }
    return new GaugeDataPointSnapshot(value, labels, null);
  }

  /**
   * A histogram data point with both classic {@code le} buckets (for dashboards and servers without
   * native histograms) and native buckets (carried by the protobuf format).
   */
  static HistogramDataPointSnapshot histogram(Labels labels, Histogram histogram, long createdMs) {
    double sum = histogram.sum();
    if (!Double.isFinite(sum)) {
      throw new InvalidValueException("histogram sum " + sum + " is not finite");
    }
    double[] bounds = histogram.classicUpperBounds();
    long[] counts = histogram.classicCounts();
    NativeBuckets positive = histogram.positiveBuckets();
    NativeBuckets negative = histogram.negativeBuckets();
    long classicTotal = total(counts);
    long nativeTotal = histogram.zeroCount() + total(positive) + total(negative);
    if (classicTotal != histogram.count() || nativeTotal != histogram.count()) {
      throw new InvalidValueException(
          "histogram count "
              + histogram.count()
              + " disagrees with classic buckets "
              + classicTotal
              + " or native buckets "
              + nativeTotal);
    }
    return new HistogramDataPointSnapshot(
        // client_java takes per-bucket counts and accumulates them for the le buckets.
        ClassicHistogramBuckets.of(bounds, counts),
        histogram.schema(),
        histogram.zeroCount(),
        histogram.zeroThreshold(),
        nativeBuckets(positive),
        nativeBuckets(negative),
        sum,
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
