package dev.tally.schemas;

import java.util.Objects;

/**
 * A cache lookup did not find its entry.
 *
 * <p>Wire type {@code cache.miss}; see {@link EventType#CACHE_MISS}.
 *
 * @param envelope the fields shared by every event
 * @param cache the cache name or kind, e.g. {@code redis}
 */
public record CacheMiss(Envelope envelope, String cache) implements Event {
  public CacheMiss {
    envelope = Events.requireType(envelope, EventType.CACHE_MISS);
    Objects.requireNonNull(cache, "cache");
  }
}
