package dev.tally.schemas;

import java.util.Objects;

/**
 * A cache lookup found its entry.
 *
 * <p>Wire type {@code cache.hit}; see {@link EventType#CACHE_HIT}.
 *
 * @param envelope the fields shared by every event
 * @param cache the cache name or kind, e.g. {@code redis}
 */
public record CacheHit(Envelope envelope, String cache) implements Event {
  public CacheHit {
    envelope = Events.requireType(envelope, EventType.CACHE_HIT);
    Objects.requireNonNull(cache, "cache");
  }
}
