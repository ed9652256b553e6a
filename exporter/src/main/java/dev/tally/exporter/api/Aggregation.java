package dev.tally.exporter.api;

import dev.tally.streams.histogram.HistogramView;
import dev.tally.streams.query.AggregateValue;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code /api/v1/query} computes per window ({@code agg}). Counters: the total added ({@code
 * sum}), the events ({@code count}) and the total per second ({@code rate}). Histograms: the
 * observations ({@code count}), their sum, per second ({@code rate}), the mean ({@code avg}),
 * quantile estimates after merging ({@code p50} ... {@code p999}) and the cumulative classic bucket
 * counts ({@code buckets}). Ratios: {@code value}. Gauges: the series' value after the last update
 * in the window ({@code last}) and the highest value after any update in it ({@code max}).
 */
enum Aggregation {
  SUM,
  COUNT,
  RATE,
  AVG,
  P50,
  P90,
  P95,
  P99,
  P999,
  BUCKETS,
  VALUE,
  LAST,
  MAX;

  static final List<Aggregation> COUNTER = List.of(SUM, COUNT, RATE);
  static final List<Aggregation> HISTOGRAM =
      List.of(COUNT, SUM, RATE, AVG, P50, P90, P95, P99, P999, BUCKETS);
  static final List<Aggregation> RATIO = List.of(VALUE);
  static final List<Aggregation> GAUGE = List.of(LAST, MAX);

  String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The {@code agg} values a metric of {@code kind} takes, the default first. */
  static List<Aggregation> allowed(MetricKind kind) {
    return switch (kind) {
      case COUNTER -> COUNTER;
      case HISTOGRAM -> HISTOGRAM;
      case RATIO -> RATIO;
      case GAUGE -> GAUGE;
    };
  }

  /**
   * @throws QueryException 400 naming {@code agg} when {@code text} is not one {@code kind} takes
   */
  static Aggregation parse(String text, MetricKind kind) {
    List<Aggregation> allowed = allowed(kind);
    if (text == null) {
      return allowed.get(0);
    }
    for (Aggregation a : allowed) {
      if (a.label().equals(text)) {
        return a;
      }
    }
    throw QueryException.badParameter(
        "agg",
        "agg must be one of "
            + String.join(", ", allowed.stream().map(Aggregation::label).toList())
            + " for a "
            + kind.label()
            + "; got '"
            + text
            + "'");
  }

  /** The quantile a {@code pNN} aggregation estimates. */
  double quantile() {
    return switch (this) {
      case P50 -> 0.5;
      case P90 -> 0.9;
      case P95 -> 0.95;
      case P99 -> 0.99;
      case P999 -> 0.999;
      default -> throw new IllegalStateException(this + " is no quantile");
    };
  }

  /**
   * The value of one window of {@code windowMs} for a counter or histogram: a number, a map of
   * bucket counts ({@code buckets}), or null when there is none (a mean or quantile of no
   * observations). {@code value} null means the window had no events.
   */
  Object of(AggregateValue value, long windowMs, boolean histogram) {
    double seconds = windowMs / 1000.0;
    if (!histogram) {
      double total = value == null ? 0 : value.total();
      long events = value == null ? 0 : value.events();
      return switch (this) {
        case SUM -> total;
        case COUNT -> events;
        case RATE -> total / seconds;
        default -> throw new IllegalStateException(this + " on a counter");
      };
    }
    HistogramView h = value == null ? null : value.histogram();
    long count = h == null ? 0 : h.count();
    return switch (this) {
      case COUNT -> count;
      case SUM -> h == null ? 0.0 : h.sum();
      case RATE -> count / seconds;
      case AVG -> count == 0 ? null : h.sum() / count;
      case P50, P90, P95, P99, P999 -> count == 0 ? null : h.quantile(quantile());
      case BUCKETS -> count == 0 ? null : buckets(h);
      default -> throw new IllegalStateException(this + " on a histogram");
    };
  }

  /** Cumulative counts per classic bound, as Prometheus' {@code le} buckets; empty: all zero. */
  private static Map<String, Long> buckets(HistogramView h) {
    Map<String, Long> buckets = new LinkedHashMap<>();
    if (h == null) {
      return buckets;
    }
    double[] bounds = h.classicUpperBounds();
    long[] counts = h.classicCumulativeCounts();
    for (int i = 0; i < bounds.length; i++) {
      buckets.put(le(bounds[i]), counts[i]);
    }
    return buckets;
  }

  /** A bound as client_java prints {@code le}: {@code +Inf}, {@code 0.005}, {@code 5.0}. */
  static String le(double bound) {
    if (bound == Double.POSITIVE_INFINITY) {
      return "+Inf";
    }
    String text = Double.toString(bound);
    return text.contains("E")
        ? java.math.BigDecimal.valueOf(bound).stripTrailingZeros().toPlainString()
        : text;
  }
}
