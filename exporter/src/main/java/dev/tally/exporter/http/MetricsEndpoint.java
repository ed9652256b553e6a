package dev.tally.exporter.http;

import dev.tally.exporter.exposition.AcceptNegotiation;
import dev.tally.exporter.exposition.Scrape;
import dev.tally.exporter.exposition.ScrapeFormat;
import io.javalin.http.Context;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.config.ExporterHttpServerProperties;
import io.prometheus.metrics.config.ExporterProperties;
import io.prometheus.metrics.config.PrometheusProperties;
import io.prometheus.metrics.exporter.common.PrometheusScrapeHandler;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * {@code /metrics}: one scrape read from the stores and written whole in the format the {@code
 * Accept} header prefers ({@link AcceptNegotiation}), gzipped while it is written ({@link
 * BackgroundGzip}) when the client accepts gzip. No acceptable format is a 406.
 *
 * <p>client_java's scrape handler answers what only it can: {@code name[]} filters, {@code debug}
 * and an escaping scheme that renames classic names (dots or values escaping).
 */
final class MetricsEndpoint {
  /** The {@code debug} values client_java's handler knows; anything else is a bad request. */
  private static final Set<String> DEBUG_FORMATS =
      Set.of("openmetrics", "text", "prometheus-protobuf");

  private final Supplier<Scrape> scrape;
  private final PrometheusScrapeHandler withCreated;
  private final PrometheusScrapeHandler withoutCreated;
  private final ExpositionFormats formats;

  /** Sizes of the last scrapes, to size the next one's buffer; hints, hence not atomic. */
  private volatile int lastSize = 64 * 1024;

  private volatile int lastGzipSize = 64 * 1024;

  /** Compresses gzipped scrapes, one task per scrape in progress. */
  private final ExecutorService gzipExecutor =
      Executors.newCachedThreadPool(
          runnable -> {
            Thread thread = new Thread(runnable, "tally-gzip");
            thread.setDaemon(true);
            return thread;
          });

  MetricsEndpoint(PrometheusRegistry registry, Supplier<Scrape> scrape) {
    // Built here rather than read from prometheus.properties / system properties: each Tally
    // instance configures its own endpoint.
    this.scrape = scrape;
    this.withCreated = new PrometheusScrapeHandler(properties(true), registry);
    this.withoutCreated = new PrometheusScrapeHandler(properties(false), registry);
    this.formats = ExpositionFormats.init(properties(false));
  }

  void get(Context ctx) throws IOException {
    Map<String, String> query = query(ctx.queryString());
    String debug = query.get("debug");
    if (debug != null && !DEBUG_FORMATS.contains(debug)) {
      throw ApiException.badRequest(
          "debug must be one of openmetrics, text, prometheus-protobuf; got '" + debug + "'");
    }
    String accept = ctx.header("Accept");
    if (debug != null || query.containsKey("name[]") || renamesNames(accept)) {
      clientJava(ctx, accept);
      return;
    }
    ScrapeFormat format = negotiate(accept);
    ctx.contentType(format.contentType());
    ctx.header("Vary", "Accept-Encoding");
    // The whole body is made in memory, then sent: a failure while writing still gets an error
    // response, never a short 200 that a scraper would take for a complete scrape.
    if (acceptsGzip(ctx.header("Accept-Encoding"))) {
      // Gzipped here, on a second thread while the scrape is written (BackgroundGzip): the
      // server's own compression would only start once the whole body is written, which made
      // gzipped scrapes about 1.5 times slower (docs/performance.md).
      ByteArrayOutputStream body = new ByteArrayOutputStream(lastGzipSize + 64 * 1024);
      BackgroundGzip gzipped = new BackgroundGzip(body, gzipExecutor);
      try {
        format.write(gzipped, scrape.get());
        gzipped.close();
      } catch (IOException | RuntimeException e) {
        gzipped.abandon();
        throw e;
      }
      lastGzipSize = body.size();
      // Set here, so the server does not compress again.
      ctx.header("Content-Encoding", "gzip");
      ctx.result(body.toByteArray());
      return;
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream(lastSize + 64 * 1024);
    format.write(body, scrape.get());
    lastSize = body.size();
    ctx.result(body.toByteArray());
  }

  /** Stops the compressor threads. */
  void close() {
    gzipExecutor.shutdownNow();
  }

  /**
   * Whether an {@code Accept-Encoding} header accepts gzip: a {@code gzip} coding without {@code
   * q=0} (RFC 9110 §12.5.3); {@code *} does not count, as scrapers name gzip.
   */
  static boolean acceptsGzip(String acceptEncoding) {
    if (acceptEncoding == null) {
      return false;
    }
    for (String coding : acceptEncoding.split(",")) {
      String[] parts = coding.trim().split(";");
      if (parts[0].trim().equalsIgnoreCase("gzip") && !refused(parts)) {
        return true;
      }
    }
    return false;
  }

  /** {@code gzip;q=0} means "not gzip". */
  private static boolean refused(String[] parts) {
    for (int i = 1; i < parts.length; i++) {
      String p = parts[i].trim().toLowerCase(java.util.Locale.ROOT);
      if (p.startsWith("q=")) {
        try {
          return Double.parseDouble(p.substring(2)) == 0;
        } catch (NumberFormatException e) {
          return false;
        }
      }
    }
    return false;
  }

  /** What {@code GET} would send, without reading the stores. */
  void head(Context ctx) {
    String accept = ctx.header("Accept");
    if (!renamesNames(accept)) {
      ctx.contentType(negotiate(accept).contentType());
    }
  }

  private static ScrapeFormat negotiate(String accept) {
    return AcceptNegotiation.negotiate(accept)
        .orElseThrow(
            () ->
                new ApiException(
                    406,
                    "no acceptable format; this endpoint offers "
                        + ScrapeFormat.PROMETHEUS_TEXT.contentType()
                        + ", "
                        + ScrapeFormat.OPENMETRICS.contentType()
                        + " and "
                        + ScrapeFormat.PROTOBUF.contentType()));
  }

  private void clientJava(Context ctx, String accept) throws IOException {
    boolean openMetrics = formats.findWriter(accept) instanceof OpenMetricsTextFormatWriter;
    ctx.minSizeForCompression(0);
    (openMetrics ? withCreated : withoutCreated).handleRequest(new ContextExchange(ctx));
  }

  /**
   * Whether the escaping scheme asked for renames classic names (dots escaping doubles
   * underscores); underscore escaping (Prometheus' default) and UTF-8 leave them as they are.
   */
  private static boolean renamesNames(String accept) {
    try {
      EscapingScheme scheme = EscapingScheme.fromAcceptHeader(accept);
      return scheme != EscapingScheme.UNDERSCORE_ESCAPING && scheme != EscapingScheme.ALLOW_UTF8;
    } catch (IllegalArgumentException e) {
      return true; // client_java's handler answers an unknown scheme
    }
  }

  /** The first value of each query parameter. */
  private static Map<String, String> query(String rawQuery) {
    Map<String, String> params = new java.util.HashMap<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return params;
    }
    for (String pair : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      String name = decode(eq < 0 ? pair : pair.substring(0, eq));
      String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
      params.putIfAbsent(name, value);
    }
    return params;
  }

  private static String decode(String text) {
    try {
      return URLDecoder.decode(text, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("malformed query string: " + e.getMessage());
    }
  }

  private static PrometheusProperties properties(boolean createdTimestamps) {
    return PrometheusProperties.builder()
        .exporterProperties(
            ExporterProperties.builder().includeCreatedTimestamps(createdTimestamps).build())
        // The server compresses, at the fastest level, as it does the direct scrapes.
        .exporterHttpServerProperties(
            ExporterHttpServerProperties.builder().preferUncompressedResponse(true).build())
        .build();
  }
}
