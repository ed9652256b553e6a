package dev.tally.exporter.collector;

import dev.tally.streams.config.WindowSpec;
import dev.tally.streams.query.CumulativeValue;
import dev.tally.streams.query.MetricStores;
import dev.tally.streams.query.SeriesSelector;
import dev.tally.streams.series.SeriesKey;
import dev.tally.streams.store.GaugeKey;
import dev.tally.streams.store.GaugeSample;
import java.util.function.BiConsumer;

/** Counts the entries a scrape reads from the cumulative and gauge stores; one per scrape. */
final class CountingStores implements MetricStores {
  private final MetricStores stores;
  private long cumulativeEntries;
  private long gaugeEntries;

  CountingStores(MetricStores stores) {
    this.stores = stores;
  }

  @Override
  public void cumulative(SeriesSelector selector, BiConsumer<SeriesKey, CumulativeValue> visitor) {
    stores.cumulative(
        selector,
        (key, cumulative) -> {
          cumulativeEntries++;
          visitor.accept(key, cumulative);
        });
  }

  @Override
  public void gauges(SeriesSelector selector, BiConsumer<GaugeKey, GaugeSample> visitor) {
    stores.gauges(
        selector,
        (key, sample) -> {
          gaugeEntries++;
          visitor.accept(key, sample);
        });
  }

  @Override
  public void gaugeWindows(
      WindowSpec spec,
      long fromStartMs,
      long toStartMs,
      SeriesSelector selector,
      GaugeWindowVisitor visitor) {
    stores.gaugeWindows(spec, fromStartMs, toStartMs, selector, visitor);
  }

  @Override
  public void windows(
      WindowSpec spec,
      long fromStartMs,
      long toStartMs,
      SeriesSelector selector,
      WindowVisitor visitor) {
    stores.windows(spec, fromStartMs, toStartMs, selector, visitor);
  }

  long cumulativeEntries() {
    return cumulativeEntries;
  }

  long gaugeEntries() {
    return gaugeEntries;
  }
}
