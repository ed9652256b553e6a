package dev.tally.exporter.api;

import java.util.Locale;

/** The kinds of metric the query API answers for, as {@code /api/v1/metrics} names them. */
enum MetricKind {
  COUNTER,
  HISTOGRAM,
  GAUGE,
  RATIO;

  String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
