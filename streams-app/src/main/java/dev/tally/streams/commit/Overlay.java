package dev.tally.streams.commit;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * The committed values of one task's store for the keys written since the task's last commit; see
 * {@link CommittedView}. Written by the task's stream thread, read by any thread.
 */
public final class Overlay<K, V> {
  private final boolean enabled;
  private final UnaryOperator<V> copy;
  private final Map<K, Remembered<V>> committed = new ConcurrentHashMap<>();
  private volatile Thread writer;
  // Closed without a commit: its task's transaction aborts, so nothing here ever becomes
  // committed; it masks until the task is opened again and replaces it.
  private volatile boolean closed;

  Overlay(boolean enabled, UnaryOperator<V> copy) {
    this.enabled = enabled;
    this.copy = copy;
  }

  /** A remembered committed value; {@code value} is null when the key did not exist. */
  record Remembered<V>(V value) {}

  /**
   * Call before writing {@code key}, with the value the store holds for it now ({@code null} when
   * absent). Only the first call per key after a commit remembers: that value is the committed one.
   */
  public void remember(K key, V storeValue) {
    if (!enabled) {
      return;
    }
    writer = Thread.currentThread();
    committed.computeIfAbsent(
        key, k -> new Remembered<>(storeValue == null ? null : copy.apply(storeValue)));
  }

  Remembered<V> lookup(Object key) {
    return committed.get(key);
  }

  boolean isEmpty() {
    return committed.isEmpty();
  }

  void close() {
    closed = true;
  }

  void committedBy(Thread thread) {
    if (writer == thread && !closed) {
      committed.clear();
    }
  }
}
