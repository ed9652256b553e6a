package dev.tally.streams.catalog;

import dev.tally.streams.config.Durations;
import dev.tally.streams.histogram.HistogramLayout;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Renders a catalog as the Markdown reference in {@code docs/metrics.md}, so the document is
 * generated from the one source of truth rather than written beside it.
 */
public final class CatalogDocs {
  private CatalogDocs() {}

  public static String markdown(MetricCatalog catalog) {
    StringBuilder md = new StringBuilder();
    md.append("# Metrics\n\n");
    md.append(
        "Generated from Tally's built-in catalog"
            + " (`streams-app/src/main/resources/dev/tally/streams/catalog/builtin.yaml`)"
            + " by `CatalogDocsTest`; do not edit by hand. Regenerate with\n"
            + "`mvn -pl streams-app -am test -Dtest=CatalogDocsTest -Dtally.docs.write=true"
            + " -Dsurefire.failIfNoSpecifiedTests=false`.\n\n");
    md.append(
        "Every series also carries the labels listed. Counters are cumulative and never reset;"
            + " gauges are summed over the live reporting instances (`service` + `instance`), an"
            + " instance being live while it sent any event within `gauge.ttl` by Tally's clock at"
            + " arrival; histograms have classic `le` buckets and native (exponential)"
            + " buckets.\n\n");
    md.append("| metric | type | labels | fed by | help |\n");
    md.append("|---|---|---|---|---|\n");
    for (MetricDefinition m : catalog.metrics()) {
      md.append("| `").append(m.name()).append("` | ");
      md.append(m.type().name().toLowerCase(Locale.ROOT));
      if (m.gaugeMode() == GaugeMode.DELTA) {
        md.append(" (delta)");
      }
      md.append(" | ")
          .append(
              m.labelNames().stream().map(l -> "`" + l + "`").collect(Collectors.joining(", ")));
      md.append(" | ");
      md.append(
          m.rules().stream()
              .map(
                  r ->
                      "`"
                          + r.eventType()
                          + "`"
                          + (r.when().isEmpty() ? "" : " (when " + conditions(r) + ")"))
              .distinct()
              .collect(Collectors.joining(", ")));
      md.append(" | ").append(m.help());
      if (m.layout() != null) {
        md.append(" Buckets (").append(m.unit() == null ? "value" : m.unit()).append("): ");
        md.append(bounds(m.layout()));
      }
      md.append(" |\n");
    }
    md.append("\n## Derived ratios\n\n");
    md.append(
        "Gauges computed per closed window from the windowed counters: numerator / denominator,"
            + " summed by the listed labels.\n\n");
    md.append("| ratio | by | numerator | denominator | window | help |\n");
    md.append("|---|---|---|---|---|---|\n");
    for (RatioDefinition r : catalog.ratios()) {
      md.append("| `").append(r.name()).append("` | ");
      md.append(r.by().stream().map(l -> "`" + l + "`").collect(Collectors.joining(", ")));
      md.append(" | ").append(terms(r.numerator()));
      md.append(" | ").append(terms(r.denominator()));
      md.append(" | ").append(Durations.format(r.window()));
      md.append(" | ").append(r.help()).append(" |\n");
    }
    md.append("\n## Tally's own metrics\n\n");
    md.append("| metric | labels | help |\n|---|---|---|\n");
    for (MetricDefinition m : SelfMetrics.all()) {
      md.append("| `").append(m.name()).append("` | ");
      md.append(m.labelNames().stream().map(l -> "`" + l + "`").collect(Collectors.joining(", ")));
      md.append(" | ").append(m.help()).append(" |\n");
    }
    md.append(LABELS_AND_ROUTES);
    return md.toString();
  }

  private static final String LABELS_AND_ROUTES =
      """

      ## Labels and routes

      A series has exactly the labels its catalog entry lists, no more: an event's own `labels`
      object adds nothing by itself (an unbounded label would multiply every metric's series).
      A catalog entry takes an event label by listing it, e.g. `labels: [service, labels.region]`
      (label `region` from the event's `labels.region`) or `{name: zone, from: labels.az}`; the
      built-in catalog takes none. Two labels of one metric cannot share a name (an event label
      named like `service` is refused, not merged), and `le` and `quantile` (set by Prometheus
      histograms and summaries), names starting with `__` and invalid names are refused: the
      catalog fails at start-up naming the metric.

      A label with `template: path` (the built-in `route` label of `http_requests_total` and
      `http_request_duration_seconds`) turns a raw request path into a route template: the query
      string is dropped and every segment that is an id becomes `:id`. An id is a number, a UUID,
      or 16 or more hex digits, unless the entry gives its own pattern in `ids` (a regular
      expression a whole segment must match, e.g. `ids: '[0-9a-f]{24}'`). A route sent as a
      template already, with a `{name}` or `:name` segment, is kept as sent:
      `/rest/api/2/issue/{issueIdOrKey}` stays itself, while `/rest/api/2/issue/10023` becomes
      `/rest/api/:id/issue/:id`. Send templates where you can.
      """;

  private static String conditions(EventRule rule) {
    return rule.when().stream()
        .map(
            c ->
                switch (c.op()) {
                  case PRESENT -> c.field() + " present";
                  case ABSENT -> c.field() + " absent";
                  case GT -> c.field() + " > " + number(c.operands().get(0));
                  case EQUALS -> c.field() + " = " + c.operands().get(0);
                  case IN -> c.field() + " in " + c.operands();
                  case NOT_IN -> c.field() + " not in " + c.operands();
                })
        .collect(Collectors.joining(", "));
  }

  private static String terms(List<RatioDefinition.Term> terms) {
    return terms.stream()
        .map(t -> "`" + t.metric() + "`" + (t.where().isEmpty() ? "" : " where " + t.where()))
        .collect(Collectors.joining(" + "));
  }

  private static String bounds(HistogramLayout layout) {
    return Arrays.stream(layout.classicUpperBounds())
        .mapToObj(CatalogDocs::number)
        .collect(Collectors.joining(", "));
  }

  private static String number(Object n) {
    double d = ((Number) n).doubleValue();
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }
}
