package dev.tally.streams;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.loadgen.EventLoad;
import dev.tally.loadgen.GroundTruth;
import dev.tally.streams.config.TallyConfig;
import dev.tally.streams.query.CumulativeValue;
import dev.tally.streams.query.LocalMetricStores;
import dev.tally.tools.kafka.KafkaBrokerExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole pipeline against a real KRaft broker: 100k events (1 % of them bad) produced with a
 * plain producer must come out as cumulative totals exactly equal to the ground truth, and every
 * bad record must sit in the DLQ with its reason.
 */
class TallyPipelineIT {
  private static final int EVENTS = 100_000;

  @RegisterExtension static KafkaBrokerExtension kafka = new KafkaBrokerExtension();

  @TempDir Path stateDir;

  @Test
  void shouldCountEveryEventExactlyOnceAndDeadLetterEveryBadOne() throws Exception {
    // Own topics and application id: other test classes share the broker.
    String prefix = "pipeline" + UUID.randomUUID().toString().substring(0, 8) + ".";
    String appId = "tally-it-" + UUID.randomUUID();
    long now = System.currentTimeMillis();
    EventLoad load =
        EventLoad.builder()
            .seed(2026)
            .startMs(now - Duration.ofMinutes(10).toMillis())
            .spreadMs(Duration.ofMinutes(5).toMillis())
            .badFraction(0.01)
            .topicPrefix("events." + prefix)
            .build();
    load.topics().forEach(t -> kafka.createTopic(t, 3));
    GroundTruth truth = ProducedLoad.produce(kafka.bootstrapServers(), load, EVENTS);

    TallyConfig config =
        TallyConfig.fromMap(
            Map.of(
                TallyConfig.BOOTSTRAP_SERVERS,
                kafka.bootstrapServers(),
                TallyConfig.APPLICATION_ID,
                appId,
                TallyConfig.STATE_DIR,
                stateDir.toString(),
                TallyConfig.DLQ_TOPIC,
                appId + ".dlq",
                TallyConfig.INPUT_TOPIC_PATTERN,
                ProducedLoad.topicPattern(prefix),
                TallyConfig.FLUSH_INTERVAL,
                "200ms",
                "kafka.commit.interval.ms",
                "200"));
    try (TallyApp app = TallyApp.create(config)) {
      app.start();
      LocalMetricStores stores = app.stores();
      Map<String, CumulativeValue> totals =
          CountedTotals.await(
              stores, EVENTS, Duration.ofMinutes(4), CountedTotals.reached(truth.counters()));

      assertThat(truth.counters()).hasSizeGreaterThan(100);
      truth
          .counters()
          .forEach(
              (series, expected) -> {
                assertThat(totals).as(series).containsKey(series);
                assertThat(totals.get(series).value().total()).as(series).isEqualTo(expected);
              });
      truth
          .observations()
          .forEach(
              (series, values) ->
                  assertThat(totals.get(series).value().histogram().count())
                      .as(series)
                      .isEqualTo(values.size()));
      double rejected = CountedTotals.sum(totals, "tally_events_rejected_total");
      assertThat(rejected).isEqualTo(truth.rejected());

      Map<String, Long> dlqByReason = readDlq(appId + ".dlq", truth.rejected());
      assertThat(dlqByReason).isEqualTo(truth.rejectedByReason());
    }
  }

  private static Map<String, Long> readDlq(String topic, long expected) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "dlq-reader-" + UUID.randomUUID());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    Map<String, Long> byReason = new HashMap<>();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      long read = 0;
      while (read < expected && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          Header reason = r.headers().lastHeader("tally.reason");
          byReason.merge(new String(reason.value(), StandardCharsets.UTF_8), 1L, Long::sum);
          read++;
        }
      }
      // Nothing beyond the expected records: poll once more.
      for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofSeconds(1))) {
        byReason.merge("unexpected:" + r.offset(), 1L, Long::sum);
      }
    }
    return byReason;
  }
}
