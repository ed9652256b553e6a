package dev.tally.streams.catalog;

/** The Prometheus type a catalog metric is exported as. */
public enum MetricType {
  /** Monotonic total; every matching event adds its value (default 1). */
  COUNTER,
  /** Current value per reporting source, summed over the live sources. */
  GAUGE,
  /** Distribution of observed values: classic and native (exponential) buckets. */
  HISTOGRAM
}
