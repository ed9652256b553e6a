package dev.tally.streams.query;

import dev.tally.streams.config.WindowSpec;
import dev.tally.streams.series.SeriesKey;
import dev.tally.streams.store.Aggregate;
import dev.tally.streams.store.Cumulative;
import dev.tally.streams.store.GaugeKey;
import dev.tally.streams.store.GaugeSample;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/** Hand-filled stores for the query helpers' tests. */
final class InMemoryStores implements MetricStores {
  final Map<SeriesKey, Cumulative> cumulative = new HashMap<>();
  final Map<GaugeKey, GaugeSample> gauges = new HashMap<>();
  final Map<Long, Map<SeriesKey, Aggregate>> windows = new HashMap<>();

  void window(long start, SeriesKey series, long count) {
    windows.computeIfAbsent(start, s -> new HashMap<>()).put(series, Aggregate.count(count));
  }

  @Override
  public void forEachCumulative(BiConsumer<SeriesKey, Cumulative> visitor) {
    cumulative.forEach(visitor);
  }

  @Override
  public void forEachGauge(BiConsumer<GaugeKey, GaugeSample> visitor) {
    gauges.forEach(visitor);
  }

  @Override
  public void forEachInWindow(
      WindowSpec spec, long startMs, BiConsumer<SeriesKey, Aggregate> visitor) {
    windows.getOrDefault(startMs, Map.of()).forEach(visitor);
  }
}
