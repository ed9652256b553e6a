package dev.tally.streams.store;

import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;

/**
 * A store of Tally's own that keeps its contents as objects and writes what changed into a logged
 * bytes store in Kafka Streams' pre-commit hook ({@link #flushCache()}, see {@link
 * CommitBufferedStore} for why that hook). Here is what such stores share: the name, the lifecycle
 * and the commit delegated to the logged store, and no cache of Kafka Streams' to clear or listen
 * to.
 *
 * @param <K> the {@link CachedStateStore} key type (unused: nothing listens)
 * @param <V> the {@link CachedStateStore} value type (unused)
 */
abstract class CommitFlushedStore<K, V> implements StateStore, CachedStateStore<K, V> {
  final KeyValueStore<Bytes, byte[]> logged;

  /** Set in {@link #init}: runs the pre-commit writes under a record context of their own. */
  CommitWrites writes;

  CommitFlushedStore(KeyValueStore<Bytes, byte[]> logged) {
    this.logged = logged;
  }

  /** Drops the in-memory contents: when the store is opened (before a restore) and closed. */
  abstract void clearContents();

  @Override
  public final void clearCache() {
    // Nothing to drop: the objects are the store's contents, not a cache in front of them.
  }

  @Override
  public final boolean setFlushListener(CacheFlushListener<K, V> listener, boolean sendOldValues) {
    return false;
  }

  @Override
  public final String name() {
    return logged.name();
  }

  @Override
  public final void init(StateStoreContext stateStoreContext, StateStore root) {
    clearContents();
    writes = CommitWrites.of(stateStoreContext);
    logged.init(stateStoreContext, root);
  }

  @Override
  public final void commit(Map<TopicPartition, Long> changelogOffsets) {
    logged.commit(changelogOffsets);
  }

  @Override
  public final void close() {
    clearContents();
    logged.close();
  }

  @Override
  public final boolean persistent() {
    return logged.persistent();
  }

  @Override
  public final boolean isOpen() {
    return logged.isOpen();
  }
}
