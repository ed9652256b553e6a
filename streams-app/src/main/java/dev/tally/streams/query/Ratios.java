package dev.tally.streams.query;

import dev.tally.streams.catalog.RatioDefinition;
import dev.tally.streams.config.WindowSpec;
import dev.tally.streams.series.SeriesKey;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Computes a derived ratio for one closed window from the windowed counters: numerator terms over
 * denominator terms, summed per group of the ratio's {@code by} labels. Groups with a zero
 * denominator have no value (no traffic is not a 0 % or 100 % ratio).
 */
public final class Ratios {
  private Ratios() {}

  /** Start of the latest window of {@code size} that is closed at {@code nowMs}. */
  public static long lastClosedWindowStart(Duration size, Duration grace, long nowMs) {
    long sizeMs = size.toMillis();
    return Math.floorDiv(nowMs - grace.toMillis() - sizeMs, sizeMs) * sizeMs;
  }

  /** Ratio values keyed by series (the ratio's name and its {@code by} labels). */
  public static Map<SeriesKey, Double> compute(
      RatioDefinition ratio, WindowSpec window, long windowStartMs, MetricStores stores) {
    Map<SeriesKey, double[]> sums = new HashMap<>();
    stores.windows(
        window,
        windowStartMs,
        windowStartMs,
        SeriesSelector.ALL,
        (series, startMs, aggregate) -> {
          boolean num = matchesAny(ratio.numerator(), series);
          boolean den = matchesAny(ratio.denominator(), series);
          if (!num && !den) {
            return;
          }
          TreeMap<String, String> group = new TreeMap<>();
          for (String label : ratio.by()) {
            group.put(label, series.labels().getOrDefault(label, ""));
          }
          double[] acc =
              sums.computeIfAbsent(new SeriesKey(ratio.name(), group), k -> new double[2]);
          if (num) {
            acc[0] += aggregate.total();
          }
          if (den) {
            acc[1] += aggregate.total();
          }
        });
    Map<SeriesKey, Double> result = new HashMap<>();
    sums.forEach(
        (key, acc) -> {
          if (acc[1] > 0) {
            result.put(key, acc[0] / acc[1] * ratio.scale());
          }
        });
    return result;
  }

  /**
   * Whether {@code series} is one of {@code terms} (a ratio's numerator or denominator): a series
   * counts once per side even if two terms of that side name its metric.
   */
  public static boolean matchesAny(List<RatioDefinition.Term> terms, SeriesKey series) {
    for (RatioDefinition.Term term : terms) {
      if (term.metric().equals(series.metric()) && matchesWhere(term, series)) {
        return true;
      }
    }
    return false;
  }

  private static boolean matchesWhere(RatioDefinition.Term term, SeriesKey series) {
    for (Map.Entry<String, List<String>> w : term.where().entrySet()) {
      String value = series.labels().get(w.getKey());
      // A series without the label does not match (and List.of(...).contains(null) would throw).
      if (value == null || !w.getValue().contains(value)) {
        return false;
      }
    }
    return true;
  }
}
