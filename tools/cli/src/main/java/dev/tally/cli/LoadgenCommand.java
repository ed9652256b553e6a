package dev.tally.cli;

import dev.tally.loadgen.EventLoad;
import dev.tally.loadgen.LoadRunner;
import dev.tally.loadgen.Progress;
import dev.tally.loadgen.ServiceShape;
import dev.tally.loadgen.TruthFile;
import dev.tally.loadgen.Verify;
import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code tally loadgen}: sends a generated load to Kafka and writes what Tally must then show
 * ({@code --truth FILE}); with {@code --verify URL...}, holds running Tally instances to such a
 * file instead. docs/loadgen.md describes both.
 */
@Command(
    name = "loadgen",
    mixinStandardHelpOptions = true,
    versionProvider = TallyCli.Version.class,
    sortOptions = false,
    description = {
      "Send generated events to Kafka; --truth writes the totals Tally must show.",
      "With --verify, compare running instances' /metrics with such a file instead.",
      "Exit codes: 0 done (or every series matches), 1 failure (or a series differs), 2 usage."
    })
final class LoadgenCommand implements Callable<Integer> {
  @Spec private CommandSpec spec;

  @Option(
      names = "--rate",
      paramLabel = "N|max",
      defaultValue = "1000",
      description = "Records per second, or max (default: ${DEFAULT-VALUE}).")
  private String rate;

  @ArgGroup(exclusive = true)
  private Amount amount;

  static final class Amount {
    @Option(
        names = "--events",
        paramLabel = "N",
        description = "Records to send, re-sent copies included (default: 10000).")
    Long events;

    @Option(
        names = "--duration",
        paramLabel = "DURATION",
        converter = DurationConverter.class,
        description = "Send for this long instead, e.g. 30s, 5m.")
    Duration duration;
  }

  @Option(
      names = "--services",
      paramLabel = "NAME",
      split = ",",
      defaultValue = "mixed",
      description =
          "Services to simulate: mixed (every event family), im-gateway, api-gateway, job-worker"
              + " (default: ${DEFAULT-VALUE}).")
  private List<String> services;

  @Option(
      names = "--instances",
      paramLabel = "N",
      defaultValue = "3",
      description = "Instances per service (default: ${DEFAULT-VALUE}).")
  private int instances;

  @Option(
      names = "--cardinality",
      paramLabel = "N",
      defaultValue = "3",
      description =
          "Distinct caches, queues, routes, actions and pools per simulated service"
              + " (default: ${DEFAULT-VALUE}).")
  private int cardinality;

  @Option(
      names = "--latency-median-ms",
      paramLabel = "MS",
      defaultValue = "40",
      description =
          "Median delivery latency; other latencies scale with it (default: ${DEFAULT-VALUE}).")
  private double latencyMedianMs;

  @Option(
      names = "--latency-sigma",
      paramLabel = "S",
      defaultValue = "0.8",
      description = "Log-normal sigma of every latency (default: ${DEFAULT-VALUE}).")
  private double latencySigma;

  @Option(
      names = "--late",
      paramLabel = "FRACTION",
      defaultValue = "0",
      description = "Share of events stamped 60 s back: late for their window, still in totals.")
  private double late;

  @Option(
      names = "--out-of-order",
      paramLabel = "FRACTION",
      defaultValue = "0",
      description = "Share of events stamped up to 5 s back (within the grace).")
  private double outOfOrder;

  @Option(
      names = "--invalid",
      paramLabel = "FRACTION",
      defaultValue = "0",
      description = "Share of records that break the contract (Tally rejects them).")
  private double invalid;

  @Option(
      names = "--duplicate",
      paramLabel = "FRACTION",
      defaultValue = "0",
      description = "Share of valid events sent twice with one event_id (counted once).")
  private double duplicate;

  @Option(
      names = "--seed",
      paramLabel = "N",
      description = "Seed of the load (default: random; printed, so a run can be repeated).")
  private Long seed;

  @Option(
      names = "--bootstrap-servers",
      paramLabel = "HOST:PORT",
      description =
          "Kafka (default: the configured bootstrap.servers: --config, "
              + KafkaTarget.BOOTSTRAP_SERVERS_ENV
              + " or TALLY_BOOTSTRAP_SERVERS).")
  private String bootstrapServers;

  @Option(names = "--config", paramLabel = "FILE", description = "Tally configuration file.")
  private Path config;

  @Option(
      names = "--topic",
      paramLabel = "TOPIC",
      description = "One topic for every service (default: one per service, PREFIX<service>).")
  private String topic;

  @Option(
      names = "--topic-prefix",
      paramLabel = "PREFIX",
      defaultValue = "events.",
      description = "Prefix of the per-service topics (default: ${DEFAULT-VALUE}).")
  private String topicPrefix;

  @Option(
      names = "--partitions",
      paramLabel = "N",
      defaultValue = "3",
      description = "Partitions of topics it creates (default: ${DEFAULT-VALUE}).")
  private int partitions;

  @Option(
      names = "--truth",
      paramLabel = "FILE",
      description = "Where to write the ground truth (JSON); with --verify, the file to check.")
  private Path truth;

  @Option(
      names = "--verify",
      paramLabel = "URL",
      arity = "1..*",
      description = "Scrape these /metrics URLs, sum them and compare with --truth; sends nothing.")
  private List<URI> verify;

  // With --verify: --user (password from $TALLY_PASSWORD or --password-file) and --cacert, as
  // for tally query.
  @Mixin private HttpLogin login;

  private final CliEnvironment environment;

  LoadgenCommand(CliEnvironment environment) {
    this.environment = environment;
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    if (verify != null) {
      return verify(out);
    }
    EventLoad load = load();
    String servers = bootstrapServers();
    LoadRunner.Builder run =
        LoadRunner.builder(servers, load)
            .partitions(partitions)
            .progress(Progress.onTerminal(out, System.console() != null));
    if (!rate.equalsIgnoreCase("max")) {
      run.rate(positive("--rate", parseRate()));
    }
    if (amount != null && amount.duration != null) {
      run.duration(amount.duration);
    } else {
      run.events(amount != null && amount.events != null ? amount.events : 10_000);
    }
    out.printf(
        Locale.ROOT,
        "sending to %s (%s), seed %d%n",
        servers,
        String.join(", ", load.topics()),
        seed);
    out.flush();
    LoadRunner.Result result;
    try {
      result = run.build().run();
    } catch (IllegalStateException e) {
      throw new CliFailure(e.getMessage(), e);
    }
    double seconds = Math.max(result.elapsed().toNanos() / 1e9, 1e-9);
    out.printf(
        Locale.ROOT,
        "sent %,d records (%,d valid, %,d invalid, %,d re-sent) in %.1f s, %,.0f/s; %,d errors%n",
        result.sent(),
        result.truth().valid(),
        result.truth().rejected(),
        result.truth().resent(),
        seconds,
        result.sent() / seconds,
        result.errors());
    if (truth != null) {
      TruthFile.write(result.truth(), description(servers, load), truth);
      out.printf(
          Locale.ROOT, "ground truth: %s (%,d series)%n", truth, result.truth().series().size());
    }
    if (result.errors() > 0) {
      out.println("records that failed to send are not in the ground truth");
    }
    out.flush();
    return 0;
  }

  private int verify(PrintWriter out) throws InterruptedException {
    if (truth == null) {
      throw new ParameterException(spec.commandLine(), "--verify needs --truth FILE");
    }
    Map<String, BigDecimal> expected;
    try {
      expected = TruthFile.readSeries(truth);
    } catch (IOException e) {
      throw new CliFailure("cannot read " + truth + ": " + e.getMessage(), e);
    }
    Map<String, Double> scraped;
    try {
      Map<String, String> env = environment.variables();
      scraped = Verify.scrape(verify, login.ssl(env), login.authorization(env));
    } catch (IOException | IllegalArgumentException e) {
      throw new CliFailure("cannot scrape: " + e.getMessage(), e);
    }
    List<Verify.Mismatch> wrong = Verify.diff(expected, scraped);
    wrong.forEach(out::println);
    if (wrong.isEmpty()) {
      out.printf(
          Locale.ROOT, "all %,d series match over %d scrape(s)%n", expected.size(), verify.size());
    } else {
      out.printf(
          Locale.ROOT,
          "%,d of %,d series differ (series, expected, got)%n",
          wrong.size(),
          expected.size());
    }
    out.flush();
    return wrong.isEmpty() ? 0 : 1;
  }

  private EventLoad load() {
    if (seed == null) {
      seed = System.nanoTime();
    }
    List<ServiceShape> shapes = new ArrayList<>();
    try {
      for (String service : services) {
        shapes.add(ServiceShape.of(service));
      }
      EventLoad.Builder load =
          EventLoad.builder()
              .seed(seed)
              .shapes(shapes)
              .instancesPerService(instances)
              .cardinality(cardinality)
              .latencyMedianMs(latencyMedianMs)
              .latencySigma(latencySigma)
              .lateFraction(late)
              .outOfOrderFraction(outOfOrder)
              .badFraction(invalid)
              .duplicateFraction(duplicate)
              .topicPrefix(topicPrefix);
      if (topic != null) {
        load.topic(topic);
      }
      return load.build();
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  private String bootstrapServers() {
    if (bootstrapServers != null) {
      return bootstrapServers;
    }
    return PipelineCommands.loadConfig(Optional.ofNullable(config), environment.variables())
        .bootstrapServers()
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .orElseThrow(
            () ->
                new ParameterException(
                    spec.commandLine(),
                    "no Kafka configured: pass --bootstrap-servers or set "
                        + KafkaTarget.BOOTSTRAP_SERVERS_ENV));
  }

  private double parseRate() {
    try {
      return Double.parseDouble(rate);
    } catch (NumberFormatException e) {
      throw new ParameterException(
          spec.commandLine(), "--rate: '" + rate + "' is neither a number nor max");
    }
  }

  private double positive(String option, double value) {
    if (!(value > 0)) {
      throw new ParameterException(spec.commandLine(), option + " must be positive");
    }
    return value;
  }

  /** How the load was made, so that the truth file says what it is the truth of. */
  private Map<String, Object> description(String servers, EventLoad load) {
    Map<String, Object> d = new TreeMap<>();
    d.put("seed", seed);
    d.put("services", services);
    d.put("instances", instances);
    d.put("cardinality", cardinality);
    d.put("latency_median_ms", latencyMedianMs);
    d.put("latency_sigma", latencySigma);
    d.put("late", late);
    d.put("out_of_order", outOfOrder);
    d.put("invalid", invalid);
    d.put("duplicate", duplicate);
    d.put("rate", rate);
    d.put("topics", load.topics());
    d.put("bootstrap_servers", servers);
    return d;
  }
}
