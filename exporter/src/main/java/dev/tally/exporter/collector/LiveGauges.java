package dev.tally.exporter.collector;

import dev.tally.streams.catalog.GaugeMode;
import dev.tally.streams.catalog.MetricCatalog;
import dev.tally.streams.catalog.MetricDefinition;
import dev.tally.streams.query.MetricStores;
import dev.tally.streams.series.SeriesKey;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The same sums as {@link dev.tally.streams.query.Gauges#live}: per series, the sum over the
 * sources whose newest sample is younger than the TTL, a delta gauge's source counting no lower
 * than zero. {@code Gauges.live} sorts its result by the series' text, which costs more than the
 * rest of a scrape with many gauges; the exposition sorts data points itself, so an unordered map
 * is enough here. {@code LiveGaugesTest} keeps both in agreement.
 */
final class LiveGauges {
  private LiveGauges() {}

  static Map<SeriesKey, Double> live(
      MetricStores stores, MetricCatalog catalog, Duration ttl, long nowMs) {
    Set<String> deltaMetrics = new HashSet<>();
    for (MetricDefinition m : catalog.metrics()) {
      if (m.gaugeMode() == GaugeMode.DELTA) {
        deltaMetrics.add(m.name());
      }
    }
    long oldest = nowMs - ttl.toMillis();
    Map<SeriesKey, double[]> sums = new HashMap<>();
    stores.forEachGauge(
        (key, sample) -> {
          if (sample.eventTimeMs() < oldest) {
            return;
          }
          double value =
              deltaMetrics.contains(key.series().metric())
                  ? Math.max(0, sample.value())
                  : sample.value();
          sums.computeIfAbsent(key.series(), k -> new double[1])[0] += value;
        });
    Map<SeriesKey, Double> result = new HashMap<>(sums.size() * 2);
    sums.forEach((series, sum) -> result.put(series, sum[0]));
    return result;
  }
}
