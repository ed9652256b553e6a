package dev.tally.exporter.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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
          .split(MetricsEndpointTest::failingHalfWay)
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

  /** Writes a first line of the bulk, then fails as a bug in a writer would. */
  private static SplitScrape failingHalfWay() {
    return new SplitScrape() {
      @Override
      public MetricSnapshots snapshots() {
        return MetricSnapshots.of();
      }

      @Override
      public void write(OutputStream out, ExpositionFormatWriter format) throws IOException {
        out.write("some_metric_total 1.0\n".getBytes(StandardCharsets.US_ASCII));
        throw new IllegalStateException("writer bug");
      }
    };
  }
}
