package dev.tally.exporter.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.junit.jupiter.api.Test;

class StreamsReadinessTest {
  private static final String THREAD = "tally-1b2c-StreamThread-";

  @Test
  void shouldBeDisconnectedWhenNoMainConsumerHoldsAConnection() {
    Map<MetricName, Metric> metrics = new LinkedHashMap<>();
    put(metrics, "consumer-metrics", THREAD + "1-consumer", 0);
    put(metrics, "consumer-metrics", THREAD + "2-consumer", 0);
    // The restore consumer and the producer keep their connections: not a sign of progress.
    put(metrics, "consumer-metrics", THREAD + "1-restore-consumer", 1);
    put(metrics, "producer-metrics", THREAD + "1-producer", 2);

    assertThat(StreamsReadiness.disconnected(metrics)).isTrue();
  }

  @Test
  void shouldBeConnectedWhileAnyMainConsumerHoldsAConnection() {
    Map<MetricName, Metric> metrics = new LinkedHashMap<>();
    put(metrics, "consumer-metrics", THREAD + "1-consumer", 0);
    put(metrics, "consumer-metrics", THREAD + "2-consumer", 2);

    assertThat(StreamsReadiness.disconnected(metrics)).isFalse();
  }

  @Test
  void shouldNotClaimADisconnectWithoutAnyMainConsumerMetric() {
    Map<MetricName, Metric> metrics = new LinkedHashMap<>();
    put(metrics, "consumer-metrics", THREAD + "1-restore-consumer", 0);

    assertThat(StreamsReadiness.disconnected(metrics)).isFalse();
  }

  private static void put(Map<MetricName, Metric> metrics, String group, String client, int n) {
    MetricName name = new MetricName("connection-count", group, "", Map.of("client-id", client));
    metrics.put(
        name,
        new Metric() {
          @Override
          public MetricName metricName() {
            return name;
          }

          @Override
          public Object metricValue() {
            return (double) n;
          }
        });
  }
}
