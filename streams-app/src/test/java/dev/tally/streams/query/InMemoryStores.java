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
  public void cumulative(SeriesSelector selector, BiConsumer<SeriesKey, CumulativeValue> visitor) {
    cumulative.forEach(
        (key, value) -> {
          if (selector.matches(key)) {
            visitor.accept(key, CumulativeValue.of(value));
          }
        });
  }

  @Override
  public void gauges(SeriesSelector selector, BiConsumer<GaugeKey, GaugeSample> visitor) {
    gauges.forEach(
        (key, sample) -> {
          if (selector.matches(key.series())) {
            visitor.accept(key, sample);
          }
        });
  }

  @Override
  public void gaugeWindows(
      WindowSpec spec,
      long fromStartMs,
      long toStartMs,
      SeriesSelector selector,
      GaugeWindowVisitor visitor) {}

  @Override
  public void windows(
      WindowSpec spec,
      long fromStartMs,
      long toStartMs,
      SeriesSelector selector,
      WindowVisitor visitor) {
    windows.forEach(
        (start, series) -> {
          if (start >= fromStartMs && start <= toStartMs) {
            series.forEach(
                (key, value) -> {
                  if (selector.matches(key)) {
                    visitor.accept(key, start, AggregateValue.of(value));
                  }
                });
          }
        });
  }
}
