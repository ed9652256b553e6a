package dev.tally.exporter.streams;

import dev.tally.exporter.http.Readiness;
import dev.tally.streams.query.LocalMetricStores;
import dev.tally.streams.topology.StoreNames;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;

/**
 * Ready when the Kafka Streams client is {@code RUNNING}, reaches the cluster, and its stores can
 * be queried: not while it starts, rebalances, restores a store, cannot reach any broker, or after
 * it stopped. An instance that owns no series (more instances than partitions, or only routing
 * tasks here) has no stores to wait for and is ready once running.
 */
public final class StreamsReadiness implements Supplier<Readiness> {
  private final KafkaStreams streams;

  private StreamsReadiness(KafkaStreams streams) {
    this.streams = streams;
  }

  public static StreamsReadiness of(KafkaStreams streams) {
    return new StreamsReadiness(streams);
  }

  @Override
  public Readiness get() {
    KafkaStreams.State state = streams.state();
    if (state != KafkaStreams.State.RUNNING) {
      return Readiness.notReady("Kafka Streams is " + state);
    }
    // Kafka Streams stays RUNNING through a broker outage; its consumers' connections tell.
    if (disconnected(streams.metrics())) {
      return Readiness.notReady("no connection to any Kafka broker: cannot read or commit");
    }
    try {
      streams
          .store(
              StoreQueryParameters.fromNameAndType(
                  StoreNames.CUMULATIVE, QueryableStoreTypes.keyValueStore()))
          .approximateNumEntries();
      return Readiness.READY;
    } catch (InvalidStateStoreException e) {
      if (!LocalMetricStores.ownsSeries(streams)) {
        return Readiness.READY;
      }
      return Readiness.notReady("stores are not queryable yet: " + e.getMessage());
    }
  }

  /**
   * Whether no stream thread's main consumer holds a connection to a broker: the cluster is down or
   * out of reach, so nothing can be read, counted or committed. Read from the consumers' own {@code
   * connection-count} metric, so that a probe costs no request. A consumer polls without pause and
   * reconnects within {@code reconnect.backoff.max.ms} (1 s) once a broker answers again.
   */
  static boolean disconnected(Map<MetricName, ? extends Metric> metrics) {
    boolean anyConsumer = false;
    for (Map.Entry<MetricName, ? extends Metric> e : metrics.entrySet()) {
      MetricName name = e.getKey();
      String client = name.tags().getOrDefault("client-id", "");
      if (name.name().equals("connection-count")
          && name.group().equals("consumer-metrics")
          && StreamsClients.isMainConsumer(client)) {
        anyConsumer = true;
        if (e.getValue().metricValue() instanceof Number n && n.doubleValue() > 0) {
          return false;
        }
      }
    }
    return anyConsumer;
  }
}
