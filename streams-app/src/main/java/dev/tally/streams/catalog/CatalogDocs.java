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
            + " summed by the listed labels. `/metrics` shows them only on an instance that owns"
            + " every series partition (a single instance): with several, each holds a share of"
            + " the counters, and a ratio of a share would be wrong. Ask the query API"
            + " (`/api/v1/query?metric=<ratio>`, which reads every partition), or compute the"
            + " ratio in PromQL from the counters, as the recording rules in"
            + " `deploy/prometheus/rules` do.\n\n");
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
    md.append(RUNTIME_METRICS);
    md.append(LABELS_AND_ROUTES);
    return md.toString();
  }

  // Written by the exporter at scrape time about this instance; TallyExporterIT holds every tally_
  // family a real scrape shows to this list.
  private static final String RUNTIME_METRICS =
      """

      Each instance also reports on itself at scrape time (these are per instance: do not sum the
      gauges over instances blindly):

      | metric | type | labels | help |
      |---|---|---|---|
      | `tally_live_series` | gauge | `metric` | Series of each metric held by this instance: totals of counters and histograms, gauges reported within gauge.ttl. |
      | `tally_store_entries` | gauge | `store` | Entries this instance read from each local store during the scrape. |
      | `tally_stores_queryable` | gauge |  | 1 when this instance could read its local stores for this scrape, else 0. |
      | `tally_store_records_undecodable_total` | counter |  | Store records skipped at scrape time because they could not be decoded. |
      | `tally_scrape_series_skipped_total` | counter | `metric`, `reason` | Series left out of a scrape because they could not be exposed, by reason (only once one was). |
      | `tally_streams_state` | gauge | `state` | State of this instance's Kafka Streams client: 1 for the current state. |
      | `tally_streams_thread_state` | gauge | `thread_id`, `state` | State of each stream thread: 1 for the current state. |
      | `tally_streams_alive_threads` | gauge |  | Stream threads alive in this instance. |
      | `tally_streams_failed_threads_total` | counter |  | Stream threads of this instance that died with an error (each is replaced; see README, health). |
      | `tally_streams_consumer_records_lag` | gauge | `client_id`, `topic`, `partition` | Records a stream thread's consumer is behind the end of a partition it reads (an input topic's or the repartition topic's). |
      | `tally_streams_consumer_records_lag_max` | gauge | `client_id` | Largest lag in records of any partition of a stream thread's consumer over the recent window. |
      | `tally_streams_commit_latency_avg_seconds` | gauge | `thread_id` | Average time a stream thread took to commit, over the recent window. |
      | `tally_streams_commit_latency_max_seconds` | gauge | `thread_id` | Longest time a stream thread took to commit, over the recent window. |
      | `tally_streams_commit_rate` | gauge | `thread_id` | Commits per second of a stream thread, over the recent window. |
      | `tally_streams_commits_total` | counter | `thread_id` | Commits of a stream thread. |
      | `tally_streams_process_rate` | gauge | `thread_id` | Records per second a stream thread processed, over the recent window. |
      | `tally_streams_processed_records_total` | counter | `thread_id` | Records a stream thread processed. |
      | `tally_streams_restore_remaining_records` | gauge | `thread_id`, `task_id` | Changelog records a task still has to restore before it can process. |
      | `tally_streams_restored_records_total` | counter | `thread_id`, `task_id` | Changelog records a task restored. |

      JVM and process metrics (`jvm_*`, `process_*`) come from client_java's JVM instrumentation.
      """;

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
