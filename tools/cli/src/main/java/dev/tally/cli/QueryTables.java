package dev.tally.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SortedSet;
import java.util.StringJoiner;
import java.util.TreeSet;

/**
 * The query API's answers as tables for a terminal, one method per endpoint, each taking the JSON
 * shape docs/api.md shows. An empty answer prints one line saying so.
 */
final class QueryTables {
  private QueryTables() {}

  /** {@code /api/v1/metrics}: one row per metric whose name contains {@code filter}. */
  static void metrics(JsonNode answer, String filter, PrintWriter out) {
    TextTable table =
        new TextTable()
            .column("name", false)
            .column("type", false)
            .column("unit", false)
            .column("labels", false)
            .column("windows", false)
            .column("help", false);
    String needle = filter == null ? "" : filter.toLowerCase(Locale.ROOT);
    for (JsonNode metric : answer.path("metrics")) {
      String name = metric.path("name").asText();
      if (name.toLowerCase(Locale.ROOT).contains(needle)) {
        table.row(
            name,
            TextTable.text(metric.get("type")),
            TextTable.text(metric.get("unit")),
            list(metric.path("labels")),
            list(metric.path("windows")),
            TextTable.text(metric.get("help")));
      }
    }
    if (table.isEmpty()) {
      out.println(filter == null ? "no metrics" : "no metric name contains '" + filter + "'");
      out.flush();
      return;
    }
    table.print(out);
  }

  /** {@code /api/v1/series}: one row per series, one column per label. */
  static void series(JsonNode answer, PrintWriter out) {
    JsonNode series = answer.path("series");
    String metric = answer.path("metric").asText();
    if (series.isEmpty()) {
      empty(out, "no live series of " + metric);
      return;
    }
    SortedSet<String> labels = labelNames(series);
    if (labels.isEmpty()) {
      // A metric without labels has one series; a table of no columns would print nothing.
      empty(out, metric + " has one series, without labels");
      return;
    }
    TextTable table = new TextTable();
    labels.forEach(label -> table.column(label, false));
    for (JsonNode one : series) {
      table.row(labelValues(one, labels));
    }
    table.print(out);
  }

  /**
   * {@code /api/v1/totals}: one row per series; a counter's or gauge's {@code value}, a histogram's
   * {@code count}, {@code sum} and one column per quantile ({@code q0.99}).
   */
  static void totals(JsonNode answer, PrintWriter out) {
    JsonNode series = answer.path("series");
    if (series.isEmpty()) {
      empty(out, "no series of " + answer.path("metric").asText());
      return;
    }
    SortedSet<String> labels = labelNames(series);
    boolean histogram = answer.path("type").asText().equals("histogram");
    Set<String> quantiles = new LinkedHashSet<>();
    series.forEach(one -> one.path("quantiles").fieldNames().forEachRemaining(quantiles::add));

    TextTable table = new TextTable();
    labels.forEach(label -> table.column(label, false));
    if (histogram) {
      table.column("count", true).column("sum", true);
      quantiles.forEach(q -> table.column("q" + q, true));
    } else {
      table.column("value", true);
    }
    for (JsonNode one : series) {
      List<String> row = labelValues(one, labels);
      if (histogram) {
        row.add(TextTable.number(one.get("count")));
        row.add(TextTable.number(one.get("sum")));
        quantiles.forEach(q -> row.add(TextTable.number(one.path("quantiles").get(q))));
      } else {
        row.add(TextTable.number(one.get("value")));
      }
      table.row(row);
    }
    table.print(out);
  }

  /**
   * {@code /api/v1/query}: one row per series and window, the column named after the aggregation
   * ({@code sum}, {@code p99}); {@code agg=buckets} gives one column per bucket ({@code le=0.005}).
   *
   * <p>Rows rather than a column per window: a range holds from a few windows to thousands (an hour
   * of 10 s windows is 360), which no terminal shows side by side, while rows keep the same few
   * columns for any range and stay easy to grep and sort.
   */
  static void range(JsonNode answer, PrintWriter out, PrintWriter err) {
    JsonNode series = answer.path("series");
    String agg = answer.path("agg").asText("value");
    SortedSet<String> labels = labelNames(series);
    boolean buckets = agg.equals("buckets");
    Set<String> bounds = new LinkedHashSet<>();
    if (buckets) {
      for (JsonNode one : series) {
        one.path("points")
            .forEach(point -> point.path("value").fieldNames().forEachRemaining(bounds::add));
      }
    }

    TextTable table = new TextTable();
    labels.forEach(label -> table.column(label, false));
    table.column("start", false);
    if (buckets) {
      bounds.forEach(le -> table.column("le=" + le, true));
    } else {
      table.column(agg, true);
    }
    for (JsonNode one : series) {
      for (JsonNode point : one.path("points")) {
        List<String> row = labelValues(one, labels);
        row.add(TextTable.text(point.get("start")));
        if (buckets) {
          bounds.forEach(le -> row.add(TextTable.number(point.path("value").get(le))));
        } else {
          row.add(TextTable.number(point.get("value")));
        }
        table.row(row);
      }
    }
    if (table.isEmpty()) {
      empty(
          out,
          "no values of "
              + answer.path("metric").asText()
              + " from "
              + TextTable.text(answer.get("from"))
              + " to "
              + TextTable.text(answer.get("to")));
    } else {
      table.print(out);
    }
    JsonNode stale = answer.path("stale");
    if (stale.isArray() && !stale.isEmpty()) {
      StringJoiner read = new StringJoiner(", ");
      stale.forEach(item -> read.add(QueryClient.describe(item)));
      err.println("tally: read from standby copies, which may lag: " + read);
      err.flush();
    }
  }

  /** {@code /api/v1/instances}: one row per instance, partitions as ranges ({@code 0-5}). */
  static void instances(JsonNode answer, PrintWriter out) {
    JsonNode instances = answer.path("instances");
    if (instances.isEmpty()) {
      empty(out, "no instances");
      return;
    }
    TextTable table =
        new TextTable()
            .column("server", false)
            .column("state", false)
            .column("active", false)
            .column("standby", false);
    for (JsonNode instance : instances) {
      table.row(
          TextTable.text(instance.get("server")),
          TextTable.text(instance.get("state")),
          partitions(instance.path("active").path("partitions")),
          partitions(instance.path("standby").path("partitions")));
    }
    table.print(out);
  }

  private static void empty(PrintWriter out, String line) {
    out.println(line);
    out.flush();
  }

  /** Every label name of any series, sorted: series of one answer may differ in labels. */
  private static SortedSet<String> labelNames(JsonNode series) {
    SortedSet<String> names = new TreeSet<>();
    series.forEach(one -> one.path("labels").fieldNames().forEachRemaining(names::add));
    return names;
  }

  private static List<String> labelValues(JsonNode series, Set<String> labels) {
    List<String> values = new ArrayList<>();
    labels.forEach(label -> values.add(TextTable.text(series.path("labels").get(label))));
    return values;
  }

  private static String list(JsonNode values) {
    StringJoiner joined = new StringJoiner(",");
    values.forEach(value -> joined.add(value.asText()));
    return joined.length() == 0 ? TextTable.NONE : joined.toString();
  }

  /** Partition numbers with runs collapsed: {@code [0,1,2,3,7]} is {@code 0-3,7}. */
  static String partitions(JsonNode numbers) {
    List<Integer> sorted = new ArrayList<>();
    numbers.forEach(number -> sorted.add(number.asInt()));
    if (sorted.isEmpty()) {
      return TextTable.NONE;
    }
    sorted.sort(null);
    StringJoiner ranges = new StringJoiner(",");
    int first = sorted.get(0);
    int last = first;
    for (int p : sorted.subList(1, sorted.size())) {
      if (p != last + 1) {
        ranges.add(first == last ? "" + first : first + "-" + last);
        first = p;
      }
      last = p;
    }
    ranges.add(first == last ? "" + first : first + "-" + last);
    return ranges.toString();
  }
}
