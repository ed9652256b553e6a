package dev.tally.streams.topology;

import static dev.tally.streams.topology.TopologyFixture.START;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.loadgen.EventLoad;
import dev.tally.streams.catalog.RatioDefinition;
import dev.tally.streams.config.WindowSpec;
import dev.tally.streams.query.Gauges;
import dev.tally.streams.query.Ratios;
import dev.tally.streams.query.SeriesSelector;
import dev.tally.streams.series.SeriesKey;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each example catalog reproduces the metric names a service team documents today; the matching
 * events must produce every one of them, so the team's dashboards and alerts keep working.
 */
class ExampleCatalogsTest {
  @TempDir Path stateDir;

  static List<Arguments> catalogs() {
    return List.of(
        Arguments.of(
            "im-gateway.yaml",
            List.of(
                "im_gateway_active_connections",
                "im_gateway_total_connections_total",
                "im_gateway_connection_errors_total",
                "im_gateway_messages_delivered_total",
                "im_gateway_messages_failed_total",
                "im_gateway_ack_timeouts_total",
                "im_gateway_ack_timeout_rate_percent",
                "im_gateway_message_delivery_latency_seconds",
                "im_gateway_offline_queue_size",
                "im_gateway_duplicate_messages_total",
                "im_gateway_message_duplication_rate_percent",
                "im_gateway_multi_device_deliveries_total",
                "im_gateway_group_messages_delivered_total",
                "im_gateway_group_members_fanout_total",
                "im_gateway_cache_hits_total",
                "im_gateway_cache_misses_total",
                "im_gateway_cache_hit_rate_percent")),
        Arguments.of(
            "media-gateway.yaml",
            List.of(
                "http_requests_total",
                "http_request_duration_seconds",
                "active_connections",
                "db_connections_active",
                "db_connections_idle",
                "cache_hits_total",
                "cache_misses_total")),
        Arguments.of(
            "event-observer.yaml",
            List.of(
                "events_processed_total",
                "event_processing_duration_ms",
                "events_in_flight",
                "actions_executed_total",
                "action_success_total",
                "action_failure_total",
                "action_duration_ms",
                "action_timeout_total",
                "queue_depth",
                "queue_jobs_enqueued_total",
                "queue_jobs_processed_total",
                "queue_retry_total",
                "queue_deadletter_total",
                "cache_hits_total",
                "cache_misses_total",
                "cache_hit_rate",
                "cache_size_bytes",
                "dedup_checks_total",
                "dedup_duplicates_found_total",
                "dedup_hit_rate",
                "checkpoint_saves_total",
                "checkpoint_save_duration_ms",
                "checkpoint_recovery_total")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("catalogs")
  void shouldProduceEveryDocumentedMetricName(String file, List<String> documented) {
    Path catalog = Path.of("..", "examples", "catalogs", file);
    long t0 = START.toEpochMilli();
    EventLoad load = EventLoad.builder().seed(17).startMs(t0).spreadMs(60_000).build();
    List<dev.tally.loadgen.GeneratedEvent> events = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      events.add(load.next());
    }
    try (TopologyFixture tally = new TopologyFixture(stateDir, Map.of(), Optional.of(catalog))) {
      tally.pipeInOrder(events, 250);

      Set<String> produced = new HashSet<>();
      tally
          .stores()
          .cumulative(SeriesSelector.ALL, (series, value) -> produced.add(series.metric()));
      long now = t0 + 60_000 + Duration.ofMinutes(2).toMillis();
      Gauges.live(tally.stores(), tally.catalog, tally.config.gaugeTtl(), now)
          .keySet()
          .forEach(series -> produced.add(series.metric()));
      WindowSpec minute = tally.config.windows().get(1);
      for (RatioDefinition ratio : tally.catalog.ratios()) {
        Map<SeriesKey, Double> values = Ratios.compute(ratio, minute, t0, tally.stores());
        values.keySet().forEach(series -> produced.add(series.metric()));
        values.values().forEach(v -> assertThat(v).as(ratio.name()).isBetween(0.0, 100.0));
      }

      assertThat(produced).containsAll(documented);
    }
  }
}
