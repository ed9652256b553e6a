package dev.tally.exporter;

import dev.tally.exporter.api.QueryApi;
import dev.tally.exporter.collector.ScrapeReading;
import dev.tally.exporter.collector.TallyCollector;
import dev.tally.exporter.console.Console;
import dev.tally.exporter.exposition.Scrape;
import dev.tally.exporter.http.BasicAuth;
import dev.tally.exporter.http.HttpSettings;
import dev.tally.exporter.http.Readiness;
import dev.tally.exporter.http.TallyHttpServer;
import dev.tally.exporter.jvm.JvmCollector;
import dev.tally.exporter.streams.StreamsMetricsCollector;
import dev.tally.exporter.streams.StreamsReadiness;
import dev.tally.streams.TallyApp;
import dev.tally.streams.catalog.MetricCatalog;
import dev.tally.streams.config.InvalidConfigException;
import dev.tally.streams.config.TallyConfig;
import dev.tally.streams.query.LocalMetricStores;
import dev.tally.streams.query.MetricStores;
import io.javalin.config.RoutesConfig;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Exposes one Tally instance over HTTP: {@code /metrics} (its stores, Kafka Streams client metrics
 * and JVM metrics), {@code /health/live}, {@code /health/ready}, the {@code /api/} prefix and the
 * web console at {@code /}. Holds no process-global state: several exporters can run in one JVM.
 *
 * <pre>{@code
 * try (TallyApp app = TallyApp.create(config);
 *     TallyExporter exporter = TallyExporter.start(app)) {
 *   app.start();
 *   System.out.println("metrics on " + exporter.url().resolve("metrics"));
 *   ...
 * }
 * }</pre>
 *
 * Tests and embedding code assemble one from parts:
 *
 * <pre>{@code
 * TallyExporter exporter =
 *     TallyExporter.builder()
 *         .stores(fakeStores)
 *         .catalog(MetricCatalog.builtin(10_000))
 *         .config(TallyConfig.fromMap(Map.of("http.port", "0")))
 *         .clock(fixedClock)
 *         .readiness(() -> Readiness.READY)
 *         .start();
 * }</pre>
 */
public final class TallyExporter implements AutoCloseable {
  private final PrometheusRegistry registry;
  private final TallyHttpServer server;

  private TallyExporter(PrometheusRegistry registry, TallyHttpServer server) {
    this.registry = registry;
    this.server = server;
  }

  /**
   * Starts exposing {@code app} on {@code http.port} with the auth and TLS settings of its
   * configuration. May be called before or after {@link TallyApp#start()}; until the app runs,
   * {@code /health/ready} answers 503.
   *
   * @throws dev.tally.streams.config.InvalidConfigException naming the key of an unusable HTTP
   *     setting (password file, keystore)
   */
  public static TallyExporter start(TallyApp app) {
    return forApp(app).start();
  }

  /** Counts the store records the reader had to skip, so a skipped record is never silent. */
  private static MultiCollector undecodable(LocalMetricStores stores) {
    CounterWithCallback counter =
        CounterWithCallback.builder()
            .name("tally_store_records_undecodable")
            .help("Store records skipped at scrape time because they could not be decoded.")
            .callback(callback -> callback.call(stores.undecodableRecords()))
            .build();
    return () -> new MetricSnapshots(counter.collect());
  }

  /**
   * A builder filled in from {@code app} as {@link #start(TallyApp)} uses it, for changing a part
   * (the port, say) before starting. Its query API reads every series partition, asking the
   * instances that hold the others: this instance's stores alone hold only its share.
   *
   * @throws dev.tally.streams.config.InvalidConfigException naming the key of an unusable HTTP
   *     setting (password file, keystore)
   */
  public static Builder forApp(TallyApp app) {
    LocalMetricStores stores = app.stores();
    SSLContext tls = HttpSettings.from(app.config()).tls().orElse(null);
    StreamsReadiness streamsReady = StreamsReadiness.of(app.streams());
    return builder()
        .stores(stores)
        .catalog(app.catalog())
        .config(app.config())
        .streams(app.streams())
        .collector(undecodable(stores))
        .ratiosWhen(
            () ->
                app.streams().state() == KafkaStreams.State.RUNNING
                    && LocalMetricStores.activeSeriesPartitions(app.streams()).size()
                        == app.config().seriesPartitions())
        .api(QueryApi.forStreams(app.streams(), stores, app.catalog(), app.config(), tls).routes())
        .readiness(
            () ->
                app.deadReason()
                    .or(app::idleReason)
                    .map(Readiness::notReady)
                    .orElseGet(streamsReady))
        .liveness(() -> app.deadReason().map(Readiness::notReady).orElse(Readiness.READY));
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The bound port; the free one chosen when {@code http.port} is 0. */
  public int port() {
    return server.port();
  }

  /** The base URL, e.g. {@code http://localhost:8080/}. */
  public URI url() {
    return server.url();
  }

  /** The registry behind {@code /metrics}, for in-process scrapes. */
  public PrometheusRegistry registry() {
    return registry;
  }

  @Override
  public void close() {
    server.close();
  }

  /**
   * A scrape that reads the stores once: the catalog's series as read, for the direct writers, and
   * the other collectors' families with Tally's own (from the same reading) as snapshots. No
   * catalog family can share a name with the others: the catalog refuses the {@code tally_}, {@code
   * jvm_} and {@code process_} prefixes, and the reading leaves out any that clashes with Tally's
   * own.
   */
  private static Scrape scrape(CombinedCollector others, TallyCollector tally) {
    ScrapeReading reading = tally.read();
    return new Scrape(reading.catalog(), others.collectWith(reading.ownSnapshots()));
  }

  /** Assembles a {@link TallyExporter}; stores and catalog are required. */
  public static final class Builder {
    private final TallyCollector.Builder collector = TallyCollector.builder();
    private final TallyHttpServer.Builder http = TallyHttpServer.builder();
    private KafkaStreams streams;
    private Supplier<Readiness> readiness;
    private MetricStores stores;
    private MetricCatalog catalog;
    private TallyConfig config;
    private Clock clock = Clock.systemUTC();
    private boolean apiSet;
    private boolean jvmMetrics = true;
    private boolean console = true;
    private final List<MultiCollector> extra = new ArrayList<>();

    private Builder() {}

    /** See {@link TallyCollector.Builder#ratiosWhen}. */
    public Builder ratiosWhen(BooleanSupplier ownsEverySeriesPartition) {
      collector.ratiosWhen(ownsEverySeriesPartition);
      return this;
    }

    public Builder stores(MetricStores stores) {
      collector.stores(stores);
      this.stores = stores;
      return this;
    }

    public Builder catalog(MetricCatalog catalog) {
      collector.catalog(catalog);
      this.catalog = catalog;
      return this;
    }

    /**
     * Gauge TTL, window grace and windows, and the HTTP port, auth and TLS, from {@code config}.
     *
     * @throws dev.tally.streams.config.InvalidConfigException naming the key of an unusable HTTP
     *     setting
     */
    public Builder config(TallyConfig config) {
      collector.config(config);
      this.config = config;
      http.settings(HttpSettings.from(config));
      return this;
    }

    /** Decides gauge expiry and the last closed window; the system clock by default. */
    public Builder clock(Clock clock) {
      collector.clock(clock);
      this.clock = clock;
      return this;
    }

    /** Bridges this client's metrics and answers readiness from its state. */
    public Builder streams(KafkaStreams streams) {
      this.streams = streams;
      return this;
    }

    /** Overrides what {@code /health/ready} answers (ready by default without streams). */
    public Builder readiness(Supplier<Readiness> readiness) {
      this.readiness = readiness;
      return this;
    }

    /** What {@code /health/live} answers; always live by default. */
    public Builder liveness(Supplier<Readiness> liveness) {
      http.liveness(liveness);
      return this;
    }

    public Builder port(int port) {
      http.port(port);
      return this;
    }

    public Builder bindAddress(InetAddress address) {
      http.bindAddress(address);
      return this;
    }

    public Builder auth(BasicAuth auth) {
      http.auth(auth);
      return this;
    }

    public Builder tls(SSLContext tls) {
      http.tls(tls);
      return this;
    }

    /**
     * Registers the query API's routes under {@code /api/}, behind the same auth, TLS and error
     * handling as {@code /metrics}; see {@link TallyHttpServer.Builder#api}.
     *
     * <pre>{@code
     * TallyExporter.forApp(app)
     *     .api(routes -> routes.get("/api/v1/metrics", ctx -> ctx.json(catalog.names())))
     *     .start();
     * }</pre>
     */
    public Builder api(Consumer<RoutesConfig> api) {
      http.api(api);
      this.apiSet = true;
      return this;
    }

    /** Exposes {@code collector}'s families too, before the catalog's. */
    public Builder collector(MultiCollector collector) {
      extra.add(Objects.requireNonNull(collector, "collector"));
      return this;
    }

    /** Whether to expose client_java's JVM and process metrics (on by default). */
    public Builder jvmMetrics(boolean jvmMetrics) {
      this.jvmMetrics = jvmMetrics;
      return this;
    }

    /** Whether to serve the web console at {@code /} (on by default). */
    public Builder console(boolean console) {
      this.console = console;
      return this;
    }

    /**
     * Starts serving.
     *
     * @throws InvalidConfigException naming {@code http.port} when the port cannot be bound
     */
    public TallyExporter start() {
      // Priority order: a later family that shares a name with an earlier one is dropped.
      List<MultiCollector> others = new ArrayList<>();
      if (jvmMetrics) {
        others.add(new JvmCollector());
      }
      if (streams != null) {
        others.add(StreamsMetricsCollector.of(streams));
      }
      others.addAll(extra);
      TallyCollector tally = collector.build();
      List<MultiCollector> all = new ArrayList<>(others);
      all.add(tally);
      PrometheusRegistry registry = new PrometheusRegistry();
      registry.register(new CombinedCollector(all));
      CombinedCollector small = new CombinedCollector(others);
      http.scrape(() -> scrape(small, tally));
      if (!apiSet && stores != null && catalog != null) {
        // Without Kafka Streams metadata these stores hold every series: no fan-out.
        TallyConfig settings = config == null ? TallyConfig.fromMap(Map.of()) : config;
        http.api(QueryApi.forStores(stores, catalog, settings, clock).routes());
      }
      if (console) {
        http.pages(Console.routes());
      }
      Supplier<Readiness> ready =
          Objects.requireNonNullElseGet(
              readiness,
              () -> streams == null ? () -> Readiness.READY : StreamsReadiness.of(streams));
      try {
        return new TallyExporter(registry, http.registry(registry).readiness(ready).start());
      } catch (UncheckedIOException e) {
        throw new InvalidConfigException(TallyConfig.HTTP_PORT, e.getMessage());
      }
    }
  }
}
