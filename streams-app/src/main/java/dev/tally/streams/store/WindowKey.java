package dev.tally.streams.store;

import dev.tally.streams.series.SeriesKey;

/** One series' window of one resolution, identified by its start (epoch ms). */
public record WindowKey(SeriesKey series, long startMs) {}
