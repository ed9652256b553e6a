package dev.tally.exporter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.exporter.http.Readiness;
import dev.tally.streams.catalog.MetricCatalog;
import dev.tally.streams.config.InvalidConfigException;
import dev.tally.streams.config.TallyConfig;
import dev.tally.streams.histogram.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusProtobufWriter;
import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_36_2.Metrics.MetricFamily;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HTTP contract of one exporter: formats, health, errors, and no shared state. */
class TallyExporterTest {
  static final long NOW = 1_763_892_125_000L;
  static final long CREATED = 1_763_892_000_000L;
  static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";
  static final String PROTOBUF =
      "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily;"
          + " encoding=delimited";

  private final HttpClient client = HttpClient.newHttpClient();
  private final AtomicReference<Readiness> readiness = new AtomicReference<>(Readiness.READY);
  private TallyExporter exporter;

  @BeforeEach
  void start() {
    FakeMetricStores stores =
        new FakeMetricStores()
            .counter("ack_received_total", 3, CREATED, "service", "im-gateway")
            .counter("tally_events_consumed_total", 5, CREATED, "topic", "events.im");
    exporter = exporter(stores).readiness(readiness::get).start();
  }

  @AfterEach
  void stop() {
    exporter.close();
  }

  static TallyExporter.Builder exporter(FakeMetricStores stores) {
    return TallyExporter.builder()
        .stores(stores)
        .catalog(MetricCatalog.builtin(10_000))
        .config(TallyConfig.fromMap(Map.of(TallyConfig.HTTP_PORT, "0")))
        .clock(Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC));
  }

  @Test
  void shouldBindAFreePortAndReportIt() {
    assertThat(exporter.port()).isPositive();
    assertThat(exporter.url()).isEqualTo(URI.create("http://localhost:" + exporter.port() + "/"));
  }

  @Test
  void shouldFailAtStartUpNamingTheKeyWhenThePortIsTaken() throws IOException {
    try (ServerSocket taken = new ServerSocket(0)) {
      assertThatThrownBy(
              () ->
                  exporter(new FakeMetricStores())
                      .port(taken.getLocalPort())
                      .bindAddress(taken.getInetAddress())
                      .start()
                      .close())
          .isInstanceOfSatisfying(
              InvalidConfigException.class,
              e -> assertThat(e.key()).isEqualTo(TallyConfig.HTTP_PORT))
          .hasMessageContaining(String.valueOf(taken.getLocalPort()));
    }
  }

  @Test
  void shouldServePrometheusTextWithoutCreatedLinesByDefault() throws Exception {
    HttpResponse<String> response = get("metrics", null);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValue("text/plain; version=0.0.4; charset=utf-8");
    assertThat(response.body())
        .contains("# TYPE ack_received_total counter\n")
        .contains("ack_received_total{service=\"im-gateway\"} 3.0\n")
        .contains("tally_events_consumed_total{topic=\"events.im\"} 5.0\n")
        .contains("tally_stores_queryable 1.0\n")
        .contains("jvm_memory_used_bytes")
        .doesNotContain("_created");
  }

  @Test
  void shouldAnswerAnUnknownDebugFormatWith400AndAJsonError() throws Exception {
    for (String query : new String[] {"metrics?debug=bogus", "metrics?debug=", "metrics?debug"}) {
      HttpResponse<String> response = get(query, null);
      assertThat(response.statusCode()).as(query).isEqualTo(400);
      assertThat(response.headers().firstValue("Content-Type").orElse(""))
          .startsWith("application/json");
      assertThat(response.body()).contains("\"error\"").contains("debug must be one of");
    }
    assertThat(get("metrics?debug=text", null).statusCode()).isEqualTo(200);
  }

  @Test
  void shouldServeOpenMetricsWithCreatedTimestampsWhenAsked() throws Exception {
    HttpResponse<String> response = get("metrics", "application/openmetrics-text");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue(OPENMETRICS);
    assertThat(response.body())
        .contains("ack_received_created{service=\"im-gateway\"} 1763892000.000\n")
        .endsWith("# EOF\n");
  }

  @Test
  void shouldServeProtobufThatParsesBack() throws Exception {
    HttpResponse<byte[]> response =
        client.send(
            request("metrics").header("Accept", PROTOBUF).build(),
            HttpResponse.BodyHandlers.ofByteArray());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type").orElseThrow())
        .startsWith("application/vnd.google.protobuf");
    Map<String, MetricFamily> families = new HashMap<>();
    InputStream in = new ByteArrayInputStream(response.body());
    MetricFamily family;
    while ((family = MetricFamily.parseDelimitedFrom(in)) != null) {
      families.put(family.getName(), family);
    }
    assertThat(families.get("ack_received_total").getMetric(0).getCounter().getValue())
        .isEqualTo(3.0);
  }

  @Test
  void shouldGzipTheScrapeWhenTheClientAcceptsIt() throws Exception {
    HttpResponse<byte[]> response =
        client.send(
            request("metrics")
                .header("Accept", "application/openmetrics-text")
                .header("Accept-Encoding", "gzip")
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Encoding")).hasValue("gzip");
    assertThat(response.headers().firstValue("Content-Type")).hasValue(OPENMETRICS);
    String text;
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(response.body()))) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat(text)
        .contains("ack_received_total{service=\"im-gateway\"} 3.0\n")
        .endsWith("# EOF\n");
  }

  /**
   * A plain scrape takes the direct way; the same scrape with {@code ?debug=...}, or the registry
   * written by client_java's protobuf writer, goes through client_java. Both must say the same.
   */
  @Test
  void shouldServeTheSameScrapeOnTheDirectWayAsClientJavaWrites() throws Exception {
    FakeMetricStores stores =
        new FakeMetricStores()
            .counter("ack_received_total", 3, CREATED, "service", "im-gateway")
            .counter("ack_received_total", 1e7, 0, "service", "quote\"d\nnewline")
            .counter("tally_events_consumed_total", 5, CREATED, "topic", "events.im")
            .gauge("queue_depth", "w/1", 2.5, NOW - 1_000, "service", "w", "queue", "j\u00f6bs");
    Histogram latency =
        Histogram.empty(
            MetricCatalog.builtin(10_000).metric("ack_latency_seconds").orElseThrow().layout());
    latency.observe(0.003);
    latency.observe(7);
    stores.histogram("ack_latency_seconds", latency, CREATED + 7, "service", "im-gateway");
    try (TallyExporter plain = exporter(stores).jvmMetrics(false).start()) {
      for (String accept : new String[] {"application/openmetrics-text", null}) {
        String debug = accept == null ? "text" : "openmetrics";
        HttpRequest.Builder direct =
            HttpRequest.newBuilder(plain.url().resolve("metrics"))
                .header("Accept-Encoding", "gzip");
        HttpRequest.Builder viaClientJava =
            HttpRequest.newBuilder(plain.url().resolve("metrics?debug=" + debug));
        if (accept != null) {
          direct.header("Accept", accept);
          viaClientJava.header("Accept", accept);
        }
        HttpResponse<byte[]> fast =
            client.send(direct.build(), HttpResponse.BodyHandlers.ofByteArray());
        String reference =
            client.send(viaClientJava.build(), HttpResponse.BodyHandlers.ofString()).body();

        assertThat(fast.headers().firstValue("Content-Encoding")).hasValue("gzip");
        String text;
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(fast.body()))) {
          text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(text)
            .contains("ack_latency_seconds_bucket{service=\"im-gateway\",le=\"+Inf\"} 2\n");
        assertThat(ExpositionText.inOneOrder(text)).isEqualTo(ExpositionText.inOneOrder(reference));
      }

      HttpResponse<byte[]> protobuf =
          client.send(
              HttpRequest.newBuilder(plain.url().resolve("metrics"))
                  .header("Accept", PROTOBUF)
                  .header("Accept-Encoding", "gzip")
                  .build(),
              HttpResponse.BodyHandlers.ofByteArray());
      byte[] body;
      try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(protobuf.body()))) {
        body = in.readAllBytes();
      }
      ByteArrayOutputStream reference = new ByteArrayOutputStream();
      new PrometheusProtobufWriter().write(reference, plain.registry().scrape());

      assertThat(protobuf.headers().firstValue("Content-Type").orElseThrow())
          .startsWith("application/vnd.google.protobuf");
      assertThat(ExpositionText.protobufFamilies(body))
          .containsKey("ack_latency_seconds")
          .isEqualTo(ExpositionText.protobufFamilies(reference.toByteArray()));
    }
  }

  /**
   * An escaping scheme that renames classic names (dots escaping doubles underscores) is
   * client_java's to apply: the scrape must be what its handler writes, not the direct way's
   * unescaped names.
   */
  @Test
  void shouldLeaveEscapingSchemesThatRenameNamesToClientJava() throws Exception {
    String dots = "application/openmetrics-text;version=1.0.0;escaping=dots";
    FakeMetricStores stores =
        new FakeMetricStores().counter("ack_received_total", 3, CREATED, "service", "im-gateway");
    try (TallyExporter plain = exporter(stores).jvmMetrics(false).start()) {
      URI metrics = plain.url().resolve("metrics");

      String escaped = send(metrics, dots);
      String reference = send(plain.url().resolve("metrics?debug=openmetrics"), dots);

      assertThat(escaped).contains("ack__received_total{service=\"im-gateway\"} 3.0\n");
      assertThat(ExpositionText.inOneOrder(escaped))
          .isEqualTo(ExpositionText.inOneOrder(reference));
    }
  }

  private String send(URI uri, String accept) throws IOException, InterruptedException {
    return client
        .send(
            HttpRequest.newBuilder(uri).header("Accept", accept).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  @Test
  void shouldFilterFamiliesByNameWhenAsked() throws Exception {
    String body = get("metrics?name[]=ack_received_total", null).body();

    assertThat(body).contains("ack_received_total{service=\"im-gateway\"} 3.0\n");
    assertThat(body).doesNotContain("tally_").doesNotContain("jvm_");
  }

  @Test
  void shouldAnswerHeadWithoutBody() throws Exception {
    HttpResponse<String> response =
        client.send(
            request("metrics").method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEmpty();
  }

  @Test
  void shouldBeLiveWhileRunningAndReadyOnlyWhenTheStoresCanAnswer() throws Exception {
    assertThat(get("health/live", null).statusCode()).isEqualTo(200);
    assertThat(get("health/live", null).body()).isEqualTo("{\"status\":\"live\"}\n");
    assertThat(get("health/ready", null).statusCode()).isEqualTo(200);

    readiness.set(Readiness.notReady("Kafka Streams is \"REBALANCING\""));
    HttpResponse<String> notReady = get("health/ready", null);

    assertThat(notReady.statusCode()).isEqualTo(503);
    assertThat(notReady.headers().firstValue("Content-Type"))
        .hasValue("application/json;charset=utf-8");
    assertThat(notReady.body())
        .isEqualTo(
            "{\"reason\":\"Kafka Streams is \\\"REBALANCING\\\"\",\"status\":\"not ready\"}\n");
    assertThat(get("health/live", null).statusCode()).isEqualTo(200);
  }

  @Test
  void shouldAnswerUnknownPathsAndUnknownApiPathsWithJson404() throws Exception {
    HttpResponse<String> unknown = get("nope", null);
    HttpResponse<String> api = get("api/v2/series", null);
    HttpResponse<String> noMetric = get("api/v1/series", null);

    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.body()).isEqualTo("{\"error\":\"no such path: /nope\"}\n");
    assertThat(api.statusCode()).isEqualTo(404);
    assertThat(api.headers().firstValue("Content-Type")).hasValue("application/json;charset=utf-8");
    assertThat(api.body()).isEqualTo("{\"error\":\"no query API endpoint at /api/v2/series\"}\n");
    // The query API is mounted: a request without its required parameter is a 400 naming it.
    assertThat(noMetric.statusCode()).isEqualTo(400);
    assertThat(noMetric.body())
        .isEqualTo("{\"error\":\"metric is required\",\"parameter\":\"metric\"}\n");
  }

  @Test
  void shouldAnswerAFailingHandlerWithJson500() throws Exception {
    try (TallyExporter failing =
        exporter(new FakeMetricStores())
            .api(
                routes ->
                    routes.get(
                        "/api/v1/series",
                        ctx -> {
                          throw new IllegalStateException("boom");
                        }))
            .start()) {
      HttpResponse<String> response =
          client.send(
              HttpRequest.newBuilder(failing.url().resolve("api/v1/series")).build(),
              HttpResponse.BodyHandlers.ofString());

      assertThat(response.statusCode()).isEqualTo(500);
      assertThat(response.body()).isEqualTo("{\"error\":\"internal error; see Tally's log\"}\n");
    }
  }

  @Test
  void shouldRefuseWrongMethodsWithJson405() throws Exception {
    HttpResponse<String> response =
        client.send(
            request("metrics").POST(HttpRequest.BodyPublishers.ofString("x")).build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(405);
    assertThat(response.headers().firstValue("Allow")).hasValue("GET, HEAD");
    assertThat(response.body()).isEqualTo("{\"error\":\"POST is not allowed on /metrics\"}\n");
  }

  @Test
  void shouldRefuseWrongMethodsAlikeOnOwnPathsTheQueryApiAndTheConsole() throws Exception {
    for (String path : new String[] {"metrics", "health/ready", "api/v1/totals", "", "ui/x.js"}) {
      for (String method : new String[] {"POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"}) {
        HttpResponse<String> response =
            client.send(
                request(path).method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());

        String what = method + " /" + path;
        assertThat(response.statusCode()).as(what).isEqualTo(405);
        assertThat(response.headers().map())
            .as(what)
            .containsEntry("allow", List.of("GET, HEAD"))
            .containsEntry("content-type", List.of("application/json;charset=utf-8"))
            .containsEntry("cache-control", List.of("no-store"));
        assertThat(response.body())
            .as(what)
            .isEqualTo("{\"error\":\"" + method + " is not allowed on /" + path + "\"}\n");
      }
    }
  }

  @Test
  void shouldRunBesideAnotherExporterInTheSameJvm() throws Exception {
    FakeMetricStores other = new FakeMetricStores().counter("ack_received_total", 99, CREATED);
    try (TallyExporter second = exporter(other).start()) {
      String mine = get("metrics", null).body();
      String theirs =
          client
              .send(
                  HttpRequest.newBuilder(second.url().resolve("metrics")).build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();

      assertThat(second.port()).isNotEqualTo(exporter.port());
      assertThat(mine).contains("ack_received_total{service=\"im-gateway\"} 3.0");
      // Not a bare "99.0": a JVM metric of this exporter may happen to have that value.
      assertThat(mine).doesNotContain("ack_received_total 99.0");
      assertThat(theirs).contains("ack_received_total 99.0").contains("jvm_memory_used_bytes");
    }
  }

  private HttpResponse<String> get(String path, String accept)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = request(path);
    if (accept != null) {
      request.header("Accept", accept);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(exporter.url().resolve(path));
  }
}
