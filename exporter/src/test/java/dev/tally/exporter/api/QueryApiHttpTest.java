package dev.tally.exporter.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.exporter.FakeMetricStores;
import dev.tally.exporter.TallyExporter;
import dev.tally.streams.catalog.MetricCatalog;
import dev.tally.streams.config.TallyConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.errors.StateStoreMigratedException;
import org.apache.kafka.streams.errors.StateStoreNotAvailableException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The query API's HTTP edges: how requests are read, and what a wrong one gets. */
class QueryApiHttpTest {
  private final HttpClient client = HttpClient.newHttpClient();
  private TallyExporter exporter;

  private final ObjectMapper json = new ObjectMapper();
  private final FakeMetricStores stores = new FakeMetricStores();

  @BeforeEach
  void start() {
    long now = System.currentTimeMillis();
    exporter =
        TallyExporter.builder()
            .stores(
                stores
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
  @SuppressWarnings("unchecked")
  void aStoreThatClosesPartWayThroughAReadIsA503WithJsonNeverAPartialAnswer() throws Exception {
    // What Kafka Streams throws when a task moves, closes or its store is not there (yet): at
    // the first hasNext() of a partition's iterator, or in the middle of it.
    for (InvalidStateStoreException closed :
        List.of(
            new InvalidStateStoreException(
                "RocksDB iterator for store tally-cumulative has closed"),
            new StateStoreMigratedException(
                "tally-cumulative may have migrated to another instance"),
            new StateStoreNotAvailableException("tally-cumulative is not available anymore"))) {
      stores.failPartWay(1, closed);
      for (String path :
          List.of(
              "api/v1/totals?metric=ack_timeouts_total",
              "api/v1/series?metric=ack_timeouts_total",
              "api/v1/totals?metric=queue_depth",
              "api/v1/query?metric=ack_timeouts_total&from=-5m",
              "api/v1/query?metric=queue_depth&agg=last&from=-5m",
              "api/v1/query?metric=ack_timeout_ratio&from=-5m",
              "api/v1/totals?metric=ack_timeouts_total&allowStale=true",
              "api/v1/internal/totals?metric=ack_timeouts_total&partitions=0,1")) {
        HttpResponse<String> response = send("GET", path);

        String what = closed.getClass().getSimpleName() + " on " + path;
        assertThat(response.statusCode()).as(what).isEqualTo(503);
        assertThat(response.headers().firstValue("Retry-After")).as(what).hasValue("1");
        assertThat(response.headers().firstValue("Content-Type"))
            .as(what)
            .hasValue("application/json;charset=utf-8");
        Map<String, Object> body = json.readValue(response.body(), Map.class);
        assertThat(body).as(what).containsKey("error").doesNotContainKeys("series", "values");
        assertThat((List<Map<String, Object>>) body.get("unavailable"))
            .as(what)
            .isNotEmpty()
            .allSatisfy(u -> assertThat(u.get("reason")).isEqualTo(closed.getMessage()));
      }
    }
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
