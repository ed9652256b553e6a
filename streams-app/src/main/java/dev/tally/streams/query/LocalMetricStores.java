package dev.tally.streams.query;

import dev.tally.streams.commit.CommittedView;
import dev.tally.streams.config.WindowSpec;
import dev.tally.streams.series.SeriesKey;
import dev.tally.streams.store.Aggregate;
import dev.tally.streams.store.Cumulative;
import dev.tally.streams.store.GaugeKey;
import dev.tally.streams.store.GaugeSample;
import dev.tally.streams.store.GaugeWindow;
import dev.tally.streams.store.WindowKey;
import dev.tally.streams.topology.StoreNames;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.LagInfo;
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
 * {@link MetricStores} over the local stores of a running {@link KafkaStreams}, read one series
 * partition at a time ({@link StoreQueryParameters#withPartition}). Values are as of the last
 * committed transaction ({@link CommittedView}): a value a crash could still take back is never
 * visited.
 *
 * <p>By default it reads every series partition this instance holds as a running active task, the
 * exporter's scope: a series is read by its one owner. {@link #partitions} narrows it to given
 * partitions (the query API's fan-out), optionally reading standby copies ("stale stores").
 *
 * <p>A partition that cannot be read (moving, restoring, not here, not active when active is
 * required) makes the whole read fail with {@link PartitionsUnavailableException} before anything
 * is visited: a partial answer would be a wrong one. A partition whose store closes while it is
 * being read (its task moves to another instance, or is closed or recycled) fails the read the same
 * way, part-way through: Kafka Streams opens a partition's store iterator only at its first {@code
 * hasNext()}, and one whose store closes throws {@link InvalidStateStoreException} from then on.
 * While the instance is not running it throws {@link InvalidStateStoreException}. A running
 * instance that owns no series (more instances than partitions) visits nothing.
 *
 * <p>Interactive Queries v2 ({@code KafkaStreams.query} with a {@code RangeQuery}) would fit, but
 * on Kafka Streams 4.3 a range query on a RocksDB store can deadlock with the stream thread writing
 * to it (the query takes the store's position lock, then the store's; a write the other way round:
 * KAFKA-19629, seen in TallyCrashIT's thread dump). Store iterators of the classic API take the
 * store's lock only.
 */
public final class LocalMetricStores implements MetricStores {
  private static final Logger LOG = LoggerFactory.getLogger(LocalMetricStores.class);

  private final KafkaStreams streams;
  private final CommittedView view;
  private final LongAdder undecodable;

  /** The partitions to read, or null for the local running active ones. */
  private final Set<Integer> partitions;

  private final boolean allowStandby;

  /**
   * @param view the view the owner processors of {@code streams} report to ({@code
   *     TallyApp.stores()} passes the right one)
   */
  public LocalMetricStores(KafkaStreams streams, CommittedView view) {
    this(streams, view, new LongAdder(), null, false);
  }

  private LocalMetricStores(
      KafkaStreams streams,
      CommittedView view,
      LongAdder undecodable,
      Set<Integer> partitions,
      boolean allowStandby) {
    this.streams = streams;
    this.view = view;
    this.undecodable = undecodable;
    this.partitions = partitions;
    this.allowStandby = allowStandby;
  }

  /**
   * The same stores, reading exactly the series partitions {@code partitions}: each must be here as
   * a running active task, or, with {@code allowStandby}, as a standby copy (which may lag: see
   * {@link #offsetLags}).
   */
  public LocalMetricStores partitions(Set<Integer> partitions, boolean allowStandby) {
    return new LocalMetricStores(streams, view, undecodable, Set.copyOf(partitions), allowStandby);
  }

  /** Records skipped because they could not be decoded, since this reader was created. */
  public long undecodableRecords() {
    return undecodable.sum();
  }

  /**
   * How many records each local copy of the cumulative store is behind its changelog's end, by
   * series partition (0 for a caught-up active task), as Kafka Streams last measured it.
   */
  public Map<Integer, Long> offsetLags() {
    Map<Integer, LagInfo> lags =
        streams.allLocalStorePartitionLags().getOrDefault(StoreNames.CUMULATIVE, Map.of());
    Map<Integer, Long> result = new HashMap<>();
    lags.forEach((partition, lag) -> result.put(partition, lag.offsetLag()));
    return result;
  }

  @Override
  public void cumulative(SeriesSelector selector, BiConsumer<SeriesKey, CumulativeValue> visitor) {
    String store = StoreNames.CUMULATIVE;
    forEach(
        store,
        partition -> this.<SeriesKey, Cumulative>keyValueStore(store, partition).all(),
        (SeriesKey key, Cumulative value) -> {
          if (selector.matches(key)) {
            Cumulative shown = view.read(store, key, value);
            if (shown == value) {
              visitor.accept(key, CumulativeValue.of(value));
            } else if (shown != null) {
              // A remembered (committed) value is shared with the view: hand out a copy.
              visitor.accept(key, CumulativeValue.of(copy(shown)));
            }
          }
        });
  }

  @Override
  public void gauges(SeriesSelector selector, BiConsumer<GaugeKey, GaugeSample> visitor) {
    String store = StoreNames.GAUGES;
    forEach(
        store,
        partition -> this.<GaugeKey, GaugeSample>keyValueStore(store, partition).all(),
        (GaugeKey key, GaugeSample value) -> {
          if (selector.matches(key.series())) {
            GaugeSample shown = view.read(store, key, value);
            if (shown != null) {
              visitor.accept(key, shown);
            }
          }
        });
  }

  @Override
  public void windows(
      WindowSpec spec,
      long fromStartMs,
      long toStartMs,
      SeriesSelector selector,
      WindowVisitor visitor) {
    String store = StoreNames.window(spec);
    forEach(
        store,
        partition ->
            this.<SeriesKey, Aggregate>windowStore(store, partition)
                .fetchAll(Instant.ofEpochMilli(fromStartMs), Instant.ofEpochMilli(toStartMs)),
        (Windowed<SeriesKey> key, Aggregate value) -> {
          long start = key.window().start();
          if (start < fromStartMs || start > toStartMs || !selector.matches(key.key())) {
            return;
          }
          Aggregate shown = view.read(store, new WindowKey(key.key(), start), value);
          if (shown != null) {
            // A remembered (committed) value is shared with the view: hand out a copy.
            visitor.accept(
                key.key(), start, AggregateValue.of(shown == value ? value : shown.copy()));
          }
        });
  }

  @Override
  public void gaugeWindows(
      WindowSpec spec,
      long fromStartMs,
      long toStartMs,
      SeriesSelector selector,
      GaugeWindowVisitor visitor) {
    String store = StoreNames.gaugeWindow(spec);
    forEach(
        store,
        partition ->
            this.<SeriesKey, GaugeWindow>windowStore(store, partition)
                .fetchAll(Instant.ofEpochMilli(fromStartMs), Instant.ofEpochMilli(toStartMs)),
        (Windowed<SeriesKey> key, GaugeWindow value) -> {
          long start = key.window().start();
          if (start < fromStartMs || start > toStartMs || !selector.matches(key.key())) {
            return;
          }
          GaugeWindow shown = view.read(store, new WindowKey(key.key(), start), value);
          if (shown != null) {
            visitor.accept(key.key(), start, shown);
          }
        });
  }

  /**
   * Opens {@code store}'s iterator on every partition of the scope, then visits them; visits
   * nothing unless every partition could be opened, and closes every iterator.
   *
   * @throws PartitionsUnavailableException naming the partitions that could not be opened, or the
   *     one whose iterator failed part-way (after some entries were visited: discard them)
   */
  <K, V> void forEach(
      String store, IntFunction<KeyValueIterator<K, V>> open, BiConsumer<K, V> visitor) {
    Set<Integer> scope = scope();
    if (scope.isEmpty()) {
      return;
    }
    Map<Integer, KeyValueIterator<K, V>> iterators = new LinkedHashMap<>();
    Map<Integer, String> failures = new HashMap<>();
    try {
      for (int partition : scope) {
        try {
          iterators.put(partition, open.apply(partition));
        } catch (InvalidStateStoreException e) {
          failures.put(partition, e.getMessage());
        }
      }
      if (!failures.isEmpty()) {
        throw new PartitionsUnavailableException(failures);
      }
      iterators.forEach(
          (partition, iterator) -> {
            try {
              forEachDecodable(iterator, store, visitor);
            } catch (InvalidStateStoreException e) {
              // The store closed under the iterator: its task moved, closed or was recycled.
              throw new PartitionsUnavailableException(
                  Map.of(partition, "closed while it was read: " + e.getMessage()));
            }
          });
    } finally {
      iterators.values().forEach(iterator -> close(iterator, store));
    }
  }

  /**
   * Closes {@code iterator}; a failure to close is logged, so that the other iterators are closed
   * too and a read that has already failed keeps its own exception.
   */
  private static void close(KeyValueIterator<?, ?> iterator, String store) {
    try {
      iterator.close();
    } catch (RuntimeException e) {
      LOG.debug("could not close an iterator of store {}: {}", store, e.toString());
    }
  }

  /**
   * One partition's copy of a key-value store: the running active task's, or with {@code
   * allowStandby} a standby's (Kafka Streams' "stale stores").
   *
   * @throws InvalidStateStoreException when this instance does not hold it so now
   */
  private <K, V> ReadOnlyKeyValueStore<K, V> keyValueStore(String name, int partition) {
    return streams.store(
        parameters(
            StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<K, V>keyValueStore()),
            partition));
  }

  private <K, V> ReadOnlyWindowStore<K, V> windowStore(String name, int partition) {
    return streams.store(
        parameters(
            StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<K, V>windowStore()),
            partition));
  }

  private <T> StoreQueryParameters<T> parameters(StoreQueryParameters<T> store, int partition) {
    StoreQueryParameters<T> one = store.withPartition(partition);
    return allowStandby ? one.enableStaleStores() : one;
  }

  /** The partitions to read: the given ones, or the local running active series partitions. */
  private Set<Integer> scope() {
    if (partitions != null) {
      return partitions;
    }
    KafkaStreams.State state = streams.state();
    if (state != KafkaStreams.State.RUNNING) {
      throw new InvalidStateStoreException("Kafka Streams is " + state + ", not RUNNING");
    }
    return activeSeriesPartitions(streams);
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

  private static Cumulative copy(Cumulative c) {
    return new Cumulative(
        c.createdMs(),
        c.updatedMs(),
        c.seenMs(),
        c.aggregate() == null ? null : c.aggregate().copy());
  }

  /** The series partitions {@code streams} holds as local active tasks (owners of series). */
  public static Set<Integer> activeSeriesPartitions(KafkaStreams streams) {
    return streams.metadataForLocalThreads().stream()
        .flatMap(thread -> thread.activeTasks().stream())
        .flatMap(task -> task.topicPartitions().stream())
        .filter(partition -> StoreNames.isRepartitionTopic(partition.topic()))
        .map(partition -> partition.partition())
        .collect(Collectors.toCollection(TreeSet::new));
  }

  /**
   * Whether a local active task of {@code streams} reads the series repartition topic, that is,
   * holds metric stores.
   */
  public static boolean ownsSeries(KafkaStreams streams) {
    return !activeSeriesPartitions(streams).isEmpty();
  }
}
