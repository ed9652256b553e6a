package dev.tally.streams.query;

import dev.tally.streams.commit.CommittedView;
import dev.tally.streams.config.WindowSpec;
import dev.tally.streams.series.SeriesKey;
import dev.tally.streams.store.Aggregate;
import dev.tally.streams.store.Cumulative;
import dev.tally.streams.store.GaugeKey;
import dev.tally.streams.store.GaugeSample;
import dev.tally.streams.store.WindowKey;
import dev.tally.streams.topology.StoreNames;
import java.time.Instant;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyWindowStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link MetricStores} over the local active stores of a running {@link KafkaStreams}, as of the
 * last committed transaction ({@link CommittedView}): a value a crash could still take back is
 * never visited. Kafka Streams only hands out active stores here (stale stores are not enabled),
 * which keeps standby copies out of the exposition. Throws {@link InvalidStateStoreException} while
 * the instance is rebalancing or restoring; callers answer "not ready" then. A running instance
 * that owns no series (more instances than partitions, or only routing tasks here) has nothing to
 * read: it visits nothing rather than throwing.
 */
public final class LocalMetricStores implements MetricStores {
  private static final Logger LOG = LoggerFactory.getLogger(LocalMetricStores.class);

  private final KafkaStreams streams;
  private final CommittedView view;
  private final LongAdder undecodable = new LongAdder();

  /**
   * @param view the view the owner processors of {@code streams} report to ({@code
   *     TallyApp.stores()} passes the right one)
   */
  public LocalMetricStores(KafkaStreams streams, CommittedView view) {
    this.streams = streams;
    this.view = view;
  }

  /** Records skipped because they could not be decoded, since this reader was created. */
  public long undecodableRecords() {
    return undecodable.sum();
  }

  /**
   * Visits every entry it can decode. One record that cannot be decoded (a bug, or a record written
   * by an incompatible version) is skipped, counted and logged, so it does not hide every other
   * series of the store. The store iterator has moved past a record before decoding it.
   */
  <K, V> void forEachDecodable(KeyValueIterator<K, V> all, String store, BiConsumer<K, V> visitor) {
    while (all.hasNext()) {
      KeyValue<K, V> kv;
      try {
        kv = all.next();
      } catch (SerializationException e) {
        undecodable.increment();
        LOG.warn("skipped an undecodable record of store {}: {}", store, e.getMessage());
        continue;
      }
      visitor.accept(kv.key, kv.value);
    }
  }

  @Override
  public void forEachCumulative(BiConsumer<SeriesKey, Cumulative> visitor) {
    forEachInKeyValueStore(StoreNames.CUMULATIVE, visitor);
  }

  @Override
  public void forEachGauge(BiConsumer<GaugeKey, GaugeSample> visitor) {
    forEachInKeyValueStore(StoreNames.GAUGES, visitor);
  }

  private <K, V> void forEachInKeyValueStore(String name, BiConsumer<K, V> visitor) {
    BiConsumer<K, V> committed =
        (key, value) -> {
          V shown = view.read(name, key, value);
          if (shown != null) {
            visitor.accept(key, shown);
          }
        };
    unlessNothingToRead(
        () -> {
          ReadOnlyKeyValueStore<K, V> store =
              streams.store(
                  StoreQueryParameters.fromNameAndType(
                      name, QueryableStoreTypes.<K, V>keyValueStore()));
          try (KeyValueIterator<K, V> all = store.all()) {
            forEachDecodable(all, name, committed);
          }
        });
  }

  @Override
  public void forEachInWindow(
      WindowSpec spec, long startMs, BiConsumer<SeriesKey, Aggregate> visitor) {
    unlessNothingToRead(
        () -> {
          ReadOnlyWindowStore<SeriesKey, Aggregate> store =
              streams.store(
                  StoreQueryParameters.fromNameAndType(
                      StoreNames.window(spec),
                      QueryableStoreTypes.<SeriesKey, Aggregate>windowStore()));
          try (KeyValueIterator<Windowed<SeriesKey>, Aggregate> all =
              store.fetchAll(Instant.ofEpochMilli(startMs), Instant.ofEpochMilli(startMs))) {
            forEachDecodable(
                all,
                StoreNames.window(spec),
                (key, value) -> {
                  if (key.window().start() == startMs) {
                    Aggregate shown =
                        view.read(
                            StoreNames.window(spec), new WindowKey(key.key(), startMs), value);
                    if (shown != null) {
                      visitor.accept(key.key(), shown);
                    }
                  }
                });
          }
        });
  }

  /**
   * Runs {@code read}; when Kafka Streams cannot hand out the store, that is "not queryable yet"
   * (rethrown) unless the instance is running and simply owns no series, so has nothing to read.
   */
  private void unlessNothingToRead(Runnable read) {
    try {
      read.run();
    } catch (InvalidStateStoreException e) {
      if (streams.state() != KafkaStreams.State.RUNNING || ownsSeries(streams)) {
        throw e;
      }
    }
  }

  /**
   * Whether a local active task of {@code streams} reads the series repartition topic, that is,
   * holds metric stores.
   */
  public static boolean ownsSeries(KafkaStreams streams) {
    return streams.metadataForLocalThreads().stream()
        .flatMap(thread -> thread.activeTasks().stream())
        .flatMap(task -> task.topicPartitions().stream())
        .anyMatch(partition -> StoreNames.isRepartitionTopic(partition.topic()));
  }
}
