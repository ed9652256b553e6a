package dev.tally.streams.query;

import dev.tally.streams.series.SeriesKey;
import java.util.List;

/**
 * Which series a read visits: those of one metric (or of every metric) whose labels pass every
 * matcher.
 *
 * @param metric the metric name, or null for every metric
 */
public record SeriesSelector(String metric, List<LabelMatcher> matchers) {
  /** Every series of every metric. */
  public static final SeriesSelector ALL = new SeriesSelector(null, List.of());

  public SeriesSelector {
    matchers = List.copyOf(matchers);
  }

  /** Every series of {@code metric}. */
  public static SeriesSelector metric(String metric) {
    return new SeriesSelector(metric, List.of());
  }

  public boolean matches(SeriesKey series) {
    if (metric != null && !metric.equals(series.metric())) {
      return false;
    }
    for (LabelMatcher matcher : matchers) {
      if (!matcher.matches(series.labels())) {
        return false;
      }
    }
    return true;
  }
}
