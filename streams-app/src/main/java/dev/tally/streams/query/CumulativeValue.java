package dev.tally.streams.query;

import dev.tally.streams.store.Cumulative;

/**
 * The never-resetting total of one series, read-only.
 *
 * @param createdMs when the series was first seen (event time, epoch ms): the created timestamp
 * @param updatedMs event time of the latest update (epoch ms)
 * @param seenMs Tally's clock when the latest update reached the owner (epoch ms): decides {@code
 *     series.ttl}
 */
public record CumulativeValue(long createdMs, long updatedMs, long seenMs, AggregateValue value) {

  /** Wraps a store value that nobody changes afterwards (freshly decoded, or a copy). */
  public static CumulativeValue of(Cumulative stored) {
    return new CumulativeValue(
        stored.createdMs(),
        stored.updatedMs(),
        stored.seenMs(),
        stored.aggregate() == null ? null : AggregateValue.of(stored.aggregate()));
  }
}
