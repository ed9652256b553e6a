package dev.tally.exporter.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.prometheus.metrics.config.ExporterHttpServerProperties;
import io.prometheus.metrics.config.ExporterProperties;
import io.prometheus.metrics.config.PrometheusProperties;
import io.prometheus.metrics.exporter.common.PrometheusScrapeHandler;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;

/**
 * {@code /metrics}: client_java's scrape handler (content negotiation between Prometheus text,
 * OpenMetrics text and Prometheus protobuf, {@code name[]} filters) over one registry, gzipped when
 * the client accepts it.
 *
 * <p>Created timestamps go into OpenMetrics text ({@code _created} lines) and protobuf, the formats
 * that define them; Prometheus text has no such notion, and would turn every {@code _created} into
 * a series of its own.
 */
final class MetricsEndpoint implements HttpHandler {
  private final ExpositionFormats formats;
  private final PrometheusScrapeHandler withCreated;
  private final PrometheusScrapeHandler withoutCreated;

  MetricsEndpoint(PrometheusRegistry registry) {
    // Built here rather than read from prometheus.properties / system properties: each Tally
    // instance configures its own endpoint.
    PrometheusProperties plain = properties(false);
    this.formats = ExpositionFormats.init(plain);
    this.withCreated = new PrometheusScrapeHandler(properties(true), registry);
    this.withoutCreated = new PrometheusScrapeHandler(plain, registry);
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    String accept = exchange.getRequestHeaders().getFirst("Accept");
    boolean openMetrics = formats.findWriter(accept) instanceof OpenMetricsTextFormatWriter;
    (openMetrics ? withCreated : withoutCreated).handleRequest(new FastGzipExchange(exchange));
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
