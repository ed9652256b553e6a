package dev.tally.streams.store;

import dev.tally.streams.series.SeriesKey;

/**
 * Key of the pre-aggregation buffer: a series plus the finest window and the set of resolutions
 * that take it (counters, histograms), or the reporting source and finest window (gauges), its
 * partial belongs to.
 */
public record PendingKey(SeriesKey series, long windowStartMs, int windows, String source) {}
