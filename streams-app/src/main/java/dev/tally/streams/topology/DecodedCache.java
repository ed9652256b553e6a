package dev.tally.streams.topology;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The owner's decoded values of its most recently updated keys, in front of one store: a hit saves
 * decoding the stored bytes (for histograms, the whole bucket set) on every partial. Least recently
 * used keys go first once {@code capacity} is reached.
 *
 * <p>The owner is its store's only writer and puts every value it writes here too, so an entry is
 * always the stored value; the cache is emptied whenever the task (re)starts, when the store may
 * have been restored from the changelog. Values are mutated in place by the owner before it writes
 * them back; Kafka Streams serializes a value when it is put, so the store never shares the object.
 */
final class DecodedCache<K, V> {
  private final Map<K, V> entries;

  DecodedCache(int capacity) {
    this.entries =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
            return size() > capacity;
          }
        };
  }

  V get(K key) {
    return entries.get(key);
  }

  void put(K key, V value) {
    entries.put(key, value);
  }

  void remove(K key) {
    entries.remove(key);
  }

  void clear() {
    entries.clear();
  }
}
