package dev.tally.streams.series;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
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
public record SeriesKey(String metric, SortedMap<String, String> labels) {

  /** Label value of every label of a metric's overflow series. */
  public static final String OVERFLOW = "__overflow__";

  public SeriesKey {
    labels = Collections.unmodifiableSortedMap(new TreeMap<>(labels));
  }

  public static SeriesKey of(String metric, Map<String, String> labels) {
    return new SeriesKey(metric, new TreeMap<>(labels));
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
