package dev.tally.exporter.collector;

import dev.tally.streams.config.WindowSpec;
import dev.tally.streams.query.MetricStores;
import dev.tally.streams.series.SeriesKey;
import dev.tally.streams.store.Aggregate;
import dev.tally.streams.store.Cumulative;
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
  public void forEachCumulative(BiConsumer<SeriesKey, Cumulative> visitor) {
    stores.forEachCumulative(
        (key, cumulative) -> {
          cumulativeEntries++;
          visitor.accept(key, cumulative);
        });
  }

  @Override
  public void forEachGauge(BiConsumer<GaugeKey, GaugeSample> visitor) {
    stores.forEachGauge(
        (key, sample) -> {
          gaugeEntries++;
          visitor.accept(key, sample);
        });
  }

  @Override
  public void forEachInWindow(
      WindowSpec spec, long startMs, BiConsumer<SeriesKey, Aggregate> visitor) {
    stores.forEachInWindow(spec, startMs, visitor);
  }

  long cumulativeEntries() {
    return cumulativeEntries;
  }

  long gaugeEntries() {
    return gaugeEntries;
  }
}
