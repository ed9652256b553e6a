package dev.tally.streams.query;

import dev.tally.streams.catalog.GaugeMode;
import dev.tally.streams.catalog.MetricCatalog;
import dev.tally.streams.catalog.MetricDefinition;
import dev.tally.streams.series.SeriesKey;
import dev.tally.streams.store.GaugeSample;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The exported value of every gauge series: the sum over its live sources. A source is live while
 * it sent any event within the TTL, by Tally's clock at arrival ({@link GaugeSample#seenMs()}); a
 * delta gauge's source counts no lower than zero.
 */
public final class Gauges {
  private Gauges() {}

  public static Map<SeriesKey, Double> live(
      MetricStores stores, MetricCatalog catalog, Duration ttl, long nowMs) {
    return live(stores, SeriesSelector.ALL, catalog, ttl, nowMs);
  }

  /** The live value of every gauge series {@code selector} selects, at {@code nowMs} (epoch ms). */
  public static Map<SeriesKey, Double> live(
      MetricStores stores,
      SeriesSelector selector,
      MetricCatalog catalog,
      Duration ttl,
      long nowMs) {
    // Unordered: callers that print series sort them themselves; ordering by text here would cost
    // more than the rest of a large scrape.
    Map<SeriesKey, Double> sums = new HashMap<>();
    long oldest = nowMs - ttl.toMillis();
    stores.gauges(
        selector,
        (key, sample) -> {
          if (sample.seenMs() < oldest) {
            return;
          }
          boolean delta =
              catalog
                  .metric(key.series().metric())
                  .map(MetricDefinition::gaugeMode)
                  .filter(m -> m == GaugeMode.DELTA)
                  .isPresent();
          double value = delta ? Math.max(0, sample.value()) : sample.value();
          sums.merge(key.series(), value, Double::sum);
        });
    return sums;
  }
}
