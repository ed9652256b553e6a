package dev.tally.exporter.api;

import dev.tally.streams.catalog.MetricDefinition;
import dev.tally.streams.catalog.RatioDefinition;
import dev.tally.streams.config.WindowSpec;
import dev.tally.streams.query.SeriesSelector;
import java.util.List;

/**
 * One query API request, checked: everything an instance needs to read its series partitions for
 * it, and the coordinating instance to merge and render the answer.
 *
 * @param selector for a ratio, its matchers apply to the ratio's labels (its {@code by})
 * @param by the labels to group by, or null to keep every series apart
 * @param quantiles for histogram totals ({@code q})
 * @param range the windows of {@code /api/v1/query}, or null
 * @param nowMs the coordinating instance's clock (epoch ms): every instance judges liveness and
 *     relative times by it
 */
record ParsedQuery(
    Endpoint endpoint,
    Target target,
    SeriesSelector selector,
    List<String> by,
    List<Double> quantiles,
    Range range,
    Aggregation agg,
    boolean allowStale,
    long nowMs) {

  /** The endpoints that read series. */
  enum Endpoint {
    SERIES,
    TOTALS,
    QUERY
  }

  /**
   * The metric asked about.
   *
   * @param definition null for a ratio
   * @param ratio null unless a ratio
   * @param labels the label names it has (a ratio's: its {@code by})
   * @param windowed whether {@code /api/v1/query} answers for it
   */
  record Target(
      String metric,
      MetricKind kind,
      MetricDefinition definition,
      RatioDefinition ratio,
      List<String> labels,
      boolean windowed) {}

  /** Windows of {@code spec} starting in {@code [fromStartMs, toStartMs]} (epoch ms, inclusive). */
  record Range(WindowSpec spec, long fromStartMs, long toStartMs) {
    long sizeMs() {
      return spec.size().toMillis();
    }

    int points() {
      return (int) ((toStartMs - fromStartMs) / sizeMs() + 1);
    }
  }
}
