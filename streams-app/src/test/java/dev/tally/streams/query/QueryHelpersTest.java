package dev.tally.streams.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.streams.catalog.MetricCatalog;
import dev.tally.streams.catalog.RatioDefinition;
import dev.tally.streams.config.WindowSpec;
import dev.tally.streams.series.SeriesKey;
import dev.tally.streams.store.GaugeKey;
import dev.tally.streams.store.GaugeSample;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QueryHelpersTest {
  private static final long NOW = 1_800_000_000_000L;
  private static final MetricCatalog CATALOG = MetricCatalog.builtin(10_000);
  private static final WindowSpec MINUTE =
      new WindowSpec(Duration.ofMinutes(1), Duration.ofHours(1));

  @Test
  void shouldSumLiveSourcesFloorDeltaGaugesAtZeroAndDropExpiredOnes() {
    InMemoryStores stores = new InMemoryStores();
    SeriesKey active = SeriesKey.of("connections_active", Map.of("service", "im"));
    SeriesKey depth = SeriesKey.of("queue_depth", Map.of("service", "im", "queue", "jobs"));
    stores.gauges.put(
        new GaugeKey(active, "im/gw-1"), new GaugeSample(4, NOW - 1_000, NOW - 1_000));
    // More closes than opens seen from gw-2 (reordering, or a restart of the producer): 0, not -2.
    stores.gauges.put(
        new GaugeKey(active, "im/gw-2"), new GaugeSample(-2, NOW - 1_000, NOW - 1_000));
    stores.gauges.put(
        new GaugeKey(active, "im/gw-3"), new GaugeSample(7, NOW - 600_000, NOW - 600_000));
    stores.gauges.put(new GaugeKey(depth, "im/gw-1"), new GaugeSample(-3, NOW, NOW));
    stores.gauges.put(new GaugeKey(depth, "im/gw-2"), new GaugeSample(10, NOW, NOW));

    Map<SeriesKey, Double> live = Gauges.live(stores, CATALOG, Duration.ofMinutes(5), NOW);

    assertThat(live).containsEntry(active, 4.0);
    // Last-value gauges are taken as reported, negative included.
    assertThat(live).containsEntry(depth, 7.0);
    assertThat(live).hasSize(2);
  }

  @Test
  void shouldComputeRatiosPerGroupFromOneClosedWindow() {
    InMemoryStores stores = new InMemoryStores();
    long start = Ratios.lastClosedWindowStart(Duration.ofMinutes(1), Duration.ofSeconds(30), NOW);
    stores.window(start, SeriesKey.of("ack_timeouts_total", Map.of("service", "im")), 5);
    stores.window(start, SeriesKey.of("ack_received_total", Map.of("service", "im")), 95);
    stores.window(start, SeriesKey.of("ack_received_total", Map.of("service", "api")), 40);
    // The next, still open, window is not part of the ratio.
    stores.window(start + 60_000, SeriesKey.of("ack_timeouts_total", Map.of("service", "im")), 50);
    RatioDefinition ackTimeouts = ratio("ack_timeout_ratio");

    Map<SeriesKey, Double> ratios = Ratios.compute(ackTimeouts, MINUTE, start, stores);

    assertThat(ratios)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                SeriesKey.of("ack_timeout_ratio", Map.of("service", "im")), 0.05,
                SeriesKey.of("ack_timeout_ratio", Map.of("service", "api")), 0.0));
  }

  @Test
  void shouldFilterTermsByLabelAndLeaveGroupsWithoutTrafficOut() {
    InMemoryStores stores = new InMemoryStores();
    long start = 1_799_999_880_000L;
    for (String outcome : new String[] {"success", "failure", "timeout"}) {
      stores.window(
          start,
          SeriesKey.of(
              "actions_executed_total",
              Map.of("service", "obs", "action", "notify", "outcome", outcome)),
          outcome.equals("success") ? 6 : 2);
    }

    Map<SeriesKey, Double> ratios =
        Ratios.compute(ratio("action_failure_ratio"), MINUTE, start, stores);

    assertThat(ratios)
        .containsExactly(
            Map.entry(
                SeriesKey.of("action_failure_ratio", Map.of("service", "obs", "action", "notify")),
                0.4));
    assertThat(Ratios.compute(ratio("action_failure_ratio"), MINUTE, start - 60_000, stores))
        .isEmpty();
  }

  @Test
  void shouldNotMatchAFilteredTermOnASeriesWithoutThatLabel() {
    InMemoryStores stores = new InMemoryStores();
    long start = 1_799_999_880_000L;
    stores.window(
        start,
        SeriesKey.of("actions_executed_total", Map.of("service", "obs", "action", "notify")),
        3);
    stores.window(
        start,
        SeriesKey.of(
            "actions_executed_total",
            Map.of("service", "obs", "action", "notify", "outcome", "failure")),
        1);

    // The outcome-less series is in the denominator (no filter) but not the numerator.
    assertThat(Ratios.compute(ratio("action_failure_ratio"), MINUTE, start, stores))
        .containsExactly(
            Map.entry(
                SeriesKey.of("action_failure_ratio", Map.of("service", "obs", "action", "notify")),
                0.25));
  }

  @Test
  void shouldCallAWindowClosedOnlyAfterItsGracePeriod() {
    long minute = 60_000;
    long t = 10 * minute;
    assertThat(
            Ratios.lastClosedWindowStart(Duration.ofMinutes(1), Duration.ofSeconds(30), t + 29_999))
        .isEqualTo(8 * minute);
    assertThat(
            Ratios.lastClosedWindowStart(Duration.ofMinutes(1), Duration.ofSeconds(30), t + 30_000))
        .isEqualTo(9 * minute);
  }

  private static RatioDefinition ratio(String name) {
    return CATALOG.ratios().stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
  }
}
