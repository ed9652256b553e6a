package dev.tally.exporter.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
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
 *   <li>{@code /api/...}: the query API's place; 404 until it has endpoints.
 * </ul>
 *
 * Unknown paths answer 404 and wrong methods 405, both with a JSON {@code {"error": ...}} body.
 * With basic auth on, every path needs it, health included (a probe sends the header, e.g.
 * Kubernetes' {@code httpGet.httpHeaders}): the port exposes nothing to an anonymous caller. With a
 * TLS context, the port speaks HTTPS only.
 *
 * <p>Built on the JDK's {@code HttpServer} with client_java's scrape handler rather than
 * client_java's {@code HTTPServer}: that one fixes its contexts, serves {@code /metrics} for any
 * method, and its authenticator answers 401 without a body.
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
    // The JDK server leaves Nagle's algorithm on, so the last small write of a chunked body (a
    // gzipped scrape) waits for the client's delayed ACK: about 40 ms added to every scrape. The
    // switch is JVM-wide and read when the first JDK HTTP server starts; an explicit setting wins.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }

  private static final Set<String> READ = Set.of("GET", "HEAD");
  static final String API_PREFIX = "/api/";

  /** {@code methods} empty: the handler takes any method. */
  private record Route(Set<String> methods, HttpHandler handler) {}

  private final HttpServer server;
  private final ExecutorService executor;
  private final ExecutorService gzipExecutor;
  private final String scheme;

  private TallyHttpServer(
      HttpServer server, ExecutorService executor, ExecutorService gzipExecutor, String scheme) {
    this.server = server;
    this.executor = executor;
    this.gzipExecutor = gzipExecutor;
    this.scheme = scheme;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The bound port (the free one chosen when port 0 was asked for). */
  public int port() {
    return server.getAddress().getPort();
  }

  /** {@code http://localhost:<port>/} or {@code https://...}. */
  public URI url() {
    return URI.create(scheme + "://localhost:" + port() + "/");
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    gzipExecutor.shutdownNow();
  }

  /** Routes every request; one context, so that unknown paths get Tally's JSON 404 too. */
  private static final class Router implements HttpHandler {
    private final Map<String, Route> routes;
    private final Route api;
    private final BasicAuth auth;

    Router(Map<String, Route> routes, Route api, BasicAuth auth) {
      this.routes = routes;
      this.api = api;
      this.auth = auth;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
      try {
        route(exchange);
      } catch (RuntimeException e) {
        LOG.warn("HTTP request {} failed", exchange.getRequestURI(), e);
        if (exchange.getResponseCode() == -1) {
          JsonResponses.error(exchange, 500, "internal error; see Tally's log");
        }
      } finally {
        exchange.close();
      }
    }

    private void route(HttpExchange exchange) throws IOException {
      String path = exchange.getRequestURI().getPath();
      Route route = routes.get(path);
      if (route == null && (path.startsWith(API_PREFIX) || path.equals("/api"))) {
        route = api;
      }
      // Unknown paths need credentials too: without them nobody learns which paths exist.
      if (auth != null && !authorized(exchange)) {
        exchange.getResponseHeaders().set("WWW-Authenticate", BasicAuth.CHALLENGE);
        JsonResponses.error(exchange, 401, "authentication required");
        return;
      }
      if (route == null) {
        JsonResponses.error(exchange, 404, "no such path: " + path);
        return;
      }
      String method = exchange.getRequestMethod();
      if (!route.methods().isEmpty() && !route.methods().contains(method)) {
        exchange.getResponseHeaders().set("Allow", String.join(", ", sorted(route.methods())));
        JsonResponses.error(exchange, 405, method + " is not allowed on " + path);
        return;
      }
      route.handler().handle(exchange);
    }

    private boolean authorized(HttpExchange exchange) {
      return auth.accepts(exchange.getRequestHeaders().getFirst("Authorization"));
    }

    private static List<String> sorted(Set<String> methods) {
      return methods.stream().sorted().toList();
    }
  }

  /**
   * A health check: 200 {@code {"status": "<state>"}} while {@code check} says so, else 503 {@code
   * {"status": "not <state>", "reason": ...}}; a check that throws counts as failing.
   */
  private static HttpHandler health(String state, Supplier<Readiness> check) {
    return exchange -> {
      Readiness r;
      try {
        r = check.get();
      } catch (RuntimeException e) {
        r = Readiness.notReady(state + " check failed: " + e);
      }
      if (r.ready()) {
        JsonResponses.send(exchange, 200, Map.of("status", state));
      } else {
        JsonResponses.send(exchange, 503, Map.of("status", "not " + state, "reason", r.reason()));
      }
    };
  }

  private static void noApiYet(HttpExchange exchange) throws IOException {
    JsonResponses.error(
        exchange, 404, "no query API endpoint at " + exchange.getRequestURI().getPath());
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
    private HttpHandler api = TallyHttpServer::noApiYet;
    private int threads = 4;
    private Supplier<SplitScrape> split;

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

    /** Serves HTTPS with {@code tls}; null serves plain HTTP. */
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

    /** The handler of {@code /api/...} (the query API); answers 404 until one is given. */
    public Builder api(HttpHandler api) {
      this.api = Objects.requireNonNull(api, "api");
      return this;
    }

    /**
     * The faster way for text scrapes: each call reads one scrape of the same families the registry
     * holds. Without it, client_java's handler serves every scrape.
     */
    public Builder split(Supplier<SplitScrape> split) {
      this.split = split;
      return this;
    }

    /** Request threads; scrapes and health checks share them. */
    public Builder threads(int threads) {
      this.threads = threads;
      return this;
    }

    public TallyHttpServer start() {
      Objects.requireNonNull(registry, "registry");
      Objects.requireNonNull(readiness, "readiness");
      InetSocketAddress address =
          bindAddress == null
              ? new InetSocketAddress(port)
              : new InetSocketAddress(bindAddress, port);
      HttpServer server;
      try {
        if (tls == null) {
          server = HttpServer.create(address, 0);
        } else {
          HttpsServer https = HttpsServer.create(address, 0);
          https.setHttpsConfigurator(new HttpsConfigurator(tls));
          server = https;
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot listen on " + address + ": " + e.getMessage(), e);
      }
      ExecutorService gzipExecutor =
          Executors.newFixedThreadPool(threads, threadFactory("tally-gzip-"));
      Map<String, Route> routes =
          Map.of(
              "/metrics", new Route(READ, new MetricsEndpoint(registry, split, gzipExecutor)),
              "/health/live", new Route(READ, health("live", liveness)),
              "/health/ready", new Route(READ, health("ready", readiness)));
      Route apiRoute = new Route(Set.of(), api);
      server.createContext("/", new Router(routes, apiRoute, auth));
      ExecutorService executor =
          Executors.newFixedThreadPool(threads, threadFactory("tally-http-"));
      server.setExecutor(executor);
      server.start();
      return new TallyHttpServer(server, executor, gzipExecutor, tls == null ? "http" : "https");
    }

    private static ThreadFactory threadFactory(String prefix) {
      AtomicInteger n = new AtomicInteger();
      return runnable -> {
        Thread thread = new Thread(runnable, prefix + n.incrementAndGet());
        thread.setDaemon(true);
        return thread;
      };
    }
  }
}
