package dev.tally.exporter.api;

import java.time.Duration;

/**
 * What one query may take.
 *
 * @param timeout the time budget of a whole query, fan-out included ({@code api.timeout})
 * @param maxSeries the most series (groups) an answer may have ({@code api.max.series})
 * @param maxPoints the most windows per series of a range query ({@code api.max.points}; 11,000 as
 *     Prometheus' range queries)
 * @param maxSamples the most (series, window) values held in memory at once while answering one
 *     query ({@code api.max.samples}): the memory bound
 */
record Limits(Duration timeout, int maxSeries, int maxPoints, int maxSamples) {}
