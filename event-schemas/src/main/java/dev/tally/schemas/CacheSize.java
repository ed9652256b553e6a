package dev.tally.schemas;

import java.util.Objects;

/**
 * A sample of a cache's current size.
 *
 * <p>Wire type {@code cache.size}; see {@link EventType#CACHE_SIZE}.
 *
 * @param envelope the fields shared by every event
 * @param cache the cache name or kind
 * @param bytes bytes held by the cache
 * @param entries entries held by the cache, or {@code null}
 */
public record CacheSize(Envelope envelope, String cache, long bytes, Long entries)
    implements Event {
  public CacheSize {
    envelope = Events.requireType(envelope, EventType.CACHE_SIZE);
    Objects.requireNonNull(cache, "cache");
  }
}
