package dev.tally.streams.store;

import dev.tally.streams.series.SeriesKey;

/**
 * Key of the pre-aggregation buffer: a series plus the finest window (counters, histograms) or the
 * reporting source (gauges) its partial belongs to.
 */
public record PendingKey(SeriesKey series, long windowStartMs, String source) {}
