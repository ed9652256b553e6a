package dev.tally.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EventLoadTest {
  private static final long T = 1_795_435_170_000L;
  private static final ObjectMapper JSON = new ObjectMapper();

  private static List<GeneratedEvent> take(EventLoad load, int n) {
    List<GeneratedEvent> events = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      events.add(load.nextAt(T));
    }
    return events;
  }

  /**
   * Seed 42 of one job worker gives, in order: a record missing a field; an enqueue; a failed
   * action of 43.539 ms and its copy; a retry; a record that is not JSON; a depth sample (a gauge);
   * three enqueues, the last with a copy; an event processed in 17.661 ms.
   */
  @Test
  void shouldGiveTheTruthWorkedOutByHandForATinySeededLoad() {
    EventLoad load =
        EventLoad.builder()
            .seed(42)
            .shapes(List.of(ServiceShape.JOB_WORKER))
            .instancesPerService(1)
            .cardinality(1)
            .badFraction(0.1)
            .duplicateFraction(0.2)
            .build();
    GroundTruth truth = new GroundTruth();
    take(load, 12).forEach(truth::add);

    assertThat(truth.events()).isEqualTo(12);
    assertThat(truth.valid()).isEqualTo(8);
    assertThat(truth.rejected()).isEqualTo(2);
    assertThat(truth.resent()).isEqualTo(2);
    assertThat(truth.rejectedByReason())
        .containsOnly(entry("missing_field", 1L), entry("not_json", 1L));
    assertThat(truth.counters())
        .containsOnly(
            entry("queue_jobs_enqueued_total{queue=\"jobs\",service=\"job-worker\"}", 4.0),
            entry("queue_jobs_retried_total{queue=\"jobs\",service=\"job-worker\"}", 1.0),
            entry(
                "actions_executed_total{action=\"action\",outcome=\"failure\","
                    + "service=\"job-worker\"}",
                1.0),
            entry("events_processed_total{outcome=\"success\",service=\"job-worker\"}", 1.0));
    assertThat(truth.counts())
        .contains(
            entry("tally_events_consumed_total{topic=\"events.job-worker\"}", 12.0),
            entry("tally_events_duplicate_total{topic=\"events.job-worker\"}", 2.0),
            entry(
                "tally_events_rejected_total{reason=\"not_json\",topic=\"events.job-worker\"}",
                1.0),
            entry(
                "action_duration_seconds_bucket{action=\"action\",service=\"job-worker\","
                    + "le=\"0.025\"}",
                0.0),
            entry(
                "action_duration_seconds_bucket{action=\"action\",service=\"job-worker\","
                    + "le=\"0.05\"}",
                1.0),
            entry(
                "event_processing_duration_seconds_bucket{service=\"job-worker\",le=\"0.01\"}",
                0.0),
            entry(
                "event_processing_duration_seconds_bucket{service=\"job-worker\",le=\"0.025\"}",
                1.0));
    assertThat(truth.sums())
        .containsOnly(
            entry(
                "action_duration_seconds_sum{action=\"action\",service=\"job-worker\"}",
                new BigDecimal("0.043539")),
            entry(
                "event_processing_duration_seconds_sum{service=\"job-worker\"}",
                new BigDecimal("0.017661")));
  }

  @Test
  void shouldWriteWhatItRecordsAndSendCopiesWithTheSameBytesAndKey() throws IOException {
    EventLoad load =
        EventLoad.builder()
            .seed(9)
            .shapes(
                List.of(ServiceShape.IM_GATEWAY, ServiceShape.API_GATEWAY, ServiceShape.JOB_WORKER))
            .duplicateFraction(0.1)
            .build();
    Set<String> types = new HashSet<>();
    GeneratedEvent previous = null;
    for (GeneratedEvent e : take(load, 5_000)) {
      JsonNode json = JSON.readTree(e.json());
      assertThat(json.path("type").asText()).isEqualTo(e.type());
      assertThat(json.path("service").asText()).isEqualTo(e.service());
      assertThat(json.path("timestamp").asLong()).isEqualTo(e.timestampMs());
      e.fields().forEach((k, v) -> assertThat(json.path(k).asText()).isEqualTo(v.toString()));
      if (e.resent()) {
        assertThat(e.json()).isEqualTo(previous.json());
        assertThat(e.key()).isEqualTo(previous.key());
      }
      types.add(e.type());
      previous = e;
    }
    // Every family the three services are described with (docs/loadgen.md).
    assertThat(types)
        .contains(
            "connection.opened",
            "delivery.delivered",
            "ack.timeout",
            "queue.depth",
            "http.request",
            "pool.sample",
            "cache.miss",
            "processing.action_executed",
            "queue.dead_lettered",
            "checkpoint.saved",
            "dedup.check");
  }

  @Test
  void shouldStampLateEventsAMinuteBackAndOutOfOrderOnesWithinTheGrace() {
    List<GeneratedEvent> late = take(EventLoad.builder().seed(1).lateFraction(1).build(), 100);
    List<GeneratedEvent> shuffled =
        take(EventLoad.builder().seed(1).outOfOrderFraction(1).build(), 100);

    assertThat(late).allSatisfy(e -> assertThat(e.timestampMs()).isEqualTo(T - 60_000));
    assertThat(shuffled).allSatisfy(e -> assertThat(e.timestampMs()).isBetween(T - 5_000, T - 1));
  }

  @Test
  void shouldGiveTheSameLoadForTheSameSeed() {
    List<GeneratedEvent> a = take(EventLoad.builder().seed(3).badFraction(0.1).build(), 500);
    List<GeneratedEvent> b = take(EventLoad.builder().seed(3).badFraction(0.1).build(), 500);

    for (int i = 0; i < a.size(); i++) {
      assertThat(a.get(i).json()).isEqualTo(b.get(i).json());
    }
  }

  @Test
  void shouldSendEveryServiceToItsTopicOrAllToTheOneGiven() {
    assertThat(
            EventLoad.builder()
                .shapes(List.of(ServiceShape.IM_GATEWAY, ServiceShape.JOB_WORKER))
                .build()
                .topics())
        .containsExactly("events.im-gateway", "events.job-worker");
    assertThat(EventLoad.builder().topic("events.all").build().topics())
        .containsExactly("events.all");
    assertThat(EventLoad.builder().build().topics())
        .containsExactly("events.im-gateway", "events.media-gateway", "events.event-observer");
  }
}
