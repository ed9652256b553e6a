package dev.tally.exporter.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.exporter.FakeMetricStores;
import dev.tally.exporter.TallyExporter;
import dev.tally.streams.catalog.MetricCatalog;
import dev.tally.streams.config.TallyConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The query API's HTTP edges: how requests are read, and what a wrong one gets. */
class QueryApiHttpTest {
  private final HttpClient client = HttpClient.newHttpClient();
  private TallyExporter exporter;

  @BeforeEach
  void start() {
    long now = System.currentTimeMillis();
    exporter =
        TallyExporter.builder()
            .stores(
                new FakeMetricStores()
                    .counter("ack_timeouts_total", 3, now, "service", "im-gateway")
                    .counter("ack_timeouts_total", 4, now, "service", "media-gateway"))
            .catalog(MetricCatalog.builtin(10_000))
            .config(TallyConfig.fromMap(Map.of(TallyConfig.HTTP_PORT, "0")))
            .jvmMetrics(false)
            .start();
  }

  @AfterEach
  void stop() {
    exporter.close();
  }

  private HttpResponse<String> send(String method, String pathAndQuery) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create(exporter.url() + pathAndQuery))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aMalformedPercentEscapeIsA400NotAWiderAnswer() throws Exception {
    HttpResponse<String> ok =
        send("GET", "api/v1/totals?metric=ack_timeouts_total&match=service%3Dim-gateway");
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.body()).contains("\"value\":3").doesNotContain("media-gateway");

    for (String bad :
        new String[] {
          "/api/v1/totals?metric=ack_timeouts_total&match=service=im-gateway%",
          "/api/v1/totals?metric=ack_timeouts_total&match=service=%ZZ",
          "/api/v1/query?metric=ack_timeouts_total&from=%ZZ"
        }) {
      // Sent as written: the JDK's client would refuse such a URI before sending it.
      String response = raw(bad);
      assertThat(response).as(bad).startsWith("HTTP/1.1 400 ").contains("malformed query string");
    }
  }

  /** The whole response to a GET of {@code target}, sent byte for byte on a socket. */
  private String raw(String target) throws Exception {
    try (java.net.Socket socket = new java.net.Socket("localhost", exporter.port())) {
      socket
          .getOutputStream()
          .write(
              ("GET " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                  .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      return new String(
          socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  @Test
  void timesBeyondWhatTallyHoldsAreA400() throws Exception {
    for (String time :
        new String[] {
          "-999999999999d", "-999999999-01-01T00:00:00Z", "%2B999999999-12-31T23:59:59Z"
        }) {
      HttpResponse<String> response =
          send("GET", "api/v1/query?metric=ack_timeouts_total&from=" + time);
      assertThat(response.statusCode()).as(time).isEqualTo(400);
      assertThat(response.body()).as(time).contains("\"parameter\":\"from\"");
    }
  }

  @Test
  void otherMethodsAre405AndHeadAnswersAsGet() throws Exception {
    HttpResponse<String> post = send("POST", "api/v1/totals?metric=ack_timeouts_total");
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
    assertThat(post.body()).contains("POST is not allowed on /api/v1/totals");

    assertThat(send("HEAD", "api/v1/totals?metric=nope_total").statusCode()).isEqualTo(404);
    assertThat(send("HEAD", "api/v1/series").statusCode()).isEqualTo(400);
    HttpResponse<String> head = send("HEAD", "api/v1/totals?metric=ack_timeouts_total");
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.body()).isEmpty();
  }

  @Test
  void endpointsWithoutParametersRefuseUnknownOnes() throws Exception {
    for (String path : new String[] {"api/v1/metrics", "api/v1/instances", "api/v1/openapi.json"}) {
      HttpResponse<String> response = send("GET", path + "?foo=bar");
      assertThat(response.statusCode()).as(path).isEqualTo(400);
      assertThat(response.body()).as(path).contains("\"parameter\":\"foo\"");
    }
  }
}
