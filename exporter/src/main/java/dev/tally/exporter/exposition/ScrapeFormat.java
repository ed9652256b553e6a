package dev.tally.exporter.exposition;

import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusProtobufWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.IOException;
import java.io.OutputStream;

/**
 * An exposition format that writes a whole {@link Scrape}: the catalog's families with Tally's
 * direct writers, then the snapshots with client_java's writer for the same format. OpenMetrics'
 * closing {@code # EOF} line is client_java's last line, so it ends the scrape by itself.
 *
 * <p>Created timestamps go into OpenMetrics text ({@code _created} lines) and protobuf, the formats
 * that define them; Prometheus text has no such notion, and would turn every {@code _created} into
 * a series of its own.
 *
 * <pre>{@code
 * ScrapeFormat format = AcceptNegotiation.negotiate(acceptHeader).orElseThrow();
 * response.setContentType(format.contentType());
 * format.write(response.getOutputStream(), scrape);
 * }</pre>
 */
public interface ScrapeFormat {
  /** Prometheus text 0.0.4; what a scraper gets that states no preference. */
  ScrapeFormat PROMETHEUS_TEXT =
      new DirectFormat(
          PrometheusTextFormatWriter.create(), (out, c) -> new TextExposition(out, false).write(c));

  /** OpenMetrics text 1.0.0, with {@code _created} lines. */
  ScrapeFormat OPENMETRICS =
      new DirectFormat(
          OpenMetricsTextFormatWriter.builder().setCreatedTimestampsEnabled(true).build(),
          (out, c) -> new TextExposition(out, true).write(c));

  /** Delimited {@code io.prometheus.client.MetricFamily} messages, with native histograms. */
  ScrapeFormat PROTOBUF =
      new DirectFormat(
          new PrometheusProtobufWriter(), (out, c) -> new ProtobufExposition(out).write(c));

  /** The {@code Content-Type} of a response in this format. */
  String contentType();

  /** Writes the whole scrape. */
  void write(OutputStream out, Scrape scrape) throws IOException;
}
