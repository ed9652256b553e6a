package dev.tally.streams.store;

/**
 * A gauge's value from one reporting source: the latest sample (last-value gauges) or the running
 * sum of deltas (delta gauges), with the event time of the newest contribution, which decides
 * expiry.
 */
public record GaugeSample(double value, long eventTimeMs) {}
