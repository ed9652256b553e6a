package dev.tally.exporter.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.exporter.exposition.CatalogFamily;
import dev.tally.exporter.exposition.Scrape;
import dev.tally.streams.catalog.MetricType;
import dev.tally.streams.series.SeriesKey;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What a scraper gets when writing the direct way fails half-way: an error, never a short 200. */
class MetricsEndpointTest {
  private final HttpClient client = HttpClient.newHttpClient();
  private final TallyHttpServer server =
      TallyHttpServer.builder()
          .port(0)
          .registry(new PrometheusRegistry())
          .readiness(() -> Readiness.READY)
          .scrape(MetricsEndpointTest::failingHalfWay)
          .start();

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void shouldAnswerAGzippedScrapeThatFailsWithJson500() throws Exception {
    HttpResponse<String> response =
        client.send(
            HttpRequest.newBuilder(server.url().resolve("metrics"))
                .header("Accept-Encoding", "gzip")
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(500);
    assertThat(response.body()).isEqualTo("{\"error\":\"internal error; see Tally's log\"}\n");
  }

  @Test
  void shouldAnswerAnUncompressedScrapeThatFailsWithJson500Too() throws Exception {
    HttpResponse<String> response =
        client.send(
            HttpRequest.newBuilder(server.url().resolve("metrics")).build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(500);
    assertThat(response.body()).isEqualTo("{\"error\":\"internal error; see Tally's log\"}\n");
  }

  /**
   * A counter family the writer writes, then a histogram series without its histogram: the writer
   * fails after the first lines, as a bug in a writer would.
   */
  private static Scrape failingHalfWay() {
    CatalogFamily written =
        new CatalogFamily("some_metric_total", MetricType.COUNTER, "Some.", null);
    written.add(new CatalogFamily.Sample(SeriesKey.of("some_metric_total", Map.of()), 1, null, 0));
    CatalogFamily broken =
        new CatalogFamily("some_latency_seconds", MetricType.HISTOGRAM, "Broken.", null);
    broken.add(
        new CatalogFamily.Sample(SeriesKey.of("some_latency_seconds", Map.of()), 0, null, 0));
    return new Scrape(List.of(written, broken), MetricSnapshots.of());
  }

  @Test
  void gzipOnlyWhenTheClientNamesItWithoutQZero() {
    org.assertj.core.api.Assertions.assertThat(MetricsEndpoint.acceptsGzip("gzip")).isTrue();
    org.assertj.core.api.Assertions.assertThat(MetricsEndpoint.acceptsGzip("deflate, GZIP;q=0.5"))
        .isTrue();
    org.assertj.core.api.Assertions.assertThat(MetricsEndpoint.acceptsGzip("gzip;q=0")).isFalse();
    org.assertj.core.api.Assertions.assertThat(MetricsEndpoint.acceptsGzip("identity")).isFalse();
    org.assertj.core.api.Assertions.assertThat(MetricsEndpoint.acceptsGzip(null)).isFalse();
  }
}
