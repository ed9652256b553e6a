package dev.tally.streams.series;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One time series: a metric name and its label set, labels sorted by name so that the same series
 * always has the same key bytes and therefore exactly one owner task.
 *
 * <pre>{@code
 * SeriesKey key = SeriesKey.of("cache_hits_total", Map.of("service", "im", "cache", "redis"));
 * key.toString(); // cache_hits_total{cache="redis",service="im"}
 * }</pre>
 */
public final class SeriesKey {

  /** Label value of every label of a metric's overflow series. */
  public static final String OVERFLOW = "__overflow__";

  private final String metric;
  private final SortedMap<String, String> labels;
  // Series keys are hash keys of every per-event lookup (buffer, caps, owner caches); a TreeMap's
  // hash walks all its entries, so it is computed once.
  private final int hash;

  public SeriesKey(String metric, SortedMap<String, String> labels) {
    this(metric, new TreeMap<>(labels));
  }

  /** Takes ownership of {@code labels}: no copy. */
  private SeriesKey(String metric, TreeMap<String, String> labels) {
    this.metric = metric;
    this.labels = Collections.unmodifiableSortedMap(labels);
    this.hash = 31 * Objects.hashCode(metric) + labels.hashCode();
  }

  public static SeriesKey of(String metric, Map<String, String> labels) {
    return new SeriesKey(metric, new TreeMap<>(labels));
  }

  /**
   * The key of {@code labels} itself, without a copy (the per-event path of the catalog mapping):
   * the caller must not change {@code labels} afterwards.
   */
  public static SeriesKey owning(String metric, TreeMap<String, String> labels) {
    return new SeriesKey(metric, labels);
  }

  public String metric() {
    return metric;
  }

  /** The labels, sorted by name; unmodifiable. */
  public SortedMap<String, String> labels() {
    return labels;
  }

  @Override
  public boolean equals(Object o) {
    return o == this
        || (o instanceof SeriesKey other
            && hash == other.hash
            && Objects.equals(metric, other.metric)
            && labels.equals(other.labels));
  }

  @Override
  public int hashCode() {
    return hash;
  }

  /** The series that takes a metric's updates once its live-series cap is reached. */
  public SeriesKey overflow() {
    TreeMap<String, String> overflowLabels = new TreeMap<>();
    labels.keySet().forEach(name -> overflowLabels.put(name, OVERFLOW));
    return new SeriesKey(metric, overflowLabels);
  }

  public List<String> labelNames() {
    return new ArrayList<>(labels.keySet());
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(metric).append('{');
    boolean first = true;
    for (Map.Entry<String, String> label : labels.entrySet()) {
      if (!first) {
        sb.append(',');
      }
      first = false;
      sb.append(label.getKey()).append("=\"");
      sb.append(label.getValue().replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n"));
      sb.append('"');
    }
    return sb.append('}').toString();
  }
}
