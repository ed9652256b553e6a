package dev.tally.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tally query}: asks a running Tally's query API (docs/api.md) and prints the answer as a
 * table, or with {@code --json} as the server wrote it.
 *
 * <pre>{@code
 * tally query totals ack_timeouts_total --by service
 * tally query range delivery_latency_seconds --from -10m --resolution 10s --agg p99 --by service
 * }</pre>
 */
@Command(
    name = "query",
    mixinStandardHelpOptions = true,
    versionProvider = TallyCli.Version.class,
    description = "Ask a running Tally for metrics, series, totals and per-window values.",
    synopsisSubcommandLabel = "COMMAND")
final class QueryCommand implements Callable<Integer> {
  @Spec private CommandSpec spec;

  private QueryCommand() {}

  static CommandLine commandLine(CliEnvironment environment) {
    return new CommandLine(new QueryCommand())
        .addSubcommand(new Metrics(environment))
        .addSubcommand(new Series(environment))
        .addSubcommand(new Totals(environment))
        .addSubcommand(new Range(environment))
        .addSubcommand(new Instances(environment));
  }

  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(), "Missing required subcommand");
  }

  /** How an answer is shown as a table. */
  private interface Printer {
    void print(JsonNode answer, PrintWriter out, PrintWriter err);
  }

  /** GETs {@code path} and prints the answer: as it is with {@code --json}, else as a table. */
  private static int ask(
      CliEnvironment environment,
      CommandSpec spec,
      QueryOptions options,
      String path,
      QueryClient.Params params,
      Printer printer) {
    QueryClient client = options.client(environment);
    String body = client.get(path, params);
    PrintWriter out = spec.commandLine().getOut();
    if (options.json()) {
      out.print(body);
      if (!body.endsWith("\n")) {
        out.println();
      }
      out.flush();
    } else {
      printer.print(client.parse(body), out, spec.commandLine().getErr());
    }
    return 0;
  }

  @Command(
      name = "metrics",
      mixinStandardHelpOptions = true,
      versionProvider = TallyCli.Version.class,
      description = "The catalog: every metric with its type, unit, labels and windows.")
  static final class Metrics implements Callable<Integer> {
    @Spec private CommandSpec spec;
    @Mixin private QueryOptions options;

    @Option(
        names = "--filter",
        paramLabel = "TEXT",
        description = "Only metrics whose name contains TEXT (any case; the table only).")
    private String filter;

    private final CliEnvironment environment;

    Metrics(CliEnvironment environment) {
      this.environment = environment;
    }

    @Override
    public Integer call() {
      return ask(
          environment,
          spec,
          options,
          "/api/v1/metrics",
          new QueryClient.Params(),
          (answer, out, err) -> QueryTables.metrics(answer, filter, out));
    }
  }

  @Command(
      name = "series",
      mixinStandardHelpOptions = true,
      versionProvider = TallyCli.Version.class,
      description = "The live label sets of a metric.")
  static final class Series implements Callable<Integer> {
    @Spec private CommandSpec spec;
    @Mixin private QueryOptions options;
    @Mixin private Selection selection;
    private final CliEnvironment environment;

    Series(CliEnvironment environment) {
      this.environment = environment;
    }

    @Override
    public Integer call() {
      return ask(
          environment,
          spec,
          options,
          "/api/v1/series",
          selection.params(),
          (answer, out, err) -> QueryTables.series(answer, out));
    }
  }

  @Command(
      name = "totals",
      mixinStandardHelpOptions = true,
      versionProvider = TallyCli.Version.class,
      description = "Cumulative values as /metrics exports them: totals, counts, sums, quantiles.")
  static final class Totals implements Callable<Integer> {
    @Spec private CommandSpec spec;
    @Mixin private QueryOptions options;
    @Mixin private Selection selection;

    @Option(names = "--by", paramLabel = "LABEL,...", description = BY)
    private String by;

    @Option(
        names = "--q",
        paramLabel = "Q,...",
        description = "Quantiles of a histogram (server default: 0.5,0.9,0.99).")
    private String quantiles;

    private final CliEnvironment environment;

    Totals(CliEnvironment environment) {
      this.environment = environment;
    }

    @Override
    public Integer call() {
      return ask(
          environment,
          spec,
          options,
          "/api/v1/totals",
          selection.params().add("by", by).add("q", quantiles),
          (answer, out, err) -> QueryTables.totals(answer, out));
    }
  }

  @Command(
      name = "range",
      mixinStandardHelpOptions = true,
      versionProvider = TallyCli.Version.class,
      description = "Values per window of a resolution over a time range: one row per window.")
  static final class Range implements Callable<Integer> {
    @Spec private CommandSpec spec;
    @Mixin private QueryOptions options;
    @Mixin private Selection selection;

    @Option(
        names = "--from",
        paramLabel = "TIME",
        description =
            "Start: RFC 3339, epoch ms, now or -1h, -15m, -30s, -2d (server default -1h).")
    private String from;

    @Option(names = "--to", paramLabel = "TIME", description = "End (server default: now).")
    private String to;

    @Option(
        names = "--resolution",
        paramLabel = "WINDOW",
        description = "One of the metric's windows, e.g. 10s, 1m (default: the finest).")
    private String resolution;

    @Option(
        names = "--agg",
        paramLabel = "AGG",
        description =
            "Value per window: counter sum, count, rate; histogram count, sum, rate, avg, p50,"
                + " p90, p95, p99, p999, buckets; ratio value (default: the first of each).")
    private String agg;

    @Option(names = "--by", paramLabel = "LABEL,...", description = BY)
    private String by;

    @Option(
        names = "--allow-stale",
        description = "Read standby copies of partitions whose active copy is unavailable.")
    private boolean allowStale;

    private final CliEnvironment environment;

    Range(CliEnvironment environment) {
      this.environment = environment;
    }

    @Override
    public Integer call() {
      QueryClient.Params params =
          selection
              .params()
              .add("from", from)
              .add("to", to)
              .add("resolution", resolution)
              .add("agg", agg)
              .add("by", by)
              .add("allowStale", allowStale ? "true" : null);
      return ask(environment, spec, options, "/api/v1/query", params, QueryTables::range);
    }
  }

  @Command(
      name = "instances",
      mixinStandardHelpOptions = true,
      versionProvider = TallyCli.Version.class,
      description = "Every instance of the application with its state and partitions.")
  static final class Instances implements Callable<Integer> {
    @Spec private CommandSpec spec;
    @Mixin private QueryOptions options;
    private final CliEnvironment environment;

    Instances(CliEnvironment environment) {
      this.environment = environment;
    }

    @Override
    public Integer call() {
      return ask(
          environment,
          spec,
          options,
          "/api/v1/instances",
          new QueryClient.Params(),
          (answer, out, err) -> QueryTables.instances(answer, out));
    }
  }

  private static final String BY =
      "Sum per value of these labels (histograms merged); an empty value sums everything.";

  /** A metric and the matchers that pick its series. */
  static final class Selection {
    @Parameters(index = "0", paramLabel = "METRIC", description = "The metric's name.")
    private String metric;

    @Option(
        names = "--match",
        paramLabel = "MATCHER",
        description =
            "label=value, label!=value, label=~regex or label!~regex (regexes match the whole"
                + " value); repeat to require several.")
    private List<String> matchers = new ArrayList<>();

    QueryClient.Params params() {
      return new QueryClient.Params().add("metric", metric).addEach("match", matchers);
    }
  }
}
