package dev.tally.streams.commit;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import org.apache.kafka.streams.processor.TaskId;

/**
 * What readers of one Tally instance may see: the owner stores as of the last committed Kafka
 * transaction, never a write that a crash could still take back.
 *
 * <p>Under {@code exactly_once_v2} a task's store writes become final only when its stream thread's
 * producer commits the transaction. Kafka Streams flushes the stores (caches into RocksDB, {@code
 * StateStore.flush()}/{@code commit()}) in {@code StreamTask.prepareCommit()}, <em>before</em>
 * {@code StreamsProducer.commitTransaction()}; a crash between the two aborts the transaction, and
 * the restarted task restores the older, committed values from the changelog. Interactive queries
 * read the live stores (cache included), so they would show values that may yet disappear, and a
 * Prometheus counter would step backwards.
 *
 * <p>So before the first write to a key after a commit, the owner {@linkplain Overlay#remember
 * remembers} the key's committed value in an {@link Overlay}; readers look every key up there after
 * reading the store and use the remembered value when there is one. When the producer of a stream
 * thread has committed ({@link #committed(Thread)}, called by {@link
 * CommitNotifyingClientSupplier}), the overlays that thread wrote are cleared: their keys' store
 * values are now committed. The overlay holds only the keys written since the last commit, so it is
 * bounded by the commit interval, and the cost for freshness is one commit interval ({@code
 * commit.interval.ms}).
 *
 * <p>Deletes are not masked: a deleted key disappears for readers at once (only expired gauge
 * sources are deleted, which may vanish one commit early). Under {@code at_least_once} nothing is
 * transactional and the view is {@linkplain #disabled() off}.
 *
 * <p>One instance per Kafka Streams client; nothing here is process-global.
 */
public final class CommittedView {
  private final boolean enabled;
  private final Map<String, Map<TaskId, Overlay<?, ?>>> byStore = new ConcurrentHashMap<>();

  private CommittedView(boolean enabled) {
    this.enabled = enabled;
  }

  /** A view that masks uncommitted writes: for {@code exactly_once_v2}. */
  public static CommittedView exactlyOnce() {
    return new CommittedView(true);
  }

  /** A view that masks nothing: for {@code at_least_once}, where there is no transaction. */
  public static CommittedView disabled() {
    return new CommittedView(false);
  }

  public boolean enabled() {
    return enabled;
  }

  /**
   * Registers a fresh overlay for {@code store} of {@code task}, replacing the one an earlier
   * incarnation of the task left behind. Call it from {@code Processor.init}: Kafka Streams calls
   * that after the task's stores are restored to their committed state and before interactive
   * queries can reach them.
   *
   * @param copy makes an independent copy of a value, so that later in-place changes to the value
   *     read from the store do not change what is remembered
   */
  public <K, V> Overlay<K, V> open(String store, TaskId task, UnaryOperator<V> copy) {
    Overlay<K, V> overlay = new Overlay<>(enabled, copy);
    if (enabled) {
      byStore.computeIfAbsent(store, s -> new ConcurrentHashMap<>()).put(task, overlay);
    }
    return overlay;
  }

  /**
   * Unregisters the overlay of {@code store} of {@code task} if it holds nothing: the task was
   * closed after a commit. One that still holds values was closed without a commit (its transaction
   * aborts) and keeps masking until the task is opened again.
   */
  public void close(String store, TaskId task) {
    Map<TaskId, Overlay<?, ?>> tasks = byStore.get(store);
    if (tasks != null) {
      tasks.computeIfPresent(
          task,
          (t, overlay) -> {
            if (overlay.isEmpty()) {
              return null;
            }
            overlay.close();
            return overlay;
          });
    }
  }

  /** The transaction of {@code streamThread}'s producer committed: its writes are now visible. */
  public void committed(Thread streamThread) {
    for (Map<TaskId, Overlay<?, ?>> tasks : byStore.values()) {
      for (Overlay<?, ?> overlay : tasks.values()) {
        overlay.committedBy(streamThread);
      }
    }
  }

  /**
   * The committed value of {@code key} in {@code store}, given {@code current}, the value just read
   * from the store: {@code current} unless the key was written since the last commit, then the
   * remembered value ({@code null} if the key did not exist then). Read the store first, then call
   * this: the owner remembers before it writes, so a value read from the store that is not yet
   * committed always finds its key here.
   */
  public <K, V> V read(String store, K key, V current) {
    if (!enabled) {
      return current;
    }
    Map<TaskId, Overlay<?, ?>> tasks = byStore.get(store);
    if (tasks == null) {
      return current;
    }
    for (Overlay<?, ?> overlay : tasks.values()) {
      @SuppressWarnings("unchecked")
      Overlay<K, V> typed = (Overlay<K, V>) overlay;
      Overlay.Remembered<V> remembered = typed.lookup(key);
      if (remembered != null) {
        return remembered.value();
      }
    }
    return current;
  }
}
