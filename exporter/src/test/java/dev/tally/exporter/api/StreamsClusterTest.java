package dev.tally.exporter.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.streams.commit.CommittedView;
import dev.tally.streams.query.LocalMetricStores;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class StreamsClusterTest {
  /**
   * /api/v1/instances answers when Kafka Streams has stopped (after a fatal error, or closed): this
   * instance, holding nothing, with its state; Kafka Streams itself refuses metadata then.
   */
  @Test
  void shouldListItselfHoldingNothingOnceKafkaStreamsHasStopped() {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "tally-stopped-" + System.nanoTime());
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:1");
    StreamsBuilder builder = new StreamsBuilder();
    builder.stream("events.x");
    try (KafkaStreams streams = new KafkaStreams(builder.build(), props)) {
      streams.close(Duration.ofSeconds(5));
      StreamsCluster cluster =
          new StreamsCluster(
              streams,
              new LocalMetricStores(streams, CommittedView.disabled()),
              4,
              "self:8080",
              List.of("cumulative"));
      assertThat(cluster.localState()).isEqualTo("NOT_RUNNING");
      assertThat(cluster.instances())
          .singleElement()
          .satisfies(
              i -> {
                assertThat(i.server()).isEqualTo("self:8080");
                assertThat(i.activePartitions()).isEmpty();
              });
    }
  }
}
