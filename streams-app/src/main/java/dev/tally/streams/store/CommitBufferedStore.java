package dev.tally.streams.store;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.internals.CachedStateStore;

/**
 * A key-value state store that keeps its values as objects and writes each entry that changed to
 * its changelog once per commit, not once per update.
 *
 * <p>{@link #put} and {@link #delete} only change the objects and remember the key. Kafka Streams
 * calls {@link #flushCache()} on every store before it commits a task (Kafka Streams' own record
 * cache uses the same hook), and there this store serializes each changed entry into a logged,
 * in-memory bytes store. Under exactly-once those changelog records, the records the task sent and
 * its input offsets commit in one transaction; a crash rolls them back together, and the restored
 * changelog then holds exactly the objects of the last commit. An entry written and deleted between
 * two commits never reaches the changelog.
 *
 * <p>Reads come from the objects. After Kafka Streams restored the changelog into the bytes store,
 * the owning processor calls {@link #reload()} from its {@code init} (also when a standby copy
 * becomes active), which decodes what the last commit left.
 *
 * <p>{@link CachedStateStore} is an internal interface of Kafka Streams (4.3); {@code
 * ProcessorStateManager.flushCache()} calls it inside {@code StreamTask.prepareCommit}, before the
 * producer commits. The public {@link StateStore#commit} would not do: in 4.3 it runs from {@code
 * postCommit}, after the transaction has committed, so writes made there would fall into the next
 * one. {@code TallyCrashIT} fails when these writes are skipped, so a Kafka Streams upgrade that
 * stops calling it cannot go unnoticed.
 *
 * @param <K> key, with {@code equals}/{@code hashCode} by value
 * @param <V> value; a value changed in place must be {@link #put} again to be persisted
 */
public final class CommitBufferedStore<K, V> extends CommitFlushedStore<K, V> {
  private final Serde<K> keySerde;
  private final Serde<V> valueSerde;
  private final Map<K, V> values = new HashMap<>();
  // Keys changed since the last commit, and keys whose latest changelog record is a value (so a
  // delete must be logged as a tombstone; a key never logged needs none).
  private final Set<K> dirty = new HashSet<>();
  private final Set<K> persisted = new HashSet<>();
  private final String topic;

  private CommitBufferedStore(
      KeyValueStore<Bytes, byte[]> logged, Serde<K> keySerde, Serde<V> valueSerde) {
    super(logged);
    this.topic = logged.name() + "-changelog";
    this.keySerde = keySerde;
    this.valueSerde = valueSerde;
  }

  /**
   * A builder of the store named {@code name}, changelogged ({@code <application.id>-<name>
   * -changelog}, compacted) with the records {@code keySerde} and {@code valueSerde} write: the
   * same changelog a logged key-value store of these serdes would have.
   */
  public static <K, V> StoreBuilder<CommitBufferedStore<K, V>> builder(
      String name, Serde<K> keySerde, Serde<V> valueSerde) {
    return new LoggedWrapperBuilder<>(
        Stores.keyValueStoreBuilder(
            Stores.inMemoryKeyValueStore(name), Serdes.Bytes(), Serdes.ByteArray()),
        logged -> new CommitBufferedStore<>(logged, keySerde, valueSerde));
  }

  /** The store over {@code logged}, which the caller initialises through it: for tests. */
  static <K, V> CommitBufferedStore<K, V> over(
      KeyValueStore<Bytes, byte[]> logged, Serde<K> keySerde, Serde<V> valueSerde) {
    return new CommitBufferedStore<>(logged, keySerde, valueSerde);
  }

  /** The value of {@code key}, or null. */
  public V get(K key) {
    return values.get(key);
  }

  /** Sets {@code key}'s value; it reaches the changelog at the next commit. */
  public void put(K key, V value) {
    values.put(Objects.requireNonNull(key), Objects.requireNonNull(value));
    dirty.add(key);
  }

  /** Removes {@code key}; a tombstone reaches the changelog at the next commit if needed. */
  public void delete(K key) {
    if (values.remove(key) != null || persisted.contains(key)) {
      dirty.add(key);
    }
  }

  /** Visits every entry; the visitor must not change the store. */
  public void forEach(BiConsumer<? super K, ? super V> visitor) {
    values.forEach(visitor);
  }

  public int size() {
    return values.size();
  }

  /**
   * Replaces the objects by the decoded contents of the changelogged bytes store: what the last
   * commit (or the restored changelog) left.
   */
  public void reload() {
    values.clear();
    dirty.clear();
    persisted.clear();
    try (KeyValueIterator<Bytes, byte[]> all = logged.all()) {
      all.forEachRemaining(
          kv -> {
            K key = keySerde.deserializer().deserialize(topic, kv.key.get());
            values.put(key, valueSerde.deserializer().deserialize(topic, kv.value));
            persisted.add(key);
          });
    }
  }

  /** Writes every entry changed since the last commit to the logged store, hence its changelog. */
  @Override
  public void flushCache() {
    if (dirty.isEmpty()) {
      return;
    }
    writes.run(
        () -> {
          for (K key : dirty) {
            Bytes keyBytes = Bytes.wrap(keySerde.serializer().serialize(topic, key));
            V value = values.get(key);
            if (value != null) {
              logged.put(keyBytes, valueSerde.serializer().serialize(topic, value));
              persisted.add(key);
            } else if (persisted.remove(key)) {
              logged.delete(keyBytes);
            }
          }
          dirty.clear();
        });
  }

  @Override
  void clearContents() {
    values.clear();
    dirty.clear();
    persisted.clear();
  }
}
