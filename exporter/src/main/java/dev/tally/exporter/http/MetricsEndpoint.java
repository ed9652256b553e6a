package dev.tally.exporter.http;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.config.ExporterHttpServerProperties;
import io.prometheus.metrics.config.ExporterProperties;
import io.prometheus.metrics.config.PrometheusProperties;
import io.prometheus.metrics.exporter.common.PrometheusScrapeHandler;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusProtobufWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.function.Supplier;

/**
 * {@code /metrics}: client_java's scrape handler (content negotiation between Prometheus text,
 * OpenMetrics text and Prometheus protobuf, {@code name[]} filters, {@code debug}) over one
 * registry, gzipped when the client accepts it.
 *
 * <p>A plain scrape in any of the three formats takes a faster way when a {@link SplitScrape} is
 * given: client_java writes the few families it holds as snapshots, and the bulk of the series
 * writes itself, gzipped on a second thread as it is produced ({@link BackgroundGzip}). Anything
 * else (query parameters such as {@code name[]} or {@code debug}, an escaping scheme that would
 * rename classic names) goes to client_java's handler.
 *
 * <p>Created timestamps go into OpenMetrics text ({@code _created} lines) and protobuf, the formats
 * that define them; Prometheus text has no such notion, and would turn every {@code _created} into
 * a series of its own.
 */
final class MetricsEndpoint implements HttpHandler {
  private final ExpositionFormats formats;
  private final PrometheusScrapeHandler withCreated;
  private final PrometheusScrapeHandler withoutCreated;
  private final ExpositionFormats formatsWithCreated;
  private final Supplier<SplitScrape> split;
  private final ExecutorService gzipExecutor;

  /** Sizes of the last scrapes, to size the next one's buffer; hints, hence not atomic. */
  private volatile int lastGzipSize = 64 * 1024;

  private volatile int lastPlainSize = 64 * 1024;

  /**
   * @param split the fast way for text scrapes, or null for client_java's handler only
   * @param gzipExecutor compresses the fast way's gzipped bodies, one task per scrape
   */
  MetricsEndpoint(
      PrometheusRegistry registry, Supplier<SplitScrape> split, ExecutorService gzipExecutor) {
    // Built here rather than read from prometheus.properties / system properties: each Tally
    // instance configures its own endpoint.
    PrometheusProperties plain = properties(false);
    this.formats = ExpositionFormats.init(plain);
    this.withCreated = new PrometheusScrapeHandler(properties(true), registry);
    this.withoutCreated = new PrometheusScrapeHandler(plain, registry);
    this.formatsWithCreated = ExpositionFormats.init(properties(true));
    this.split = split;
    this.gzipExecutor = gzipExecutor;
  }

  /** The {@code debug} values client_java's handler knows; anything else is a bad request. */
  private static final Set<String> DEBUG_FORMATS =
      Set.of("openmetrics", "text", "prometheus-protobuf");

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    String badDebug = badDebugValue(exchange.getRequestURI().getRawQuery());
    if (badDebug != null) {
      JsonResponses.error(
          exchange,
          400,
          "debug must be one of openmetrics, text, prometheus-protobuf; got '" + badDebug + "'");
      return;
    }
    String accept = exchange.getRequestHeaders().getFirst("Accept");
    ExpositionFormatWriter writer = formats.findWriter(accept);
    if (split != null && splittable(exchange, writer, accept)) {
      writeSplit(exchange, writer);
      return;
    }
    boolean openMetrics = writer instanceof OpenMetricsTextFormatWriter;
    (openMetrics ? withCreated : withoutCreated).handleRequest(new FastGzipExchange(exchange));
  }

  /** The first {@code debug} query value client_java would fail on, or null. */
  private static String badDebugValue(String rawQuery) {
    if (rawQuery == null) {
      return null;
    }
    for (String pair : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      String name = eq < 0 ? pair : pair.substring(0, eq);
      if (name.equals("debug")) {
        String value;
        try {
          value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
          value = pair.substring(eq + 1);
        }
        if (!DEBUG_FORMATS.contains(value)) {
          return value;
        }
      }
    }
    return null;
  }

  /**
   * A plain scrape whose names come out unchanged: classic names stay as they are under underscore
   * escaping (Prometheus' default) and UTF-8 (no escaping).
   */
  private static boolean splittable(
      HttpExchange exchange, ExpositionFormatWriter writer, String accept) {
    if (exchange.getRequestURI().getRawQuery() != null
        || !(writer instanceof OpenMetricsTextFormatWriter
            || writer instanceof PrometheusTextFormatWriter
            || writer instanceof PrometheusProtobufWriter)) {
      return false;
    }
    try {
      EscapingScheme scheme = EscapingScheme.fromAcceptHeader(accept);
      return scheme == EscapingScheme.UNDERSCORE_ESCAPING || scheme == EscapingScheme.ALLOW_UTF8;
    } catch (IllegalArgumentException e) {
      return false; // client_java's handler answers an unknown scheme
    }
  }

  private void writeSplit(HttpExchange exchange, ExpositionFormatWriter negotiated)
      throws IOException {
    boolean openMetrics = negotiated instanceof OpenMetricsTextFormatWriter;
    ExpositionFormatWriter writer =
        openMetrics ? formatsWithCreated.getOpenMetricsTextFormatWriter() : negotiated;
    Headers headers = exchange.getResponseHeaders();
    headers.set("Content-Type", writer.getContentType());
    headers.set("Vary", "Accept-Encoding");
    if (exchange.getRequestMethod().equals("HEAD")) {
      exchange.sendResponseHeaders(200, -1); // no body, so no need to read the stores
      return;
    }
    SplitScrape scrape = split.get();
    ByteArrayOutputStream head = new ByteArrayOutputStream(16 * 1024);
    writer.write(head, scrape.snapshots(), EscapingScheme.UNDERSCORE_ESCAPING);
    if (openMetrics) {
      dropEof(head);
    }
    // The whole body is made in memory (gzipped, a tenth of the text), then sent with its length:
    // a failure while writing still gets an error response, never a short 200 that a scraper
    // would take for a complete scrape; and the body goes out in a few large writes.
    boolean gzip =
        FastGzipExchange.acceptsGzip(exchange.getRequestHeaders().get("Accept-Encoding"));
    ByteArrayOutputStream body;
    if (gzip) {
      body = new ByteArrayOutputStream(lastGzipSize + 64 * 1024);
      BackgroundGzip gzipped = new BackgroundGzip(body, gzipExecutor);
      try {
        writeBody(gzipped, head, scrape, writer);
        gzipped.close();
      } catch (IOException | RuntimeException e) {
        gzipped.abandon();
        throw e;
      }
      lastGzipSize = body.size();
      headers.set("Content-Encoding", "gzip");
    } else {
      body = new ByteArrayOutputStream(lastPlainSize + 64 * 1024);
      writeBody(body, head, scrape, writer);
      lastPlainSize = body.size();
    }
    exchange.sendResponseHeaders(200, body.size());
    try (OutputStream out = exchange.getResponseBody()) {
      body.writeTo(out);
    }
  }

  private static void writeBody(
      OutputStream body,
      ByteArrayOutputStream head,
      SplitScrape scrape,
      ExpositionFormatWriter writer)
      throws IOException {
    head.writeTo(body);
    scrape.write(body, writer);
    if (writer instanceof OpenMetricsTextFormatWriter) {
      body.write(EOF);
    }
  }

  private static final byte[] EOF = "# EOF\n".getBytes(StandardCharsets.US_ASCII);

  /** Takes client_java's closing {@code # EOF} line off; the bulk follows it. */
  private static void dropEof(ByteArrayOutputStream head) {
    byte[] bytes = head.toByteArray();
    int n = bytes.length - EOF.length;
    if (n < 0 || !Arrays.equals(bytes, n, bytes.length, EOF, 0, EOF.length)) {
      throw new IllegalStateException("OpenMetrics text does not end with # EOF");
    }
    head.reset();
    head.write(bytes, 0, n);
  }

  private static PrometheusProperties properties(boolean createdTimestamps) {
    return PrometheusProperties.builder()
        .exporterProperties(
            ExporterProperties.builder().includeCreatedTimestamps(createdTimestamps).build())
        // FastGzipExchange compresses, faster than the handler would.
        .exporterHttpServerProperties(
            ExporterHttpServerProperties.builder().preferUncompressedResponse(true).build())
        .build();
  }
}
