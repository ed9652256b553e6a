package dev.tally.streams.catalog;

import java.util.List;

/**
 * Tally's own exact counters about its input. They flow through the same pre-aggregation,
 * repartition and cumulative store as every other series, so they are exactly-once too.
 */
public final class SelfMetrics {
  public static final String PREFIX = "tally_";
  // Their label values come from topic names, reason codes and catalog names, except the unmapped
  // sample names, which producers choose: those get a small cap of their own.
  private static final int DEFAULT_CAP = 10_000;
  private static final int UNMAPPED_CAP = 1_000;

  public static final MetricDefinition EVENTS_CONSUMED =
      counter("tally_events_consumed_total", "Records read from the input topics.", "topic");
  public static final MetricDefinition EVENTS_REJECTED =
      counter(
          "tally_events_rejected_total",
          "Records rejected and written to the dead-letter topic, by reason.",
          "topic",
          "reason");
  public static final MetricDefinition EVENTS_DUPLICATE =
      counter(
          "tally_events_duplicate_total",
          "Valid events not counted again: their (service, event_id) was already counted on the"
              + " same input partition within dedup.window.",
          "topic");
  public static final MetricDefinition EVENTS_UNMAPPED =
      counter(
          UNMAPPED_CAP,
          "tally_events_unmapped_total",
          "Valid events no catalog metric takes (e.g. a metric.sample name without an entry).",
          "type",
          "name");
  public static final MetricDefinition EVENTS_LATE =
      counter(
          "tally_late_events_total",
          "Events that missed their finest window (their source had already sent an event grace"
              + " past its end, or it is no longer kept): in the totals, not in that window.",
          "metric");
  public static final MetricDefinition SERIES_OVERFLOW =
      counter(
          "tally_series_overflow_total",
          "Updates sent to the overflow series because the metric reached its series cap.",
          "metric");

  private static final List<MetricDefinition> ALL =
      List.of(
          EVENTS_CONSUMED,
          EVENTS_REJECTED,
          EVENTS_DUPLICATE,
          EVENTS_UNMAPPED,
          EVENTS_LATE,
          SERIES_OVERFLOW);

  private SelfMetrics() {}

  public static List<MetricDefinition> all() {
    return ALL;
  }

  private static MetricDefinition counter(String name, String help, String... labels) {
    return counter(DEFAULT_CAP, name, help, labels);
  }

  private static MetricDefinition counter(int cap, String name, String help, String... labels) {
    return new MetricDefinition(
        name,
        MetricType.COUNTER,
        help,
        null,
        List.of(labels).stream().map(l -> LabelRule.plain(l, l)).toList(),
        List.of(),
        null,
        null,
        cap);
  }
}
