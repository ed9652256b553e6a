package dev.tally.streams.query;

import dev.tally.streams.config.WindowSpec;
import dev.tally.streams.series.SeriesKey;
import dev.tally.streams.store.GaugeKey;
import dev.tally.streams.store.GaugeSample;
import dev.tally.streams.store.GaugeWindow;
import java.util.function.BiConsumer;

/**
 * The read interface over Tally's stores that the exporter and the query API share: lookups by
 * metric and label matchers ({@link SeriesSelector}) and by window start range, handing out
 * read-only values. An implementation reads a fixed set of series partitions (by default the active
 * ones of one instance, never standbys), so a series is read once.
 *
 * <p>Every method visits synchronously and has closed its store iterators when it returns, also
 * when the visitor throws. A read that cannot be completed (a series partition moving, restoring,
 * or whose store closes while it is read) throws {@link
 * org.apache.kafka.streams.errors.InvalidStateStoreException}, possibly after some entries were
 * visited: the caller discards what it was given rather than answer with a part of it.
 */
public interface MetricStores {

  /**
   * Visits the cumulative value of every selected series. Tally's own counters may appear once per
   * series partition; readers sum them.
   */
  void cumulative(SeriesSelector selector, BiConsumer<SeriesKey, CumulativeValue> visitor);

  /** Visits every gauge sample of the selected series, per series and reporting source. */
  void gauges(SeriesSelector selector, BiConsumer<GaugeKey, GaugeSample> visitor);

  /**
   * Visits the aggregate of every selected series in every window of {@code spec} whose start lies
   * in {@code [fromStartMs, toStartMs]} (epoch ms, both inclusive).
   */
  void windows(
      WindowSpec spec,
      long fromStartMs,
      long toStartMs,
      SeriesSelector selector,
      WindowVisitor visitor);

  /**
   * Visits the window values of every selected gauge series in every window of {@code spec} whose
   * start lies in {@code [fromStartMs, toStartMs]} (epoch ms, both inclusive).
   */
  void gaugeWindows(
      WindowSpec spec,
      long fromStartMs,
      long toStartMs,
      SeriesSelector selector,
      GaugeWindowVisitor visitor);

  /** Receives one window's value of one gauge series. */
  @FunctionalInterface
  interface GaugeWindowVisitor {
    /**
     * @param startMs the window's start, epoch ms
     */
    void accept(SeriesKey series, long startMs, GaugeWindow value);
  }

  /** Receives one window's aggregate of one series. */
  @FunctionalInterface
  interface WindowVisitor {
    /**
     * @param startMs the window's start, epoch ms
     */
    void accept(SeriesKey series, long startMs, AggregateValue value);
  }
}
