package dev.tally.streams.store;

/**
 * A gauge's value from one reporting source: the latest sample (last-value gauges) or the running
 * sum of deltas (delta gauges).
 *
 * @param eventTimeMs event time of the newest contribution, which decides the latest sample
 * @param seenMs Tally's clock when an event of this source (any type) last arrived, as far as the
 *     owner knows: decides liveness ({@code gauge.ttl})
 */
public record GaugeSample(double value, long eventTimeMs, long seenMs) {}
