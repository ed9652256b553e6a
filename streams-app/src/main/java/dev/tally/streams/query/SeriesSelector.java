package dev.tally.streams.query;

import dev.tally.streams.series.SeriesKey;
import java.util.List;

/**
 * Which series a read visits: those of one metric (or of every metric) whose labels pass every
 * matcher.
 *
 * @param metric the metric name, or null for every metric
 * @param deadline the read's time budget ({@link ReadDeadline#NONE} for none)
 */
public record SeriesSelector(String metric, List<LabelMatcher> matchers, ReadDeadline deadline) {
  /** Every series of every metric. */
  public static final SeriesSelector ALL = new SeriesSelector(null, List.of());

  public SeriesSelector {
    matchers = List.copyOf(matchers);
  }

  /** Without a time budget. */
  public SeriesSelector(String metric, List<LabelMatcher> matchers) {
    this(metric, matchers, ReadDeadline.NONE);
  }

  /** Every series of {@code metric}. */
  public static SeriesSelector metric(String metric) {
    return new SeriesSelector(metric, List.of());
  }

  /** The same selection, bounded by {@code deadline} (one read, one thread). */
  public SeriesSelector within(ReadDeadline deadline) {
    return new SeriesSelector(metric, matchers, deadline);
  }

  /**
   * Whether {@code series} is selected; checks the time budget on every call, so a scan of many
   * entries that match nothing still stops in time.
   *
   * @throws ReadDeadline.ReadTimeoutException past the deadline
   */
  public boolean matches(SeriesKey series) {
    deadline.check();
    if (metric != null && !metric.equals(series.metric())) {
      return false;
    }
    for (LabelMatcher matcher : matchers) {
      if (!matcher.matches(series.labels(), deadline)) {
        return false;
      }
    }
    return true;
  }
}
