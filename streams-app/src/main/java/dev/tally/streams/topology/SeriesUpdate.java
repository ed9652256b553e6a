package dev.tally.streams.topology;

import dev.tally.streams.catalog.MetricDefinition;
import dev.tally.streams.series.SeriesKey;

/**
 * One change an event makes to one series: add {@code value} to a counter, observe it in a
 * histogram, or report it as a gauge sample of {@code source}.
 */
public record SeriesUpdate(
    MetricDefinition metric,
    SeriesKey series,
    double value,
    Long exactValue,
    long eventTimeMs,
    String source) {

  /** An update whose value is {@code value} (no exact integer form). */
  public SeriesUpdate(
      MetricDefinition metric, SeriesKey series, double value, long eventTimeMs, String source) {
    this(metric, series, value, null, eventTimeMs, source);
  }
}
