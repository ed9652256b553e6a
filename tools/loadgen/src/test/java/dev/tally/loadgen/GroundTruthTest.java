package dev.tally.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The truth of a handful of events, every figure worked out by hand from docs/metrics.md. */
class GroundTruthTest {
  private static final String IM = "events.im-gateway";
  private static final String API = "events.api-gateway";

  private static GeneratedEvent event(
      String topic, String type, String service, String instance, Object... fields) {
    return event(topic, type, service, instance, 1_795_435_170_000L, fields);
  }

  private static GeneratedEvent event(
      String topic, String type, String service, String instance, long timeMs, Object... fields) {
    Map<String, Object> f = new LinkedHashMap<>();
    for (int i = 0; i < fields.length; i += 2) {
      f.put((String) fields[i], fields[i + 1]);
    }
    return new GeneratedEvent(
        topic, type, service, instance, timeMs, f, "{}".getBytes(StandardCharsets.UTF_8), null);
  }

  private static GroundTruth handful() {
    GroundTruth truth = new GroundTruth();
    GeneratedEvent multiDevice =
        event(IM, "delivery.delivered", "im-gateway", "im-1", "latency_ms", 1.0, "device_count", 2);
    truth.add(multiDevice);
    truth.add(
        event(
            IM,
            "delivery.delivered",
            "im-gateway",
            "im-2",
            "latency_ms",
            30.5,
            "group_id",
            "g1",
            "fanout",
            5));
    truth.add(
        event(
            API,
            "http.request",
            "api-gateway",
            "api-1",
            "method",
            "GET",
            "route",
            "/v1/users/123?x=1",
            "status",
            200,
            "duration_ms",
            12.25));
    truth.add(
        event(
            API,
            "http.request",
            "api-gateway",
            "api-1",
            "method",
            "GET",
            "route",
            "/v1/users/{id}",
            "status",
            200,
            "duration_ms",
            2500));
    truth.add(
        new GeneratedEvent(
            IM, null, "im-gateway", "im-1", 0, Map.of(), new byte[0], "missing_field"));
    truth.add(multiDevice.again());
    truth.add(
        event(
            "events.other",
            "metric.sample",
            "other",
            "o-1",
            "name",
            "custom_total",
            "kind",
            "counter",
            "value",
            3.0));
    truth.add(event(IM, "connection.opened", "im-gateway", "im-1"));
    truth.add(event(IM, "connection.opened", "im-gateway", "im-1"));
    truth.add(event(IM, "connection.closed", "im-gateway", "im-2"));
    return truth;
  }

  /**
   * docs/events.md: late for its 10 s window when its source already sent an event at least 30 s
   * (window.grace) past that window's end; one count per counter or histogram update.
   */
  @Test
  void shouldCountLateUpdatesPerMetricByEachSourcesClock() {
    long t = 1_795_435_170_000L; // a 10 s window starts here
    GroundTruth truth = GroundTruth.keyedBySource();
    truth.add(at(t, "ack.timeout", "im-1"));
    // Window [t-60 s, t-50 s) ends 50 s before the source's clock: late, for both its updates.
    truth.add(at(t - 60_000, "ack.received", "im-1", "latency_ms", 12.0));
    // Window [t-40 s, t-30 s): its end plus the grace is exactly the clock, late.
    truth.add(at(t - 35_000, "ack.timeout", "im-1"));
    // Window [t-30 s, t-20 s): 10 s of grace left, on time.
    truth.add(at(t - 25_000, "ack.timeout", "im-1"));
    // Another instance has a clock of its own: its first event is on time.
    truth.add(at(t - 60_000, "ack.timeout", "im-2"));

    assertThat(truth.tallyCounters())
        .containsEntry("tally_late_events_total{metric=\"ack_received_total\"}", 1.0)
        .containsEntry("tally_late_events_total{metric=\"ack_latency_seconds\"}", 1.0)
        .containsEntry("tally_late_events_total{metric=\"ack_timeouts_total\"}", 1.0);
    assertThat(truth.tallyCounters().keySet().stream().filter(k -> k.startsWith("tally_late")))
        .hasSize(3);
    assertThat(truth.counters()).containsEntry("ack_timeouts_total{service=\"im-gateway\"}", 4.0);
  }

  private static GeneratedEvent at(long timeMs, String type, String instance, Object... fields) {
    return event(IM, type, "im-gateway", instance, timeMs, fields);
  }

  @Test
  void shouldCountRecordsByWhatTallyDoesWithThem() {
    GroundTruth truth = handful();

    assertThat(truth.events()).isEqualTo(10);
    assertThat(truth.valid()).isEqualTo(8);
    assertThat(truth.rejected()).isEqualTo(1);
    assertThat(truth.resent()).isEqualTo(1);
    assertThat(truth.rejectedByReason()).containsExactly(entry("missing_field", 1L));
  }

  @Test
  void shouldMapEveryEventToTheCatalogCountersAndCountACopyOnce() {
    assertThat(handful().counters())
        .containsOnly(
            entry("delivery_messages_delivered_total{service=\"im-gateway\"}", 2.0),
            entry("delivery_multi_device_deliveries_total{service=\"im-gateway\"}", 1.0),
            entry("delivery_group_messages_delivered_total{service=\"im-gateway\"}", 1.0),
            entry("delivery_group_fanout_members_total{service=\"im-gateway\"}", 5.0),
            entry(
                "http_requests_total{method=\"GET\",route=\"/v1/users/:id\","
                    + "service=\"api-gateway\",status=\"200\"}",
                1.0),
            entry(
                "http_requests_total{method=\"GET\",route=\"/v1/users/{id}\","
                    + "service=\"api-gateway\",status=\"200\"}",
                1.0),
            entry("connections_opened_total{service=\"im-gateway\"}", 2.0),
            entry("connections_closed_total{service=\"im-gateway\"}", 1.0));
  }

  @Test
  void shouldCountTallysOwnCountersPerTopic() {
    assertThat(handful().tallyCounters())
        .containsOnly(
            entry("tally_events_consumed_total{topic=\"events.im-gateway\"}", 7.0),
            entry("tally_events_consumed_total{topic=\"events.api-gateway\"}", 2.0),
            entry("tally_events_consumed_total{topic=\"events.other\"}", 1.0),
            entry(
                "tally_events_rejected_total{reason=\"missing_field\",topic=\"events.im-gateway\"}",
                1.0),
            entry("tally_events_duplicate_total{topic=\"events.im-gateway\"}", 1.0),
            entry(
                "tally_events_unmapped_total{name=\"custom_total\",type=\"metric.sample\"}", 1.0));
  }

  @Test
  void shouldGiveCumulativeBucketsCountAndExactSumWithLeLast() {
    GroundTruth truth = handful();
    Map<String, Double> counts = truth.counts();
    String bucket = "delivery_latency_seconds_bucket{service=\"im-gateway\",le=\"%s\"}";

    // 1.0 ms is exactly the first bound (le means at most); 30.5 ms falls in (0.025, 0.05].
    assertThat(counts)
        .contains(
            entry(String.format(bucket, "0.001"), 1.0),
            entry(String.format(bucket, "0.025"), 1.0),
            entry(String.format(bucket, "0.05"), 2.0),
            entry(String.format(bucket, "10.0"), 2.0),
            entry(String.format(bucket, "+Inf"), 2.0),
            entry("delivery_latency_seconds_count{service=\"im-gateway\"}", 2.0));
    assertThat(
            counts.keySet().stream().filter(k -> k.startsWith("delivery_latency_seconds_bucket")))
        .hasSize(14);
    assertThat(truth.sums())
        .containsEntry(
            "delivery_latency_seconds_sum{service=\"im-gateway\"}", new BigDecimal("0.0315"))
        .containsEntry(
            "http_request_duration_seconds_sum{method=\"GET\",route=\"/v1/users/{id}\","
                + "service=\"api-gateway\"}",
            new BigDecimal("2.5"));
  }

  @Test
  void shouldTakeTheExactQuantileAtRankCeilQn() {
    Map<Double, Double> latency =
        handful().quantiles().get("delivery_latency_seconds{service=\"im-gateway\"}");

    // Two observations: rank ceil(0.5·2) = 1 is the smaller, ceil(0.9·2) = 2 the larger.
    assertThat(latency)
        .containsExactly(
            entry(0.5, 0.001), entry(0.9, 0.0305), entry(0.99, 0.0305), entry(0.999, 0.0305));
  }

  @Test
  void shouldSumOpenConnectionsPerInstanceNeverBelowZero() {
    // im-1 opened two; im-2 closed one it never opened here: 0, not -1.
    assertThat(handful().connectionsActive())
        .containsExactly(entry("connections_active{service=\"im-gateway\"}", 2.0));
  }

  @Test
  void shouldEscapeLabelValuesAsTheTextFormatDoes() {
    GroundTruth truth = new GroundTruth();
    truth.add(event(IM, "ack.received", "im \"gw\"\\1", "im-1", "latency_ms", 2.0));

    assertThat(truth.counts())
        .containsEntry("ack_received_total{service=\"im \\\"gw\\\"\\\\1\"}", 1.0)
        .containsEntry("ack_latency_seconds_count{service=\"im \\\"gw\\\"\\\\1\"}", 1.0);
  }

  @Test
  void shouldTemplateRawPathsAsTheRouteLabelDoes() {
    assertThat(GroundTruth.routeTemplate("/v1/users/123/devices?page=2"))
        .isEqualTo("/v1/users/:id/devices");
    assertThat(GroundTruth.routeTemplate("/v1/files/3f2b8c1e-9a4d-4e6f-8b1a-0c2d3e4f5a6b"))
        .isEqualTo("/v1/files/:id");
    assertThat(GroundTruth.routeTemplate("/v1/blobs/0123456789abcdef0")).isEqualTo("/v1/blobs/:id");
    assertThat(GroundTruth.routeTemplate("/v1/blobs/abc123")).isEqualTo("/v1/blobs/abc123");
    assertThat(GroundTruth.routeTemplate("/rest/api/2/issue/{key}"))
        .isEqualTo("/rest/api/2/issue/{key}");
    assertThat(GroundTruth.routeTemplate("/rest/api/2/issue/10023"))
        .isEqualTo("/rest/api/:id/issue/:id");
  }
}
