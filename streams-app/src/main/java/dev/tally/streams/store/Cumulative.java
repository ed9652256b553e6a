package dev.tally.streams.store;

/**
 * The never-resetting total of one series, as exported to Prometheus.
 *
 * @param createdMs when the series was first seen (event time), exported as the created timestamp
 * @param updatedMs event time of the latest update
 * @param seenMs Tally's clock when the latest update reached the owner: decides {@code series.ttl}
 *     and {@code series.retention}
 */
public record Cumulative(long createdMs, long updatedMs, long seenMs, Aggregate aggregate) {}
