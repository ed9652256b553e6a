package dev.tally.exporter.api;

import dev.tally.exporter.api.ParsedQuery.Endpoint;
import dev.tally.exporter.api.ParsedQuery.Range;
import dev.tally.exporter.api.ParsedQuery.Target;
import dev.tally.streams.catalog.MetricCatalog;
import dev.tally.streams.catalog.MetricDefinition;
import dev.tally.streams.catalog.RatioDefinition;
import dev.tally.streams.catalog.SelfMetrics;
import dev.tally.streams.config.Durations;
import dev.tally.streams.config.WindowSpec;
import dev.tally.streams.query.LabelMatcher;
import dev.tally.streams.query.SeriesSelector;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Checks the query parameters of {@code /api/v1/series}, {@code /totals} and {@code /query} against
 * the catalog and the configured windows. Every problem is a {@link QueryException}: 400 naming the
 * parameter (malformed or unknown matcher label, bad regex, {@code by} label, {@code q}, time,
 * {@code from} after {@code to}, resolution, {@code agg}, too many points, an unknown parameter),
 * 404 for an unknown metric.
 */
final class ApiParameters {
  /** Default quantiles of histogram totals. */
  static final List<Double> DEFAULT_QUANTILES = List.of(0.5, 0.9, 0.99);

  private static final Map<Endpoint, Set<String>> ALLOWED =
      Map.of(
          Endpoint.SERIES, Set.of("metric", "match", "allowStale"),
          Endpoint.TOTALS, Set.of("metric", "match", "by", "q", "allowStale"),
          Endpoint.QUERY,
              Set.of("metric", "match", "by", "from", "to", "resolution", "agg", "allowStale"));

  /** Parameters only instances send each other. */
  static final Set<String> INTERNAL = Set.of("partitions", "at", "stale", "budget");

  private final MetricCatalog catalog;
  private final List<WindowSpec> windows;
  private final Limits limits;
  private final Map<String, MetricDefinition> self = new LinkedHashMap<>();

  ApiParameters(MetricCatalog catalog, List<WindowSpec> windows, Limits limits) {
    this.catalog = catalog;
    this.windows = windows;
    this.limits = limits;
    SelfMetrics.all().forEach(m -> self.put(m.name(), m));
  }

  List<WindowSpec> windows() {
    return windows;
  }

  /**
   * @param internal whether the instance-to-instance parameters are allowed too
   */
  ParsedQuery parse(
      Endpoint endpoint, Map<String, List<String>> params, long nowMs, boolean internal) {
    for (String name : params.keySet()) {
      if (!ALLOWED.get(endpoint).contains(name) && !(internal && INTERNAL.contains(name))) {
        throw QueryException.badParameter(
            name,
            "unknown parameter '"
                + name
                + "'; "
                + endpoint.name().toLowerCase(java.util.Locale.ROOT)
                + " takes "
                + String.join(", ", ALLOWED.get(endpoint).stream().sorted().toList()));
      }
    }
    Target target = target(single(params, "metric").orElse(null));
    SeriesSelector selector = selector(target, params.getOrDefault("match", List.of()));
    List<String> by = by(target, single(params, "by"));
    List<Double> quantiles = quantiles(single(params, "q"));
    boolean allowStale = bool("allowStale", single(params, "allowStale").orElse("false"));
    Range range = null;
    Aggregation agg = null;
    if (endpoint == Endpoint.QUERY) {
      if (!target.windowed()) {
        throw QueryException.badParameter(
            "metric",
            target.metric() + " (Tally's own counter) is not windowed: use /api/v1/totals");
      }
      range = range(params, nowMs);
      agg = Aggregation.parse(single(params, "agg").orElse(null), target.kind());
    } else if (endpoint == Endpoint.TOTALS && target.kind() == MetricKind.RATIO) {
      throw QueryException.badParameter(
          "metric", "ratios are per window and have no totals: use /api/v1/query");
    }
    return new ParsedQuery(
        endpoint, target, selector, by, quantiles, range, agg, allowStale, nowMs);
  }

  /** The metric of {@code name}: catalog metric, ratio or Tally's own counter. */
  Target target(String name) {
    if (name == null || name.isEmpty()) {
      throw QueryException.badParameter("metric", "metric is required");
    }
    Optional<MetricDefinition> metric = catalog.metric(name);
    if (metric.isEmpty() && self.containsKey(name)) {
      metric = Optional.of(self.get(name));
    }
    if (metric.isPresent()) {
      MetricDefinition d = metric.get();
      MetricKind kind =
          switch (d.type()) {
            case COUNTER -> MetricKind.COUNTER;
            case HISTOGRAM -> MetricKind.HISTOGRAM;
            case GAUGE -> MetricKind.GAUGE;
          };
      boolean windowed = !self.containsKey(name);
      return new Target(name, kind, d, null, d.labelNames(), windowed);
    }
    for (RatioDefinition ratio : catalog.ratios()) {
      if (ratio.name().equals(name)) {
        return new Target(name, MetricKind.RATIO, null, ratio, ratio.by(), true);
      }
    }
    throw QueryException.notFound("metric", "no metric named '" + name + "'");
  }

  private static SeriesSelector selector(Target target, List<String> matches) {
    List<LabelMatcher> matchers = new ArrayList<>();
    for (String text : matches) {
      LabelMatcher matcher;
      try {
        matcher = LabelMatcher.parse(text);
      } catch (IllegalArgumentException e) {
        throw QueryException.badParameter("match", e.getMessage());
      }
      if (!target.labels().contains(matcher.label())) {
        throw QueryException.badParameter("match", unknownLabel(target, matcher.label()));
      }
      matchers.add(matcher);
    }
    // A ratio's series are its groups; the matchers apply to those, not to the counters read.
    return new SeriesSelector(target.kind() == MetricKind.RATIO ? null : target.metric(), matchers);
  }

  private static String unknownLabel(Target target, String label) {
    return target.metric()
        + " has no label '"
        + label
        + "'"
        + (target.labels().isEmpty()
            ? " (it has no labels)"
            : "; its labels: " + String.join(", ", target.labels()));
  }

  private static List<String> by(Target target, Optional<String> text) {
    if (text.isEmpty()) {
      return null;
    }
    Set<String> by = new LinkedHashSet<>();
    for (String label : text.get().split(",", -1)) {
      // Blanks around a name are dropped ("service, cache"); control characters are not blanks.
      String l = label.strip();
      if (l.isEmpty()) {
        continue;
      }
      if (!target.labels().contains(l)) {
        throw QueryException.badParameter("by", unknownLabel(target, l));
      }
      by.add(l);
    }
    return List.copyOf(by);
  }

  private static List<Double> quantiles(Optional<String> text) {
    if (text.isEmpty()) {
      return DEFAULT_QUANTILES;
    }
    List<Double> qs = new ArrayList<>();
    for (String part : text.get().split(",", -1)) {
      double q;
      try {
        q = Double.parseDouble(part.trim());
      } catch (NumberFormatException e) {
        q = Double.NaN;
      }
      if (!(q >= 0 && q <= 1)) {
        throw QueryException.badParameter(
            "q", "q must list quantiles between 0 and 1, e.g. 0.5,0.99; got '" + part + "'");
      }
      qs.add(q);
    }
    return List.copyOf(qs);
  }

  private Range range(Map<String, List<String>> params, long nowMs) {
    WindowSpec spec = resolution(single(params, "resolution").orElse(null));
    long size = spec.size().toMillis();
    long from = TimeParameter.parse("from", single(params, "from").orElse("-1h"), nowMs);
    long to = TimeParameter.parse("to", single(params, "to").orElse("now"), nowMs);
    if (from > to) {
      throw QueryException.badParameter(
          "from",
          "from ("
              + TimeParameter.format(from)
              + ") is after to ("
              + TimeParameter.format(to)
              + ")");
    }
    long fromStart = Math.floorDiv(from, size) * size;
    // The oldest window the store still holds: retention counts back from now.
    long oldest = Math.floorDiv(nowMs - spec.retention().toMillis(), size) * size + size;
    fromStart = Math.max(fromStart, oldest);
    long toStart = Math.floorDiv(to - 1, size) * size;
    if (toStart < fromStart) {
      // An empty range (from == to, or entirely before the retention): no windows.
      toStart = fromStart - size;
    }
    long points = (toStart - fromStart) / size + 1;
    if (points > limits.maxPoints()) {
      throw QueryException.badParameter(
          "resolution",
          "from "
              + TimeParameter.format(fromStart)
              + " to "
              + TimeParameter.format(to)
              + " at "
              + spec.label()
              + " is "
              + points
              + " windows, more than "
              + limits.maxPoints()
              + " (api.max.points); use a coarser resolution or a shorter range");
    }
    return new Range(spec, fromStart, toStart);
  }

  private WindowSpec resolution(String text) {
    if (text == null) {
      return windows.get(0);
    }
    for (WindowSpec spec : windows) {
      if (spec.label().equals(text)) {
        return spec;
      }
    }
    // 60s for 1m: the same window by another name.
    try {
      var d = Durations.parse("resolution", text);
      for (WindowSpec spec : windows) {
        if (spec.size().equals(d)) {
          return spec;
        }
      }
    } catch (RuntimeException e) {
      // falls through to the error below
    }
    throw QueryException.badParameter(
        "resolution",
        "resolution must be one of "
            + String.join(", ", windows.stream().map(WindowSpec::label).toList())
            + " (the windows setting); got '"
            + text
            + "'");
  }

  static boolean bool(String name, String text) {
    return switch (text) {
      case "true" -> true;
      case "false" -> false;
      default ->
          throw QueryException.badParameter(
              name, name + " must be true or false; got '" + text + "'");
    };
  }

  /** The parameter's one value; given twice is a 400 (which one would count?). */
  static Optional<String> single(Map<String, List<String>> params, String name) {
    List<String> values = params.get(name);
    if (values == null || values.isEmpty()) {
      return Optional.empty();
    }
    if (values.size() > 1) {
      throw QueryException.badParameter(name, name + " is given " + values.size() + " times");
    }
    return Optional.of(values.get(0));
  }
}
