package dev.tally.exporter.streams;

import dev.tally.exporter.http.Readiness;
import dev.tally.streams.query.LocalMetricStores;
import dev.tally.streams.topology.StoreNames;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;

/**
 * Ready when the Kafka Streams client is {@code RUNNING} and its stores can be queried: not while
 * it starts, rebalances, restores a store, or after it stopped. An instance that owns no series
 * (more instances than partitions, or only routing tasks here) has no stores to wait for and is
 * ready once running.
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
}
