package dev.tally.streams.query;

import dev.tally.streams.config.WindowSpec;
import dev.tally.streams.series.SeriesKey;
import dev.tally.streams.store.Aggregate;
import dev.tally.streams.store.Cumulative;
import dev.tally.streams.store.GaugeKey;
import dev.tally.streams.store.GaugeSample;
import dev.tally.streams.topology.StoreNames;
import java.time.Instant;
import java.util.function.BiConsumer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyWindowStore;

/**
 * {@link MetricStores} over the local active stores of a running {@link KafkaStreams}. Kafka
 * Streams only hands out active stores here (stale stores are not enabled), which keeps standby
 * copies out of the exposition. Throws {@link
 * org.apache.kafka.streams.errors.InvalidStateStoreException} while the instance is rebalancing or
 * restoring; callers answer "not ready" then.
 */
public final class LocalMetricStores implements MetricStores {
  private final KafkaStreams streams;

  public LocalMetricStores(KafkaStreams streams) {
    this.streams = streams;
  }

  @Override
  public void forEachCumulative(BiConsumer<SeriesKey, Cumulative> visitor) {
    ReadOnlyKeyValueStore<SeriesKey, Cumulative> store =
        streams.store(
            StoreQueryParameters.fromNameAndType(
                StoreNames.CUMULATIVE, QueryableStoreTypes.<SeriesKey, Cumulative>keyValueStore()));
    try (KeyValueIterator<SeriesKey, Cumulative> all = store.all()) {
      all.forEachRemaining(kv -> visitor.accept(kv.key, kv.value));
    }
  }

  @Override
  public void forEachGauge(BiConsumer<GaugeKey, GaugeSample> visitor) {
    ReadOnlyKeyValueStore<GaugeKey, GaugeSample> store =
        streams.store(
            StoreQueryParameters.fromNameAndType(
                StoreNames.GAUGES, QueryableStoreTypes.<GaugeKey, GaugeSample>keyValueStore()));
    try (KeyValueIterator<GaugeKey, GaugeSample> all = store.all()) {
      all.forEachRemaining(kv -> visitor.accept(kv.key, kv.value));
    }
  }

  @Override
  public void forEachInWindow(
      WindowSpec spec, long startMs, BiConsumer<SeriesKey, Aggregate> visitor) {
    ReadOnlyWindowStore<SeriesKey, Aggregate> store =
        streams.store(
            StoreQueryParameters.fromNameAndType(
                StoreNames.window(spec), QueryableStoreTypes.<SeriesKey, Aggregate>windowStore()));
    try (KeyValueIterator<Windowed<SeriesKey>, Aggregate> all =
        store.fetchAll(Instant.ofEpochMilli(startMs), Instant.ofEpochMilli(startMs))) {
      while (all.hasNext()) {
        KeyValue<Windowed<SeriesKey>, Aggregate> kv = all.next();
        if (kv.key.window().start() == startMs) {
          visitor.accept(kv.key.key(), kv.value);
        }
      }
    }
  }
}
