package dev.tally.exporter.http;

import dev.tally.exporter.exposition.Scrape;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.compression.Gzip;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HttpResponseException;
import io.javalin.json.JavalinJackson;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tally's one HTTP port:
 *
 * <ul>
 *   <li>{@code GET /metrics}: the registry, negotiated as Prometheus text, OpenMetrics text or
 *       Prometheus protobuf (the one that carries native histograms);
 *   <li>{@code GET /health/live}: 200 while the instance can still do its work, else 503 with the
 *       reason (an orchestrator should restart it);
 *   <li>{@code GET /health/ready}: 200 when the stores can answer, else 503 with the reason;
 *   <li>{@code /api/...}: the query API's routes ({@link Builder#api}); 404 where it has none;
 *   <li>pages such as the web console at {@code /} ({@link Builder#pages}).
 * </ul>
 *
 * Unknown paths answer 404 and wrong methods 405, both with a JSON {@code {"error": ...}} body.
 * With basic auth on, every path needs it, health included (a probe sends the header, e.g.
 * Kubernetes' {@code httpGet.httpHeaders}): the port exposes nothing to an anonymous caller. With a
 * TLS context, the port speaks HTTPS only.
 *
 * <p>Built on Javalin 7 (Jetty 12) rather than client_java's {@code HTTPServer}: that one fixes its
 * contexts, serves {@code /metrics} for any method, and its authenticator answers 401 without a
 * body. Errors are values: a handler throws {@link ApiException} (or anything else, which becomes a
 * logged 500) and the server answers with {@link HttpErrors}' JSON.
 *
 * <p>The query API registers its routes through {@link Builder#api}; they run behind the same basic
 * auth, TLS and error handling, and {@code /api/...} paths it does not register answer 404.
 *
 * <pre>{@code
 * try (TallyHttpServer server =
 *     TallyHttpServer.builder().port(0).registry(registry).readiness(() -> Readiness.READY).start()) {
 *   URI metrics = server.url().resolve("metrics");
 * }
 * }</pre>
 */
public final class TallyHttpServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TallyHttpServer.class);

  static {
    // Jetty and Javalin announce every start at INFO (version, connectors, start time); Tally logs
    // its own line. An explicit setting wins.
    quiet("org.eclipse.jetty");
    quiet("io.javalin");
  }

  private static void quiet(String logger) {
    String key = "org.slf4j.simpleLogger.log." + logger;
    if (System.getProperty(key) == null) {
      System.setProperty(key, "warn");
    }
  }

  static final String API_PREFIX = "/api/";

  /** Request headers larger than this get a 431: a scraper or a probe sends a few hundred bytes. */
  static final int MAX_REQUEST_HEADER_BYTES = 8 * 1024;

  /** The paths Tally serves itself, each for GET and HEAD only. */
  private static final Set<String> OWN_PATHS = Set.of("/metrics", "/health/live", "/health/ready");

  private final Javalin app;
  private final MetricsEndpoint metrics;
  private final ServerConnector connector;
  private final String scheme;

  private TallyHttpServer(
      Javalin app, MetricsEndpoint metrics, ServerConnector connector, String scheme) {
    this.app = app;
    this.metrics = metrics;
    this.connector = connector;
    this.scheme = scheme;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The bound port (the free one chosen when port 0 was asked for). */
  public int port() {
    return connector.getLocalPort();
  }

  /** {@code http://localhost:<port>/} or {@code https://...}. */
  public URI url() {
    return URI.create(scheme + "://localhost:" + port() + "/");
  }

  @Override
  public void close() {
    app.stop();
    metrics.close();
  }

  /**
   * A health check: 200 {@code {"status": "<state>"}} while {@code check} says so, else 503 {@code
   * {"reason": ..., "status": "not <state>"}}; a check that throws counts as failing.
   */
  private static Handler health(String state, Supplier<Readiness> check) {
    return ctx -> {
      Readiness r;
      try {
        r = check.get();
      } catch (RuntimeException e) {
        r = Readiness.notReady(state + " check failed: " + e);
      }
      if (r.ready()) {
        HttpErrors.json(ctx, 200, Map.of("status", state));
      } else {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("reason", r.reason());
        body.put("status", "not " + state);
        HttpErrors.json(ctx, 503, body);
      }
    };
  }

  /** Unauthenticated requests end here, whatever the path: nobody learns which paths exist. */
  private static Handler authentication(BasicAuth auth) {
    return ctx -> {
      if (!auth.accepts(ctx.header("Authorization"))) {
        throw new ApiException(
            401,
            "authentication required",
            Map.of(),
            Map.of("WWW-Authenticate", BasicAuth.CHALLENGE));
      }
    };
  }

  /** Javalin's own 404 and 405 (no route for the path or method), as Tally's JSON. */
  private static void noRoute(HttpResponseException e, Context ctx) {
    String path = ctx.path();
    if (OWN_PATHS.contains(path)) {
      HttpErrors.notAllowed(ctx);
    } else if (e.getStatus() == 404 || e.getStatus() == 405) {
      String message =
          path.startsWith(API_PREFIX) || path.equals("/api")
              ? "no query API endpoint at " + path
              : "no such path: " + path;
      HttpErrors.json(ctx, 404, HttpErrors.body(message, Map.of()));
    } else {
      HttpErrors.json(ctx, e.getStatus(), HttpErrors.body(e.getMessage(), Map.of()));
    }
  }

  private static void internalError(Exception e, Context ctx) {
    LOG.warn("HTTP request {} {} failed", ctx.method(), ctx.path(), e);
    ctx.res().resetBuffer();
    HttpErrors.json(ctx, 500, HttpErrors.body("internal error; see Tally's log", Map.of()));
  }

  /** Configures and starts a {@link TallyHttpServer}. */
  public static final class Builder {
    private int port = 8080;
    private InetAddress bindAddress;
    private PrometheusRegistry registry;
    private Supplier<Readiness> readiness;
    private Supplier<Readiness> liveness = () -> Readiness.READY;
    private BasicAuth auth;
    private SSLContext tls;
    private Consumer<RoutesConfig> api = routes -> {};
    private Consumer<RoutesConfig> pages = routes -> {};
    // A query that fans out holds its thread while other instances answer, and they answer it on
    // theirs: more threads than concurrent fan-outs keep instances from waiting on each other
    // until api.timeout. Idle threads cost little; the request queue stays bounded.
    private int threads = 16;
    private Supplier<Scrape> scrape;

    private Builder() {}

    /** 0 binds a free port; {@link #port()} tells which. */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /** The address to listen on; all interfaces when unset. */
    public Builder bindAddress(InetAddress bindAddress) {
      this.bindAddress = bindAddress;
      return this;
    }

    /**
     * What {@code name[]} and {@code debug} scrapes read, through client_java's handler; also the
     * whole scrape when no {@link #scrape} is given.
     */
    public Builder registry(PrometheusRegistry registry) {
      this.registry = registry;
      return this;
    }

    public Builder readiness(Supplier<Readiness> readiness) {
      this.readiness = readiness;
      return this;
    }

    /**
     * What {@code /health/live} answers: 200 while it says ready, else 503 with its reason. Always
     * live by default.
     */
    public Builder liveness(Supplier<Readiness> liveness) {
      this.liveness = Objects.requireNonNull(liveness, "liveness");
      return this;
    }

    /** Requires basic auth on every path; null turns it off. */
    public Builder auth(BasicAuth auth) {
      this.auth = auth;
      return this;
    }

    /** Serves HTTPS only, with {@code tls}; null serves plain HTTP. */
    public Builder tls(SSLContext tls) {
      this.tls = tls;
      return this;
    }

    /** Port, auth and TLS from Tally's configuration. */
    public Builder settings(HttpSettings settings) {
      return port(settings.port())
          .auth(settings.auth().orElse(null))
          .tls(settings.tls().orElse(null));
    }

    /**
     * Registers the query API's routes under {@code /api/}. They run behind the same basic auth and
     * TLS as {@code /metrics}; an {@link ApiException} they throw becomes its JSON error, any other
     * exception a logged 500 without details. {@code /api/...} paths without a route answer 404
     * with a JSON error.
     *
     * <pre>{@code
     * TallyHttpServer.builder()
     *     .api(routes -> routes.get("/api/v1/series/{id}", ctx -> {
     *       Series series = query.series(ctx.pathParam("id"))
     *           .orElseThrow(() -> ApiException.notFound("no series " + ctx.pathParam("id")));
     *       ctx.json(series);
     *     }))
     * }</pre>
     *
     * {@code ctx.json(...)} renders with Jackson.
     */
    public Builder api(Consumer<RoutesConfig> api) {
      this.api = Objects.requireNonNull(api, "api");
      return this;
    }

    /**
     * Registers pages outside {@code /api/}, such as the web console at {@code /}: behind the same
     * basic auth, TLS and error handling as the API's routes.
     */
    public Builder pages(Consumer<RoutesConfig> pages) {
      this.pages = Objects.requireNonNull(pages, "pages");
      return this;
    }

    /** Each call reads one whole scrape for {@code /metrics}: what its writers write. */
    public Builder scrape(Supplier<Scrape> scrape) {
      this.scrape = scrape;
      return this;
    }

    /** Request threads; scrapes, health checks and API requests share them. */
    public Builder threads(int threads) {
      if (threads < 1) {
        throw new IllegalArgumentException("threads must be at least 1, not " + threads);
      }
      this.threads = threads;
      return this;
    }

    /**
     * Binds and starts serving.
     *
     * @throws UncheckedIOException when the port cannot be bound
     */
    public TallyHttpServer start() {
      Objects.requireNonNull(registry, "registry");
      Objects.requireNonNull(readiness, "readiness");
      Supplier<Scrape> scrapes =
          scrape != null ? scrape : () -> new Scrape(List.of(), registry.scrape());
      MetricsEndpoint metrics = new MetricsEndpoint(registry, scrapes);
      ServerConnector[] connector = new ServerConnector[1];
      Javalin app =
          Javalin.create(
              config -> {
                config.startup.showJavalinBanner = false;
                config.startup.showOldJavalinVersionWarning = false;
                config.jsonMapper(new JavalinJackson(HttpErrors.MAPPER, false));
                // The fastest gzip level: the default costs about four times as much CPU as the
                // rest of writing a text scrape, for a body only about a fifth smaller.
                config.http.compressionStrategy = new CompressionStrategy(null, new Gzip(1));
                config.jetty.threadPool = threadPool(threads);
                config.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorHandler()));
                config.jetty.modifyServletContextHandler(
                    context -> context.setErrorHandler(new JsonErrorHandler()));
                config.jetty.modifyHttpConfiguration(
                    http -> {
                      http.setRequestHeaderSize(MAX_REQUEST_HEADER_BYTES);
                      http.setSendServerVersion(false);
                      http.setSendXPoweredBy(false);
                    });
                config.jetty.addConnector(
                    (server, http) -> {
                      connector[0] = connector(server, http, tls);
                      return connector[0];
                    });
                RoutesConfig routes = config.routes;
                if (auth != null) {
                  routes.before(authentication(auth));
                }
                routes.get("/metrics", metrics::get);
                routes.head("/metrics", metrics::head);
                for (var check : Map.of("live", liveness, "ready", readiness).entrySet()) {
                  Handler handler = health(check.getKey(), check.getValue());
                  routes.get("/health/" + check.getKey(), handler);
                  routes.head("/health/" + check.getKey(), handler);
                }
                api.accept(routes);
                pages.accept(routes);
                routes.exception(ApiException.class, (e, ctx) -> HttpErrors.respond(ctx, e));
                routes.exception(HttpResponseException.class, TallyHttpServer::noRoute);
                routes.exception(Exception.class, TallyHttpServer::internalError);
              });
      try {
        app.start();
      } catch (RuntimeException e) {
        app.stop();
        String address = (bindAddress == null ? "*" : bindAddress.getHostAddress()) + ":" + port;
        throw new UncheckedIOException(
            new IOException("cannot listen on " + address + ": " + rootMessage(e), e));
      }
      return new TallyHttpServer(app, metrics, connector[0], tls == null ? "http" : "https");
    }

    private ServerConnector connector(Server server, HttpConfiguration http, SSLContext tls) {
      HttpConnectionFactory plain = new HttpConnectionFactory(http);
      ServerConnector connector;
      if (tls == null) {
        connector = new ServerConnector(server, 1, 1, plain);
      } else {
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        ssl.setSslContext(tls);
        SecureRequestCustomizer secure = new SecureRequestCustomizer();
        // Like the JDK's server: any Host name, as long as the client trusts the certificate.
        secure.setSniHostCheck(false);
        http.addCustomizer(secure);
        connector =
            new ServerConnector(
                server, 1, 1, new SslConnectionFactory(ssl, plain.getProtocol()), plain);
      }
      connector.setPort(port);
      if (bindAddress != null) {
        connector.setHost(bindAddress.getHostAddress());
      }
      return connector;
    }

    /** {@code threads} for requests, plus the connector's acceptor and selector. */
    private static QueuedThreadPool threadPool(int threads) {
      QueuedThreadPool pool = new QueuedThreadPool(threads + 2, Math.min(threads + 2, 4));
      pool.setName("tally-http");
      pool.setDaemon(true);
      pool.setReservedThreads(0);
      return pool;
    }

    private static String rootMessage(Throwable e) {
      Throwable root = e;
      while (root.getCause() != null) {
        root = root.getCause();
      }
      return root.getMessage() == null ? root.toString() : root.getMessage();
    }
  }
}
