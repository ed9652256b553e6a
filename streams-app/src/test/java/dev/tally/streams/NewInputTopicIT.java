package dev.tally.streams;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.streams.config.TallyConfig;
import dev.tally.streams.query.CumulativeValue;
import dev.tally.streams.topology.StoreNames;
import dev.tally.tools.kafka.KafkaBrokerExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * README, "Start in any order": a matching topic's events are counted within seconds of its
 * creation, without a restart — also when the new topic has more partitions than every topic before
 * it (here a 1-partition topic, as Kafka auto-creates one, then a 3-partition one). Kafka Streams
 * refuses the reading task's changelogs then, created with 1 partition; Tally grows them ({@code
 * ChangelogGrowth}) and goes on counting.
 */
class NewInputTopicIT {
  @RegisterExtension static KafkaBrokerExtension kafka = new KafkaBrokerExtension();

  @TempDir Path stateDir;

  @Test
  void shouldCountATopicWithMorePartitionsThanTheOnesBeforeIt() throws Exception {
    String prefix = "grow" + UUID.randomUUID().toString().substring(0, 8) + ".";
    String appId = "tally-grow-" + UUID.randomUUID();
    String small = "events." + prefix + "auto";
    String large = "events." + prefix + "team";
    kafka.createTopic(small, 1);
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
                "kafka.commit.interval.ms",
                "200"));
    try (TallyApp app = TallyApp.create(config);
        KafkaProducer<byte[], byte[]> producer = producer()) {
      app.start();
      send(producer, small, 0, 40, "a");
      CountedTotals.await(app.stores(), 40, Duration.ofMinutes(2), totals -> true);

      kafka.createTopic(large, 3);
      for (int partition = 0; partition < 3; partition++) {
        send(producer, large, partition, 30, "b" + partition);
      }
      send(producer, small, 0, 20, "c");
      Map<String, CumulativeValue> totals =
          CountedTotals.await(
              app.stores(),
              150,
              Duration.ofMinutes(3),
              t -> CountedTotals.sum(t, "ack_timeouts_total") == 150);

      assertThat(CountedTotals.sum(totals, "ack_timeouts_total")).isEqualTo(150);
      assertThat(app.streams().state()).isEqualTo(KafkaStreams.State.RUNNING);
      assertThat(app.deadReason()).isEmpty();
      try (Admin admin =
          Admin.create(
              Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
        String changelog = appId + "-" + StoreNames.SEEN + "-changelog";
        assertThat(
                admin
                    .describeTopics(List.of(changelog))
                    .allTopicNames()
                    .get()
                    .get(changelog)
                    .partitions())
            .as("partitions of " + changelog)
            .hasSize(3);
      }
    }
  }

  private static KafkaProducer<byte[], byte[]> producer() {
    return new KafkaProducer<>(
        Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
        new ByteArraySerializer(),
        new ByteArraySerializer());
  }

  private static void send(
      KafkaProducer<byte[], byte[]> producer, String topic, int partition, int events, String id)
      throws Exception {
    for (int i = 0; i < events; i++) {
      String event =
          "{\"type\":\"ack.timeout\",\"schema_version\":1,\"service\":\"im-gateway\","
              + "\"instance\":\"gw-1\",\"event_id\":\""
              + id
              + "-"
              + i
              + "\",\"timestamp\":\""
              + Instant.now()
              + "\"}";
      producer.send(
          new ProducerRecord<>(topic, partition, null, event.getBytes(StandardCharsets.UTF_8)));
    }
    producer.flush();
  }
}
