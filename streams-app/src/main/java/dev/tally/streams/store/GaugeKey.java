package dev.tally.streams.store;

import dev.tally.streams.series.SeriesKey;

/** A gauge series as reported by one source ({@code service/instance}). */
public record GaugeKey(SeriesKey series, String source) {}
