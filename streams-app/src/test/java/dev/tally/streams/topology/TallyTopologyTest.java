package dev.tally.streams.topology;

import static dev.tally.streams.topology.TopologyFixture.START;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assertions.within;

import dev.tally.loadgen.EventLoad;
import dev.tally.loadgen.GeneratedEvent;
import dev.tally.loadgen.GroundTruth;
import dev.tally.streams.config.TallyConfig;
import dev.tally.streams.config.WindowSpec;
import dev.tally.streams.histogram.Histogram;
import dev.tally.streams.query.Gauges;
import dev.tally.streams.query.SeriesSelector;
import dev.tally.streams.store.Aggregate;
import dev.tally.streams.store.Cumulative;
import dev.tally.streams.store.GaugeKey;
import dev.tally.streams.store.GaugeSample;
import dev.tally.streams.store.GaugeWindow;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TallyTopologyTest {
  private static final long T0 = START.toEpochMilli();
  private static final String TOPIC = "events.im-gateway";

  @TempDir Path stateDir;

  private static List<GeneratedEvent> corpus(long seed, int n, double badFraction) {
    EventLoad load =
        EventLoad.builder()
            .seed(seed)
            .startMs(T0)
            .spreadMs(120_000)
            .badFraction(badFraction)
            .build();
    List<GeneratedEvent> events = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      events.add(load.next());
    }
    return events;
  }

  @Test
  void shouldCountEveryCounterExactlyAsGroundTruth() {
    List<GeneratedEvent> events = corpus(7, 20_000, 0.02);
    GroundTruth truth = new GroundTruth();
    events.forEach(truth::add);

    try (TopologyFixture tally = new TopologyFixture(stateDir)) {
      tally.pipeInOrder(events, 500);
      Map<String, Cumulative> totals = tally.cumulative();

      assertThat(truth.counters()).hasSizeGreaterThan(50);
      truth
          .counters()
          .forEach(
              (series, expected) -> {
                assertThat(totals).as(series).containsKey(series);
                assertThat(totals.get(series).aggregate().total()).as(series).isEqualTo(expected);
              });
      // Nothing counted that the ground truth does not know of, for the metrics it covers.
      for (String metric :
          List.of("cache_hits_total", "http_requests_total", "ack_timeouts_total")) {
        long expected =
            truth.counters().keySet().stream().filter(k -> k.startsWith(metric + "{")).count();
        assertThat(tally.counterTotals(metric + "{")).as(metric).hasSize((int) expected);
      }
      assertThat(sum(tally.counterTotals("tally_events_consumed_total{"))).isEqualTo(events.size());
      assertThat(sum(tally.counterTotals("tally_events_rejected_total{")))
          .isEqualTo(truth.rejected());
    }
  }

  @Test
  void shouldKeepExactClassicBucketsAndQuantilesWithinOnePercent() {
    List<GeneratedEvent> events = corpus(11, 20_000, 0);
    GroundTruth truth = new GroundTruth();
    events.forEach(truth::add);

    try (TopologyFixture tally = new TopologyFixture(stateDir)) {
      tally.pipeInOrder(events, 700);
      Map<String, Cumulative> totals = tally.cumulative();

      String series = GroundTruth.key("delivery_latency_seconds", "service", "im-gateway");
      List<Double> observed = new ArrayList<>(truth.observations().get(series));
      Histogram h = totals.get(series).aggregate().histogram();
      assertThat(h.count()).isEqualTo(observed.size());
      assertThat(h.sum()).isCloseTo(observed.stream().mapToDouble(d -> d).sum(), within(1e-6));

      double[] bounds = h.classicUpperBounds();
      long[] cumulative = h.classicCumulativeCounts();
      for (int i = 0; i < bounds.length; i++) {
        double bound = bounds[i];
        long expected = observed.stream().filter(v -> v <= bound).count();
        assertThat(cumulative[i]).as("le=" + bound).isEqualTo(expected);
      }

      observed.sort(Double::compare);
      for (double q : new double[] {0.5, 0.9, 0.99, 0.999}) {
        double exact = observed.get((int) Math.ceil(q * observed.size()) - 1);
        assertThat(h.quantile(q)).as("p" + q).isCloseTo(exact, within(exact * 0.01));
      }
    }
  }

  @Test
  void shouldSendEveryBadRecordToTheDlqWithItsReasonAndSource() {
    List<GeneratedEvent> events = corpus(3, 5_000, 0.2);
    GroundTruth truth = new GroundTruth();
    events.forEach(truth::add);

    try (TopologyFixture tally = new TopologyFixture(stateDir)) {
      tally.pipeInOrder(events, 500);
      List<TestRecord<byte[], byte[]>> dead = tally.dlq.readRecordsToList();

      Map<String, Long> byReason = new HashMap<>();
      for (TestRecord<byte[], byte[]> r : dead) {
        byReason.merge(header(r, "tally.reason"), 1L, Long::sum);
        assertThat(header(r, "tally.source.topic")).startsWith("events.");
        assertThat(header(r, "tally.source.offset")).matches("\\d+");
        assertThat(header(r, "tally.message")).isNotBlank();
      }
      assertThat(byReason).isEqualTo(truth.rejectedByReason());
      Map<String, Double> rejected = tally.counterTotals("tally_events_rejected_total{");
      truth
          .rejectedByReason()
          .forEach(
              (reason, n) ->
                  assertThat(
                          rejected.entrySet().stream()
                              .filter(e -> e.getKey().contains("reason=\"" + reason + "\""))
                              .mapToDouble(Map.Entry::getValue)
                              .sum())
                      .as(reason)
                      .isEqualTo(n.doubleValue()));
    }
  }

  @Test
  void shouldKeepTheOriginalBytesOfARejectedRecord() {
    try (TopologyFixture tally = new TopologyFixture(stateDir)) {
      byte[] garbage = {(byte) 0xff, 0x00, 0x7b, (byte) 0xc3};
      tally.pipe(TOPIC, garbage, T0);

      TestRecord<byte[], byte[]> dead = tally.dlq.readRecord();
      assertThat(dead.value()).isEqualTo(garbage);
      // 0xff starts no UTF-8 character: the bytes are not text, let alone JSON.
      assertThat(header(dead, "tally.reason")).isEqualTo("invalid_utf8");
    }
  }

  @Test
  void shouldCountLateEventsInTotalsButNotInClosedWindows() {
    try (TopologyFixture tally = new TopologyFixture(stateDir)) {
      tally.pipe(TOPIC, ack(T0 + 1_000), T0 + 1_000);
      tally.flush();
      // The source's clock moves 5 minutes on: its 10 s and 1 min windows of T0 close (grace 30 s).
      tally.pipe(TOPIC, ack(T0 + 300_000), T0 + 300_000);
      tally.flush();
      tally.pipe(TOPIC, ack(T0 + 2_000), T0 + 2_000); // late
      tally.pipe(TOPIC, ack(T0 + 3_000), T0 + 3_000); // late
      tally.flush();

      String series = GroundTruth.key("ack_received_total", "service", "im-gateway");
      assertThat(tally.cumulative().get(series).aggregate().total()).isEqualTo(4);
      Map<KeyValue<String, Long>, Aggregate> tenSeconds = tally.windows("window-10s");
      assertThat(tenSeconds.get(KeyValue.pair(series, T0)).total()).isEqualTo(1);
      Map<KeyValue<String, Long>, Aggregate> minutes = tally.windows("window-1m");
      assertThat(minutes.get(KeyValue.pair(series, T0)).total()).isEqualTo(1);
      // The hour window is still open: late for 10 s, on time for 1 h.
      Map<KeyValue<String, Long>, Aggregate> hours = tally.windows("window-1h");
      assertThat(hours.get(KeyValue.pair(series, T0)).total()).isEqualTo(4);
      assertThat(
              tally
                  .counterTotals("tally_late_events_total{")
                  .get(GroundTruth.key("tally_late_events_total", "metric", "ack_received_total")))
          .isEqualTo(2);
    }
  }

  @Test
  void shouldJudgeInOrderEventsOnTimeHoweverOldTheirTimestamps() {
    try (TopologyFixture tally = new TopologyFixture(stateDir)) {
      // One producer, ten events in order, each stamped 60 s before it reaches Kafka; Tally is
      // otherwise idle. Its own counters (record time = now) must not make them late.
      for (int i = 0; i < 10; i++) {
        long sentAt = T0 + i * 1_000L;
        tally.pipe(TOPIC, ack(sentAt - 60_000), sentAt);
        tally.flush();
      }
      String series = GroundTruth.key("ack_received_total", "service", "im-gateway");
      assertThat(tally.counterTotals("tally_late_events_total{")).isEmpty();
      double inTenSecondWindows =
          tally.windows("window-10s").entrySet().stream()
              .filter(e -> e.getKey().key.equals(series))
              .mapToDouble(e -> e.getValue().total())
              .sum();
      assertThat(inTenSecondWindows).isEqualTo(10);
    }
  }

  @Test
  void shouldNotLetAProducerWhoseClockRunsAheadMakeOtherProducersLate() {
    try (TopologyFixture tally = new TopologyFixture(stateDir)) {
      // gw-ahead's clock runs 4 minutes fast (within event.max.future.skew, so accepted).
      tally.pipe(TOPIC, event("ack.received", "gw-ahead", T0 + 240_000, ",\"latency_ms\":1"), T0);
      tally.flush();
      for (int i = 0; i < 5; i++) {
        tally.pipe(TOPIC, ack(T0 + i * 1_000L), T0 + i * 1_000L);
      }
      tally.flush();
      String series = GroundTruth.key("ack_received_total", "service", "im-gateway");
      assertThat(tally.counterTotals("tally_late_events_total{")).isEmpty();
      assertThat(tally.windows("window-10s").get(KeyValue.pair(series, T0)).total()).isEqualTo(5);
      // Its own older event is late: the source's clock is its own.
      tally.pipe(TOPIC, event("ack.received", "gw-ahead", T0, ",\"latency_ms\":1"), T0 + 5_000);
      tally.flush();
      assertThat(
              tally
                  .counterTotals("tally_late_events_total{")
                  .get(GroundTruth.key("tally_late_events_total", "metric", "ack_received_total")))
          .isEqualTo(1);
      assertThat(tally.windows("window-10s").get(KeyValue.pair(series, T0)).total()).isEqualTo(5);
    }
  }

  @Test
  void shouldAddIntegerIncrementsExactlyHoweverLargeTheTotal() {
    try (TopologyFixture tally = new TopologyFixture(stateDir)) {
      // 2^53: from here on a double cannot hold every integer, and 2^53 + 1 rounds back to 2^53.
      tally.pipe(TOPIC, delivered(T0, "9007199254740992"), T0);
      tally.flush();
      for (int i = 1; i <= 10; i++) {
        tally.pipe(TOPIC, delivered(T0 + i, "1"), T0 + i);
        tally.flush(); // each increment in a partial of its own
      }
      String series =
          GroundTruth.key("delivery_group_fanout_members_total", "service", "im-gateway");
      assertThat(tally.cumulative().get(series).aggregate().total()).isEqualTo(9007199254741002.0);
      assertThat(tally.windows("window-1h").get(KeyValue.pair(series, T0 - T0 % 3_600_000)).total())
          .isEqualTo(9007199254741002.0);
    }
  }

  @Test
  void shouldCountAReSentEventOnceAndTheReSendAsADuplicate() {
    try (TopologyFixture tally = new TopologyFixture(stateDir)) {
      String timeout = event("ack.timeout", "gw-1", T0, "");
      tally.pipe(TOPIC, timeout, T0);
      tally.pipe(TOPIC, timeout, T0 + 1); // re-sent after a producer timeout
      tally.flush();
      tally.advanceWallClock(Duration.ofMinutes(9)); // still within dedup.window (10m)
      tally.pipe(TOPIC, timeout, T0 + 2); // re-sent by an outbox relay after a restart
      tally.flush();

      String series = GroundTruth.key("ack_timeouts_total", "service", "im-gateway");
      assertThat(tally.counterTotals("ack_timeouts_total{")).containsExactly(entry(series, 1.0));
      assertThat(tally.counterTotals("tally_events_duplicate_total{"))
          .containsExactly(
              entry(GroundTruth.key("tally_events_duplicate_total", "topic", TOPIC), 2.0));
      assertThat(tally.counterTotals("tally_events_consumed_total{").values()).containsExactly(3.0);

      // Once the window has passed, the id is forgotten: the same event counts again.
      tally.advanceWallClock(Duration.ofMinutes(2));
      tally.pipe(TOPIC, timeout, T0 + 3);
      tally.flush();
      assertThat(tally.counterTotals("ack_timeouts_total{")).containsExactly(entry(series, 2.0));
    }
  }

  @Test
  void shouldAddIntegerCountsExactlyBeyondTheDoublesRange() {
    try (TopologyFixture tally = new TopologyFixture(stateDir)) {
      // 2^53 + 1 has no double; the exact sum 2^53 + 10 has one.
      tally.pipe(TOPIC, delivered(T0, "9007199254740993"), T0);
      tally.pipe(TOPIC, delivered(T0 + 1, "9"), T0 + 1);
      tally.flush();
      String series =
          GroundTruth.key("delivery_group_fanout_members_total", "service", "im-gateway");
      assertThat(tally.cumulative().get(series).aggregate().total()).isEqualTo(9007199254741002.0);
    }
  }

  @Test
  void shouldNotConfuseIdsWhoseCharactersCouldSeparateFields() {
    try (TopologyFixture tally = new TopologyFixture(stateDir)) {
      // (service "n1", id "p\0q") and (service "n1\0p", id "q"): two events, not a re-send.
      String first =
          event("ack.timeout", "gw-1", T0, "").replace("\"e-gw-1-" + T0 + "\"", "\"p\\u0000q\"");
      String second =
          event("ack.timeout", "gw-1", T0, "")
              .replace("\"im-gateway\"", "\"im-gateway\\u0000p\"")
              .replace("\"e-gw-1-" + T0 + "\"", "\"q\"");
      tally.pipe(TOPIC, first, T0);
      tally.pipe(TOPIC, second, T0);
      tally.flush();
      assertThat(tally.counterTotals("tally_events_duplicate_total{")).isEmpty();
      assertThat(sum(tally.counterTotals("ack_timeouts_total{"))).isEqualTo(2);
    }
  }

  @Test
  void shouldDeduplicatePerTopicPartitionNotAcrossTopics() {
    try (TopologyFixture tally = new TopologyFixture(stateDir)) {
      String timeout = event("ack.timeout", "gw-1", T0, "");
      tally.pipe(TOPIC, timeout, T0);
      tally.pipe("events.other", timeout, T0);
      tally.flush();
      assertThat(sum(tally.counterTotals("ack_timeouts_total{"))).isEqualTo(2);
      assertThat(tally.counterTotals("tally_events_duplicate_total{")).isEmpty();
    }
  }

  @Test
  void shouldTellEventsOfOneIdFromDifferentServicesApart() {
    try (TopologyFixture tally = new TopologyFixture(stateDir)) {
      tally.pipe(TOPIC, event("ack.timeout", "gw-1", T0, ""), T0);
      tally.pipe(TOPIC, event("ack.timeout", "gw-1", T0, "").replace("im-gateway", "api-gw"), T0);
      tally.flush();
      assertThat(tally.counterTotals("ack_timeouts_total{").values()).containsExactly(1.0, 1.0);
      assertThat(tally.counterTotals("tally_events_duplicate_total{")).isEmpty();
    }
  }

  @Test
  void shouldDeadLetterEveryCopyOfARejectedRecord() {
    try (TopologyFixture tally = new TopologyFixture(stateDir)) {
      String bad = event("ack.received", "gw-1", T0, ",\"latency_ms\":-1");
      tally.pipe(TOPIC, bad, T0);
      tally.pipe(TOPIC, bad, T0 + 1);
      tally.flush();
      assertThat(tally.dlq.readRecordsToList()).hasSize(2);
      assertThat(tally.counterTotals("tally_events_duplicate_total{")).isEmpty();
    }
  }

  @Test
  void shouldCountEveryCopyWhenDedupIsOff() {
    try (TopologyFixture tally =
        new TopologyFixture(stateDir, Map.of(TallyConfig.DEDUP_WINDOW, "0"), Optional.empty())) {
      String timeout = event("ack.timeout", "gw-1", T0, "");
      tally.pipe(TOPIC, timeout, T0);
      tally.pipe(TOPIC, timeout, T0 + 1);
      tally.flush();
      assertThat(tally.counterTotals("ack_timeouts_total{").values()).containsExactly(2.0);
      assertThat(tally.counterTotals("tally_events_duplicate_total{")).isEmpty();
    }
  }

  @Test
  void shouldAddNoEventLabelTheCatalogDoesNotTake() {
    try (TopologyFixture tally = new TopologyFixture(stateDir)) {
      tally.pipe(
          TOPIC, event("ack.timeout", "gw-1", T0, ",\"labels\":{\"cluster\":\"us-west\"}"), T0);
      tally.flush();
      assertThat(tally.counterTotals("ack_timeouts_total{"))
          .containsOnlyKeys(GroundTruth.key("ack_timeouts_total", "service", "im-gateway"));
    }
  }

  @Test
  void shouldAddUpEveryResolutionToTheCumulativeTotalForOnTimeEvents() {
    List<GeneratedEvent> events = corpus(5, 10_000, 0);
    try (TopologyFixture tally = new TopologyFixture(stateDir)) {
      tally.pipeInOrder(events, 200);
      Map<String, Double> totals = tally.counterTotals("delivery_messages_delivered_total{");
      for (String store : List.of("window-10s", "window-1m", "window-1h")) {
        Map<String, Double> windowed = new HashMap<>();
        tally
            .windows(store)
            .forEach(
                (key, agg) -> {
                  if (key.key.startsWith("delivery_messages_delivered_total{")) {
                    windowed.merge(key.key, agg.total(), Double::sum);
                  }
                });
        assertThat(windowed).as(store).isEqualTo(totals);
      }
      assertThat(tally.counterTotals("tally_late_events_total{")).isEmpty();
    }
  }

  @Test
  void shouldTrackActiveConnectionsPerSourceAndExpireSilentSources() {
    try (TopologyFixture tally = new TopologyFixture(stateDir)) {
      for (int i = 0; i < 5; i++) {
        tally.pipe(TOPIC, event("connection.opened", "gw-1", T0 + i, ""), T0 + i);
      }
      tally.pipe(TOPIC, event("connection.closed", "gw-1", T0 + 10, ""), T0 + 10);
      tally.pipe(TOPIC, event("connection.opened", "gw-2", T0 + 20, ""), T0 + 20);
      tally.pipe(
          TOPIC,
          event("queue.depth", "gw-2", T0 + 30, ",\"queue\":\"offline\",\"depth\":7"),
          T0 + 30);
      tally.pipe(
          TOPIC,
          event("queue.depth", "gw-2", T0 + 20, ",\"queue\":\"offline\",\"depth\":9"),
          T0 + 20);
      tally.flush();

      Map<String, Double> bySource = new HashMap<>();
      tally
          .gauges()
          .forEach((k, v) -> bySource.put(k.series().metric() + "@" + k.source(), v.value()));
      assertThat(bySource)
          .containsEntry("connections_active@im-gateway/gw-1", 4.0)
          .containsEntry("connections_active@im-gateway/gw-2", 1.0)
          // Last value by event time, not by arrival.
          .containsEntry("queue_depth@im-gateway/gw-2", 7.0);

      // gw-1 keeps reporting; gw-2 goes silent past the 5 minute TTL and is dropped.
      tally.advanceWallClock(Duration.ofMinutes(4));
      tally.pipe(TOPIC, event("connection.opened", "gw-1", T0 + 290_000, ""), T0 + 290_000);
      tally.flush();
      tally.advanceWallClock(Duration.ofMinutes(2));

      Map<GaugeKey, GaugeSample> gauges = tally.gauges();
      assertThat(gauges.keySet()).extracting(GaugeKey::source).containsOnly("im-gateway/gw-1");
      assertThat(gauges.values()).extracting(GaugeSample::value).containsExactly(5.0);
    }
  }

  @Test
  void shouldKeepEachGaugeSeriesLastAndHighestValuePerWindow() {
    try (TopologyFixture tally = new TopologyFixture(stateDir)) {
      long base = Math.floorDiv(T0, 60_000) * 60_000 + 60_000; // a 10 s and a 1 m window start
      String jobs = ",\"queue\":\"jobs\",\"depth\":";
      // The series' value (summed over its sources) after each update: 5, then 5 + 3 = 8, then
      // 2 + 3 = 5; in the next 10 s window 2 + 1 = 3.
      tally.pipe(TOPIC, event("queue.depth", "gw-1", base + 1_000, jobs + 5), base + 1_000);
      tally.flush();
      tally.pipe(TOPIC, event("queue.depth", "gw-2", base + 2_000, jobs + 3), base + 2_000);
      tally.flush();
      tally.pipe(TOPIC, event("queue.depth", "gw-1", base + 3_000, jobs + 2), base + 3_000);
      tally.flush();
      tally.pipe(TOPIC, event("queue.depth", "gw-2", base + 12_000, jobs + 1), base + 12_000);
      tally.flush();

      Map<String, GaugeWindow> tenSeconds = new HashMap<>();
      tally
          .stores()
          .gaugeWindows(
              new WindowSpec(Duration.ofSeconds(10), Duration.ofHours(2)),
              base,
              base + 50_000,
              new SeriesSelector(
                  "queue_depth", List.of(dev.tally.streams.query.LabelMatcher.parse("queue=jobs"))),
              (series, start, window) -> tenSeconds.put((start - base) / 1000 + "s", window));
      assertThat(tenSeconds)
          .containsOnlyKeys("0s", "10s")
          .containsEntry("0s", new GaugeWindow(5, base + 3_000, 8))
          .containsEntry("10s", new GaugeWindow(3, base + 12_000, 3));

      // A backlog in one flush, out of order, from one source: each window gets its own sample.
      String mail = ",\"queue\":\"mail\",\"depth\":";
      tally.pipe(TOPIC, event("queue.depth", "gw-3", base + 15_000, mail + 7), base + 15_000);
      tally.pipe(TOPIC, event("queue.depth", "gw-3", base + 5_000, mail + 4), base + 5_000);
      tally.flush();
      Map<String, GaugeWindow> backlog = new HashMap<>();
      tally
          .stores()
          .gaugeWindows(
              new WindowSpec(Duration.ofSeconds(10), Duration.ofHours(2)),
              base,
              base + 50_000,
              new SeriesSelector(
                  "queue_depth", List.of(dev.tally.streams.query.LabelMatcher.parse("queue=mail"))),
              (series, start, window) -> backlog.put((start - base) / 1000 + "s", window));
      assertThat(backlog)
          .containsOnlyKeys("0s", "10s")
          .containsEntry("0s", new GaugeWindow(4, base + 5_000, 4))
          .containsEntry("10s", new GaugeWindow(7, base + 15_000, 7));

      Map<Long, GaugeWindow> minute = new HashMap<>();
      tally
          .stores()
          .gaugeWindows(
              new WindowSpec(Duration.ofMinutes(1), Duration.ofHours(48)),
              base,
              base,
              new SeriesSelector(
                  "queue_depth", List.of(dev.tally.streams.query.LabelMatcher.parse("queue=jobs"))),
              (series, start, window) -> minute.put(start, window));
      assertThat(minute).containsExactly(Map.entry(base, new GaugeWindow(3, base + 12_000, 8)));
    }
  }

  @Test
  void shouldShowAGaugeOfASourceWhoseClockRunsBehind() {
    try (TopologyFixture tally = new TopologyFixture(stateDir)) {
      long now = TopologyFixture.START.toEpochMilli();
      // gw-slow's clock is 6 minutes behind: its sample is an arrival of now, not of 6 min ago.
      long stamped = now - Duration.ofMinutes(6).toMillis();
      tally.pipe(
          TOPIC,
          event("queue.depth", "gw-slow", stamped, ",\"queue\":\"offline\",\"depth\":7"),
          now);
      tally.flush();
      assertThat(liveGauges(tally))
          .containsEntry(
              GroundTruth.key("queue_depth", "queue", "offline", "service", "im-gateway"), 7.0);
    }
  }

  @Test
  void shouldKeepOpenConnectionsCountedWhileTheirSourceSendsAnyEvent() {
    try (TopologyFixture tally = new TopologyFixture(stateDir)) {
      long start = TopologyFixture.START.toEpochMilli();
      for (int i = 0; i < 3; i++) {
        tally.pipe(TOPIC, event("connection.opened", "gw-1", start + i, ""), start + i);
      }
      tally.flush();
      // Ten minutes of no connection events, but an ACK every minute: the source is alive.
      for (int minute = 1; minute <= 10; minute++) {
        tally.advanceWallClock(Duration.ofMinutes(1));
        long now = start + minute * 60_000L + tally.config.flushInterval().toMillis();
        tally.pipe(TOPIC, ack(now), now);
        tally.flush();
      }
      assertThat(liveGauges(tally))
          .containsEntry(GroundTruth.key("connections_active", "service", "im-gateway"), 3.0);

      // Then nothing at all for longer than gauge.ttl (5m): the source is gone.
      tally.advanceWallClock(Duration.ofMinutes(6));
      assertThat(liveGauges(tally))
          .doesNotContainKey(GroundTruth.key("connections_active", "service", "im-gateway"));
    }
  }

  /** What /metrics shows for gauges now: the live sources summed, by Tally's (driver) clock. */
  private static Map<String, Double> liveGauges(TopologyFixture tally) {
    Map<String, Double> live = new HashMap<>();
    Gauges.live(tally.stores(), tally.catalog, tally.config.gaugeTtl(), tally.wallClockMs())
        .forEach((k, v) -> live.put(k.toString(), v));
    return live;
  }

  @Test
  void shouldFreeTheCapPlaceOfASeriesIdleForTheSeriesTtl() throws Exception {
    Path catalog = stateDir.resolve("catalog.yaml");
    Files.writeString(catalog, "extend:\n  ack_timeouts_total: {cap: 2}\n");
    try (TopologyFixture tally =
        new TopologyFixture(
            stateDir.resolve("state"),
            Map.of(TallyConfig.SERIES_TTL, "10m"),
            Optional.of(catalog))) {
      tally.pipe(TOPIC, timeoutOf("pods-a", T0), T0);
      tally.pipe(TOPIC, timeoutOf("pods-b", T0 + 1), T0 + 1);
      tally.pipe(TOPIC, timeoutOf("pods-c", T0 + 2), T0 + 2); // beyond the cap
      tally.flush();
      assertThat(tally.counterTotals("ack_timeouts_total{")).containsKey(overflow());

      // pods-a and pods-b go idle (a rollout replaced them); after series.ttl their places free.
      tally.advanceWallClock(Duration.ofMinutes(11));
      tally.pipe(TOPIC, timeoutOf("pods-c", T0 + 3), T0 + 3);
      tally.flush();
      assertThat(tally.counterTotals("ack_timeouts_total{"))
          .containsEntry(timeouts("pods-c"), 1.0)
          .containsEntry(overflow(), 1.0);
    }
  }

  @Test
  void shouldContinueTheTotalAndCreatedTimeOfASeriesThatReturnsAfterTheSeriesTtl() {
    try (TopologyFixture tally =
        new TopologyFixture(stateDir, Map.of(TallyConfig.SERIES_TTL, "10m"), Optional.empty())) {
      tally.pipe(TOPIC, timeoutOf("pods-a", T0), T0);
      tally.flush();
      long created = tally.cumulative().get(timeouts("pods-a")).createdMs();

      tally.advanceWallClock(Duration.ofHours(2)); // idle far past series.ttl, within retention
      long later = T0 + Duration.ofHours(2).toMillis();
      tally.pipe(TOPIC, timeoutOf("pods-a", later), later);
      tally.flush();
      assertThat(tally.cumulative().get(timeouts("pods-a")).aggregate().total()).isEqualTo(2);
      assertThat(tally.cumulative().get(timeouts("pods-a")).createdMs()).isEqualTo(created);
    }
  }

  @Test
  void shouldDeleteTheValueOfASeriesIdleForTheSeriesRetention() {
    try (TopologyFixture tally =
        new TopologyFixture(
            stateDir,
            Map.of(TallyConfig.SERIES_TTL, "10m", TallyConfig.SERIES_RETENTION, "1h"),
            Optional.empty())) {
      tally.pipe(TOPIC, timeoutOf("pods-a", T0), T0);
      tally.flush();
      tally.advanceWallClock(Duration.ofMinutes(75));
      assertThat(tally.cumulative()).doesNotContainKey(timeouts("pods-a"));

      long later = T0 + Duration.ofMinutes(75).toMillis();
      tally.pipe(TOPIC, timeoutOf("pods-a", later), later);
      tally.flush();
      // A new series: from 0, created anew.
      assertThat(tally.cumulative().get(timeouts("pods-a")).aggregate().total()).isEqualTo(1);
      assertThat(tally.cumulative().get(timeouts("pods-a")).createdMs()).isGreaterThan(T0);
    }
  }

  /** An ack.timeout whose service names the pods, so that each is a series of its own. */
  private static String timeoutOf(String service, long ts) {
    return event("ack.timeout", "gw-1", ts, "").replace("\"im-gateway\"", "\"" + service + "\"");
  }

  private static String timeouts(String service) {
    return GroundTruth.key("ack_timeouts_total", "service", service);
  }

  private static String overflow() {
    return GroundTruth.key("ack_timeouts_total", "service", "__overflow__");
  }

  @Test
  void shouldRouteSeriesBeyondTheCapToTheOverflowSeries() throws Exception {
    Path catalog = stateDir.resolve("catalog.yaml");
    Files.writeString(catalog, "extend:\n  http_requests_total: {cap: 3}\n");
    try (TopologyFixture tally =
        new TopologyFixture(stateDir.resolve("state"), Map.of(), Optional.of(catalog))) {
      String[] routes = {"/a", "/b", "/c", "/d", "/e", "/a", "/f"};
      for (int i = 0; i < routes.length; i++) {
        tally.pipe(
            TOPIC,
            event(
                "http.request",
                "gw-1",
                T0 + i,
                ",\"method\":\"GET\",\"route\":\""
                    + routes[i]
                    + "\",\"status\":200,\"duration_ms\":3"),
            T0 + i);
      }
      tally.flush();

      Map<String, Double> http = tally.counterTotals("http_requests_total{");
      assertThat(http).hasSize(4);
      assertThat(
              http.get(
                  GroundTruth.key(
                      "http_requests_total",
                      "service",
                      "im-gateway",
                      "method",
                      "GET",
                      "route",
                      "/a",
                      "status",
                      "200")))
          .isEqualTo(2);
      assertThat(
              http.get(
                  GroundTruth.key(
                      "http_requests_total",
                      "service",
                      "__overflow__",
                      "method",
                      "__overflow__",
                      "route",
                      "__overflow__",
                      "status",
                      "__overflow__")))
          .isEqualTo(3);
      assertThat(sum(http)).isEqualTo(routes.length);
      assertThat(tally.counterTotals("tally_series_overflow_total{"))
          .containsEntry(
              GroundTruth.key("tally_series_overflow_total", "metric", "http_requests_total"), 3.0);
    }
  }

  @Test
  void shouldCountUnmappedMetricSamplesInsteadOfDroppingThem() {
    try (TopologyFixture tally = new TopologyFixture(stateDir)) {
      tally.pipe(
          TOPIC,
          event(
              "metric.sample",
              "gw-1",
              T0,
              ",\"name\":\"orders_total\",\"kind\":\"counter\",\"value\":2"),
          T0);
      tally.flush();

      assertThat(tally.counterTotals("tally_events_unmapped_total{"))
          .containsEntry(
              GroundTruth.key(
                  "tally_events_unmapped_total", "type", "metric.sample", "name", "orders_total"),
              1.0);
    }
  }

  @Test
  void shouldNameEveryProcessorStoreAndTopic() {
    try (TopologyFixture tally = new TopologyFixture(stateDir)) {
      String description =
          dev.tally.streams.topology.TallyTopology.build(
                  tally.config,
                  tally.catalog,
                  dev.tally.streams.TallyApp.parser(tally.config, java.time.Clock.systemUTC()))
              .describe()
              .toString();
      assertThat(description).doesNotContain("KSTREAM-").doesNotContain("KTABLE-");
      assertThat(description).contains("series-repartition", "cumulative", "pending", "window-10s");
    }
  }

  private static String delivered(long ts, String fanout) {
    return event("delivery.delivered", "gw-1", ts, ",\"latency_ms\":3,\"fanout\":" + fanout);
  }

  private static String ack(long ts) {
    return event("ack.received", "gw-1", ts, ",\"latency_ms\":12.5");
  }

  private static String event(String type, String instance, long ts, String fields) {
    return "{\"type\":\""
        + type
        + "\",\"schema_version\":1,\"service\":\"im-gateway\",\"instance\":\""
        + instance
        + "\",\"event_id\":\"e-"
        + instance
        + "-"
        + ts
        + "\",\"timestamp\":"
        + ts
        + fields
        + "}";
  }

  private static String header(TestRecord<byte[], byte[]> r, String name) {
    Header h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  private static double sum(Map<String, Double> values) {
    return values.values().stream().mapToDouble(Double::doubleValue).sum();
  }
}
