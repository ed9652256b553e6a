package dev.tally.exporter.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.tools.kafka.KafkaBrokerExtension;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, time: events far in the future and far in the past, out of order within and beyond
 * {@code window.grace}, old but in order, and one producer whose clock runs four minutes ahead, all
 * on one input partition. Each is handled as docs/events.md ("Timestamps", "Event time and late
 * events") says: the dead-letter topic for timestamps outside the accepted range, the totals for
 * every accepted event, its windows only when on time for its own source, and {@code
 * tally_late_events_total} for the rest. Per-window values come from {@code /api/v1/query}.
 *
 * <p>Which event is late is decided here by construction, from the documented rule (default {@code
 * windows=10s:2h,1m:48h,1h:30d}, {@code window.grace=30s}, {@code event.max.future.skew=5m}), with
 * margins of minutes around every bound so that the wall clock's progress during the test does not
 * matter.
 */
class EventTimeIT {
  private static final long SECOND = 1_000;
  private static final long MINUTE = 60 * SECOND;
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension static KafkaBrokerExtension kafka = new KafkaBrokerExtension();

  @TempDir Path stateDir;

  /** One event as sent; {@code inFinestWindow} is the contract's verdict, worked out by hand. */
  record Timed(String service, long timestampMs, String timestamp, boolean inFinestWindow) {}

  private final List<Timed> sent = new ArrayList<>();
  private final List<String> tooOld = new ArrayList<>();
  private final List<String> inFuture = new ArrayList<>();
  private long now;

  @Test
  void shouldCountEveryAcceptedEventInTheTotalsAndOnlyOnTimeOnesInTheirWindows() throws Exception {
    long started = System.nanoTime();
    now = System.currentTimeMillis();
    // A minute boundary about ten minutes ago: every "recent" event lies in the next six minutes.
    long base = Math.floorDiv(now - 10 * MINUTE, MINUTE) * MINUTE;
    SplittableRandom random = new SplittableRandom(14_003);

    // "ahead" runs 4 minutes fast (accepted: the skew allowed is 5 minutes), then sends events
    // stamped with the true time: 4 minutes behind its own clock, so late for their windows.
    for (int i = 0; i < 20; i++) {
      add("ahead", now + 4 * MINUTE + i * 100, true);
    }
    for (int i = 0; i < 10; i++) {
      add("ahead", base + 5 * MINUTE + i * SECOND, false);
    }
    // "steady" sends after "ahead" ran ahead: six events per 10 s window for six minutes, all on
    // time, since lateness is per source.
    for (int k = 0; k < 36; k++) {
      for (int j = 0; j < 6; j++) {
        add("steady", base + k * 10 * SECOND + j * 1_500, true);
      }
    }
    // "shuffled": out of order, never more than 20 s behind its own latest event: within grace.
    List<Long> shuffled = new ArrayList<>();
    for (int block = 0; block < 3; block++) {
      List<Long> times = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        times.add(base + MINUTE + block * 20 * SECOND + random.nextInt(20_000));
      }
      java.util.Collections.shuffle(times, new java.util.Random(random.nextLong()));
      shuffled.addAll(times);
    }
    shuffled.forEach(t -> add("shuffled", t, true));
    // "straggler": ten events at base+3m, then five from two minutes earlier: beyond grace.
    for (int i = 0; i < 10; i++) {
      add("straggler", base + 3 * MINUTE + i * 100, true);
    }
    for (int i = 0; i < 5; i++) {
      add("straggler", base + MINUTE + i * 100, false);
    }
    // "backfill": 90 minutes old but in order: not late (the 10 s windows are kept 2 h).
    long backfillStart = Math.floorDiv(now - 90 * MINUTE, 10 * SECOND) * 10 * SECOND;
    for (int i = 0; i < 10; i++) {
      add("backfill", backfillStart + i * SECOND, true);
    }
    // "lastweek": three days old: past the 10 s (2 h) and 1 m (48 h) windows' retention, inside the
    // 1 h windows' (30 d): late, and in its hour.
    long lastWeek = Math.floorDiv(now - 3 * 24 * 60 * MINUTE, 60 * MINUTE) * 60 * MINUTE;
    for (int i = 0; i < 5; i++) {
      add("lastweek", lastWeek + 10 * MINUTE + i * SECOND, false);
    }
    // "ancient": the oldest accepted instant and the year after: counted in totals only.
    add("ancient", Instant.parse("2000-01-01T00:00:00Z").toEpochMilli(), false);
    for (int i = 0; i < 5; i++) {
      add("ancient", Instant.parse("2001-01-01T00:00:00Z").toEpochMilli() + i * SECOND, false);
    }
    // Rejected: before 2000-01-01, or more than 5 minutes ahead of Tally's clock.
    tooOld.addAll(
        List.of("\"1999-12-31T23:59:59Z\"", "946684799999", "\"2000-01-01T00:30:00+01:00\""));
    inFuture.addAll(
        List.of(
            Long.toString(now + 6 * MINUTE),
            Long.toString(now + 60 * MINUTE),
            "\"" + Instant.ofEpochMilli(now + 3_650L * 24 * 60 * MINUTE) + "\"",
            Long.toString(now * 1_000)));

    try (RunningTally tally = RunningTally.start(kafka, stateDir, Map.of())) {
      String topic = tally.createTopic("clocks", 1);
      produce(tally, topic);
      int total = sent.size() + tooOld.size() + inFuture.size();
      Map<String, Long> totals = new TreeMap<>();
      sent.forEach(t -> totals.merge(t.service(), 1L, Long::sum));
      long late = sent.stream().filter(t -> !t.inFinestWindow()).count();

      Map<String, Double> scraped =
          tally.awaitScrape(
              s ->
                  RunningTally.sum(s, "tally_events_consumed_total{") == total
                      && totals.entrySet().stream()
                          .allMatch(e -> e.getValue().doubleValue() == total(s, e.getKey()))
                      && late == s.getOrDefault(lateKey(), 0.0),
              Duration.ofMinutes(2));

      Map<String, Double> counted = new TreeMap<>();
      totals.keySet().forEach(service -> counted.put(service, total(scraped, service)));
      Map<String, Double> expectedTotals = new TreeMap<>();
      totals.forEach((service, n) -> expectedTotals.put(service, n.doubleValue()));
      assertThat(counted).as("totals: every accepted event").isEqualTo(expectedTotals);
      assertThat(scraped.get(lateKey())).as("tally_late_events_total").isEqualTo((double) late);

      // Windows: each service's on-time events in their 10 s windows, nothing else.
      for (String service : totals.keySet()) {
        Map<Instant, Double> expected = new TreeMap<>();
        sent.stream()
            .filter(t -> t.service().equals(service) && t.inFinestWindow())
            .forEach(
                t ->
                    expected.merge(
                        Instant.ofEpochMilli(
                            Math.floorDiv(t.timestampMs(), 10 * SECOND) * 10 * SECOND),
                        1.0,
                        Double::sum));
        long from = service.equals("backfill") ? now - 100 * MINUTE : base - 2 * MINUTE;
        Map<Instant, Double> windows =
            awaitWindows(tally, service, "10s", from, now + 6 * MINUTE, expected);
        assertThat(windows).as("10 s windows of " + service).isEqualTo(expected);
      }
      // The coarser windows follow the same rule: "steady" has 36 events a minute; "lastweek"'s
      // five events are in their hour, though they missed their 10 s windows.
      Map<Instant, Double> steadyMinutes = new TreeMap<>();
      for (int m = 0; m < 6; m++) {
        steadyMinutes.put(Instant.ofEpochMilli(base + m * MINUTE), 36.0);
      }
      assertThat(awaitWindows(tally, "steady", "1m", base - 2 * MINUTE, now, steadyMinutes))
          .isEqualTo(steadyMinutes);
      Map<Instant, Double> lastWeekHour = Map.of(Instant.ofEpochMilli(lastWeek), 5.0);
      assertThat(
              awaitWindows(
                  tally,
                  "lastweek",
                  "1h",
                  lastWeek - 60 * MINUTE,
                  lastWeek + 120 * MINUTE,
                  lastWeekHour))
          .isEqualTo(lastWeekHour);

      // The dead-letter topic: each rejected timestamp with its reason.
      List<ConsumerRecord<byte[], byte[]>> dead =
          tally.readDeadLetters(tooOld.size() + inFuture.size(), Duration.ofSeconds(30));
      Map<String, Integer> reasons = new TreeMap<>();
      dead.forEach(r -> reasons.merge(RunningTally.header(r, "tally.reason"), 1, Integer::sum));
      assertThat(reasons)
          .isEqualTo(
              Map.of("timestamp_too_old", tooOld.size(), "timestamp_in_future", inFuture.size()));

      tally.awaitNoLag(List.of(topic), Duration.ofMinutes(1));
      tally.assertHealthy(tally.scrape());
      RunningTally.figure("EventTimeIT", "events sent", total);
      RunningTally.figure("EventTimeIT", "late by construction", late);
      RunningTally.figure(
          "EventTimeIT",
          "test done after (s)",
          String.format(java.util.Locale.ROOT, "%.1f", (System.nanoTime() - started) / 1e9));
    }
  }

  private void add(String service, long timestampMs, boolean inFinestWindow) {
    sent.add(
        new Timed(
            service, timestampMs, "\"" + Instant.ofEpochMilli(timestampMs) + "\"", inFinestWindow));
  }

  private void produce(RunningTally tally, String topic) throws Exception {
    List<String> values = new ArrayList<>();
    int[] id = {0};
    sent.forEach(t -> values.add(event(t.service(), t.timestamp(), id[0]++)));
    tooOld.forEach(ts -> values.add(event("past", ts, id[0]++)));
    inFuture.forEach(ts -> values.add(event("future", ts, id[0]++)));
    try (KafkaProducer<byte[], byte[]> producer = tally.producer()) {
      for (String value : values) {
        producer.send(new ProducerRecord<>(topic, value.getBytes(StandardCharsets.UTF_8))).get();
      }
    }
  }

  private static String event(String service, String timestamp, int id) {
    return "{\"type\":\"ack.timeout\",\"schema_version\":1,\"service\":\""
        + service
        + "\",\"instance\":\""
        + service
        + "-1\",\"event_id\":\"t"
        + id
        + "\",\"timestamp\":"
        + timestamp
        + "}";
  }

  private static double total(Map<String, Double> scraped, String service) {
    return scraped.getOrDefault("ack_timeouts_total{service=\"" + service + "\"}", 0.0);
  }

  private static String lateKey() {
    return "tally_late_events_total{metric=\"ack_timeouts_total\"}";
  }

  /**
   * The windows of {@code service} at {@code resolution} in [from, to) with a value other than 0,
   * asked until they equal {@code expected} (windows reach their owner a flush after the totals) or
   * 30 s passed.
   */
  private static Map<Instant, Double> awaitWindows(
      RunningTally tally,
      String service,
      String resolution,
      long from,
      long to,
      Map<Instant, Double> expected)
      throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    Map<Instant, Double> windows = windows(tally, service, resolution, from, to);
    while (!windows.equals(expected) && System.nanoTime() < deadline) {
      Thread.sleep(500);
      windows = windows(tally, service, resolution, from, to);
    }
    return windows;
  }

  private static Map<Instant, Double> windows(
      RunningTally tally, String service, String resolution, long from, long to) throws Exception {
    HttpResponse<String> response =
        tally.get(
            "api/v1/query?metric=ack_timeouts_total&match=service="
                + service
                + "&from="
                + from
                + "&to="
                + to
                + "&resolution="
                + resolution
                + "&agg=sum");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    Map<Instant, Double> windows = new TreeMap<>();
    for (JsonNode series : JSON.readTree(response.body()).path("series")) {
      for (JsonNode point : series.path("points")) {
        double value = point.path("value").asDouble();
        if (value != 0) {
          windows.merge(Instant.parse(point.path("start").asText()), value, Double::sum);
        }
      }
    }
    return windows;
  }
}
