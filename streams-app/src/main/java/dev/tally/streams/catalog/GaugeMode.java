package dev.tally.streams.catalog;

/** How a gauge combines the samples of one reporting source (service + instance). */
public enum GaugeMode {
  /** The sample with the latest event time wins (queue depth, pool sizes, cache size). */
  LAST,
  /**
   * Samples are deltas that add up (connection opened +1, closed −1). The running sum of a source
   * is floored at zero when rendered, so reordering never shows a negative count.
   */
  DELTA
}
