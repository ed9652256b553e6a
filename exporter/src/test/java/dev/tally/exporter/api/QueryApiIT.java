package dev.tally.exporter.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.exporter.TallyExporter;
import dev.tally.streams.TallyApp;
import dev.tally.streams.config.TallyConfig;
import dev.tally.tools.kafka.KafkaBrokerExtension;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two Tally instances of one application on a real broker answer the query API identically and
 * exactly, each merging what the other holds; when one leaves, the other answers 503 while the
 * partitions move and exact answers afterwards, never a wrong number.
 *
 * <p>Every expected value comes from the corpus as produced: counts per service and window worked
 * out from how it was generated, exact quantiles from the sorted latencies.
 */
class QueryApiIT {
  @RegisterExtension static KafkaBrokerExtension kafka = new KafkaBrokerExtension();

  private static final int SERVICES = 4;
  private static final int WINDOWS = 6;
  private static final int LATENCIES = 1200;
  private static final long WINDOW_MS = 10_000;

  @TempDir Path stateDir;

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final ObjectMapper json = new ObjectMapper();
  private final OpenApiContract contract = OpenApiContract.shipped();

  QueryApiIT() throws IOException {}

  /** One produced event: its source, event time and JSON. */
  private record Event(String source, long timestampMs, String json) {}

  @Test
  void eitherInstanceAnswersExactlyAndNeverWronglyWhileOneLeaves() throws Exception {
    String id = "q" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    String topic = "events." + id + ".im";
    kafka.createTopic(topic, 4);
    long base =
        Math.floorDiv(System.currentTimeMillis() - Duration.ofMinutes(10).toMillis(), 60_000)
            * 60_000;

    // ack.timeout: service k sends (k + 1) * (w + 1) events in window w.
    List<Event> events = new ArrayList<>();
    long[][] timeouts = new long[SERVICES][WINDOWS];
    for (int k = 0; k < SERVICES; k++) {
      for (int w = 0; w < WINDOWS; w++) {
        int n = (k + 1) * (w + 1);
        timeouts[k][w] = n;
        for (int j = 0; j < n; j++) {
          long ts = base + w * WINDOW_MS + j * 10L;
          events.add(
              new Event(
                  "svc-" + k,
                  ts,
                  event("ack.timeout", "svc-" + k, id + "-t" + k + "-" + w + "-" + j, ts, "")));
        }
      }
    }
    // queue.depth: service k reports depth 10 k + w late in window w (one source per service).
    for (int k = 0; k < SERVICES; k++) {
      for (int w = 0; w < WINDOWS; w++) {
        long ts = base + w * WINDOW_MS + 9_000;
        events.add(
            new Event(
                "svc-" + k,
                ts,
                event(
                    "queue.depth",
                    "svc-" + k,
                    id + "-q" + k + "-" + w,
                    ts,
                    ",\"queue\":\"jobs\",\"depth\":" + (10 * k + w))));
      }
    }
    // delivery.delivered from one service: log-normal latencies, spread over the windows.
    Random random = new Random(20261130);
    double[] latencySeconds = new double[LATENCIES];
    List<List<Double>> perWindow = new ArrayList<>();
    for (int w = 0; w < WINDOWS; w++) {
      perWindow.add(new ArrayList<>());
    }
    for (int i = 0; i < LATENCIES; i++) {
      double ms = Math.round(Math.exp(3 + random.nextGaussian()) * 1000) / 1000.0;
      latencySeconds[i] = ms / 1000.0;
      int w = i % WINDOWS;
      perWindow.get(w).add(ms / 1000.0);
      long ts = base + w * WINDOW_MS + (i / WINDOWS) * 5L;
      events.add(
          new Event(
              "im",
              ts,
              event("delivery.delivered", "im", id + "-d" + i, ts, ",\"latency_ms\":" + ms)));
    }
    // Each source in time order: nothing is late.
    events.sort(Comparator.comparingLong(Event::timestampMs));

    int portA = freePort();
    int portB = freePort();
    TallyApp appA = TallyApp.create(config(id, "a", portA));
    TallyApp appB = TallyApp.create(config(id, "b", portB));
    TallyExporter exporterB = null;
    try (appA;
        TallyExporter exporterA = TallyExporter.start(appA)) {
      exporterB = TallyExporter.start(appB);
      // Before Kafka Streams runs, no partition has an owner: 503 naming every one.
      Answer early = getJson(exporterA.url(), "api/v1/totals?metric=ack_timeouts_total");
      assertThat(early.status).isEqualTo(503);
      assertThat(early.retryAfter).isEqualTo("1");
      assertThat(list(early.body, "unavailable"))
          .extracting(u -> u.get("partition"))
          .containsExactly(0, 1, 2, 3, 4, 5);
      appA.start();
      appB.start();
      URI a = exporterA.url();
      URI b = exporterB.url();
      produce(topic, events);

      long expectedTimeouts = Arrays.stream(timeouts).flatMapToLong(Arrays::stream).sum();
      awaitTotal(a, "ack_timeouts_total", expectedTimeouts);
      awaitTotal(a, "delivery_latency_seconds", LATENCIES);
      // The depth reports are the last events of each source: wait until all have counted.
      awaitTotal(a, "queue_depth", 10 * (0 + 1 + 2 + 3) + 4L * (WINDOWS - 1));
      // Both instances hold series: the answers above needed the other's partitions.
      Map<String, Object> instances = getJson(a, "api/v1/instances").body;
      assertThat(list(instances, "instances"))
          .hasSize(2)
          .allSatisfy(i -> assertThat(list(map(i, "active"), "partitions")).isNotEmpty())
          // Each instance tells its consumer lag, the other's through it.
          .allSatisfy(i -> assertThat(map(i, "consumerLag")).isNotNull());
      assertThat(instances).containsEntry("dlqTopic", "tally-query-" + id + ".dlq");

      for (URI instance : List.of(a, b)) {
        assertExact(instance, base, timeouts, latencySeconds, perWindow);
      }
      for (String path :
          List.of(
              "api/v1/totals?metric=ack_timeouts_total&by=service",
              "api/v1/totals?metric=delivery_latency_seconds&q=0.5,0.99,0.999",
              "api/v1/query?metric=delivery_latency_seconds&agg=p99&resolution=10s&from="
                  + base
                  + "&to="
                  + (base + WINDOWS * WINDOW_MS),
              "api/v1/series?metric=ack_timeouts_total")) {
        assertThat(getJson(b, path).body).as(path).isEqualTo(getJson(a, path).body);
      }
      // An exporter built from A with one part changed (its port) answers for every partition
      // too, not only for A's own.
      try (TallyExporter otherPort = TallyExporter.forApp(appA).port(0).start()) {
        assertExact(otherPort.url(), base, timeouts, latencySeconds, perWindow);
      }

      // Errors over HTTP: JSON naming the parameter.
      Answer bad = getJson(a, "api/v1/totals?metric=ack_timeouts_total&match=" + enc("route=x"));
      assertThat(bad.status).isEqualTo(400);
      assertThat(bad.body).containsEntry("parameter", "match");
      Answer unknown = getJson(a, "api/v1/totals?metric=nope_total");
      assertThat(unknown.status).isEqualTo(404);

      // B leaves. A answers exactly or 503 with Retry-After while its partitions move, never a
      // wrong number, and exactly once it holds them all.
      exporterB.close();
      exporterB = null;
      appB.close();
      String totalsPath = "api/v1/totals?metric=ack_timeouts_total&by=";
      long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
      int unavailable = 0;
      int exact = 0;
      while (System.nanoTime() < deadline) {
        Answer answer = getJson(a, totalsPath);
        if (answer.status == 503) {
          unavailable++;
          assertThat(answer.retryAfter).isNotNull();
          assertThat(list(answer.body, "unavailable")).isNotEmpty();
        } else {
          assertThat(answer.status).as(answer.body.toString()).isEqualTo(200);
          assertThat(value(list(answer.body, "series").get(0)))
              .as("the total while B's partitions move")
              .isEqualTo(expectedTimeouts);
          exact++;
          Map<String, Object> now = getJson(a, "api/v1/instances").body;
          if (list(now, "instances").size() == 1
              && list(map(list(now, "instances").get(0), "active"), "partitions").size() == 6) {
            break;
          }
        }
        Thread.sleep(100);
      }
      assertThat(exact).as("exact answers after B left").isPositive();
      System.out.println("QueryApiIT: " + unavailable + " answers were 503 while partitions moved");
      assertExact(a, base, timeouts, latencySeconds, perWindow);
    } finally {
      if (exporterB != null) {
        exporterB.close();
      }
      appB.close();
    }
  }

  /**
   * Every {@code curl} line of docs/api.md and README, run as written against a running Tally,
   * answers JSON without an error; every answer of the API, errors included, satisfies
   * openapi.json, and every answer openapi.json documents is seen.
   */
  @Test
  void docsExamplesRunAndEveryAnswerMatchesTheOpenApiDocument() throws Exception {
    String id = "d" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    String topic = "events." + id + ".im-gateway";
    kafka.createTopic(topic, 2);
    int port = freePort();
    try (TallyApp app = TallyApp.create(config(id, "docs", port));
        TallyExporter exporter = TallyExporter.start(app)) {
      URI base = exporter.url();
      for (String endpoint : List.of("series", "totals", "query")) {
        // Not started yet: no partition has an owner.
        assertThat(getJson(base, "api/v1/" + endpoint + "?metric=ack_timeouts_total").status)
            .isEqualTo(503);
      }
      app.start();
      long now = System.currentTimeMillis();
      List<Event> events = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        events.add(
            new Event(
                "im-gateway",
                now + i,
                event("ack.timeout", "im-gateway", id + "-t" + i, now + i, "")));
        events.add(
            new Event(
                "im-gateway",
                now + i,
                event(
                    "delivery.delivered",
                    "im-gateway",
                    id + "-d" + i,
                    now + i,
                    ",\"latency_ms\":" + (5 + i))));
      }
      produce(topic, events);
      awaitTotal(base, "ack_timeouts_total", 50);

      // docs/api.md's examples and README's "Querying" ones.
      List<String> curls = new ArrayList<>();
      for (Path doc : List.of(Path.of("..", "docs", "api.md"), Path.of("..", "README.md"))) {
        Files.readAllLines(doc).stream()
            .filter(line -> line.startsWith("curl ") && line.contains("/api/v1/"))
            .forEach(curls::add);
      }
      assertThat(curls).hasSizeGreaterThanOrEqualTo(8);
      for (String line : curls) {
        String command = line.replace("http://localhost:8080/", base.toString());
        Process process =
            new ProcessBuilder("bash", "-c", command + " -w '\\n%{http_code}'")
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(line).isZero();
        int cut = output.lastIndexOf('\n');
        assertThat(output.substring(cut + 1)).as(line + "\n" + output).isEqualTo("200");
        @SuppressWarnings("unchecked")
        Map<String, Object> body = json.readValue(output.substring(0, cut), Map.class);
        assertThat(body).as(line).doesNotContainKey("error");
        String url = command.substring(command.indexOf(base.toString())).replaceAll("'.*", "");
        contract.check(
            URI.create(url).getPath(),
            200,
            output.substring(0, cut).getBytes(StandardCharsets.UTF_8));
      }

      // The rest of what openapi.json documents, provoked on purpose.
      for (String endpoint : List.of("series", "totals", "query")) {
        assertThat(getJson(base, "api/v1/" + endpoint + "?metric=nope_total").status)
            .isEqualTo(404);
        assertThat(
                getJson(base, "api/v1/" + endpoint + "?metric=ack_timeouts_total&match=" + enc("x"))
                    .status)
            .isEqualTo(400);
        assertThat(
                getJson(base, "api/v1/" + endpoint + "?metric=ack_timeouts_total&allowStale=true")
                    .status)
            .isEqualTo(200);
      }
      assertThat(getJson(base, "api/v1/openapi.json").status).isEqualTo(200);
      assertThat(getJson(base, "api/v1/series?metric=ack_timeouts_total").status).isEqualTo(200);
      assertThat(getJson(base, "api/v1/query?metric=ack_timeouts_total&from=-5m").status)
          .isEqualTo(200);
      try (TallyExporter guarded =
          TallyExporter.forApp(app)
              .port(0)
              .auth(
                  dev.tally.exporter.http.BasicAuth.of(
                      "ops", "s3cret".getBytes(StandardCharsets.UTF_8)))
              .api(
                  QueryApi.forStreams(
                          app.streams(), app.stores(), app.catalog(), app.config(), null)
                      .routes())
              .start()) {
        for (String path : contract.documented()) {
          String p = path.substring(1, path.indexOf(' '));
          assertThat(getJson(guarded.url(), p + "?metric=ack_timeouts_total").status)
              .as(p)
              .isEqualTo(401);
        }
      }
      assertThat(contract.checked()).containsExactlyInAnyOrderElementsOf(contract.documented());
    }
  }

  private void assertExact(
      URI instance, long base, long[][] timeouts, double[] latencies, List<List<Double>> perWindow)
      throws Exception {
    Map<String, Object> totals =
        getJson(instance, "api/v1/totals?metric=ack_timeouts_total&by=service").body;
    Map<String, Long> byService = new TreeMap<>();
    for (Map<String, Object> s : list(totals, "series")) {
      byService.put((String) map(s, "labels").get("service"), value(s));
    }
    Map<String, Long> expectedByService = new TreeMap<>();
    for (int k = 0; k < SERVICES; k++) {
      expectedByService.put("svc-" + k, Arrays.stream(timeouts[k]).sum());
    }
    assertThat(byService).isEqualTo(expectedByService);

    // Per 10 s window, per service.
    Map<String, Object> windows =
        getJson(
                instance,
                "api/v1/query?metric=ack_timeouts_total&resolution=10s&agg=count&from="
                    + base
                    + "&to="
                    + (base + WINDOWS * WINDOW_MS))
            .body;
    for (Map<String, Object> s : list(windows, "series")) {
      int k = Integer.parseInt(((String) map(s, "labels").get("service")).substring(4));
      List<Map<String, Object>> points = list(s, "points");
      assertThat(points).hasSize(WINDOWS);
      for (int w = 0; w < WINDOWS; w++) {
        assertThat(points.get(w).get("start"))
            .isEqualTo(Instant.ofEpochMilli(base + w * WINDOW_MS).toString());
        assertThat(((Number) points.get(w).get("value")).longValue())
            .as("svc-%d window %d", k, w)
            .isEqualTo(timeouts[k][w]);
      }
    }

    // Gauges per window: the sum over the services of each one's last depth, 10 (0+1+2+3) + 4 w.
    Map<String, Object> depth =
        getJson(
                instance,
                "api/v1/query?metric=queue_depth&agg=last&by=&resolution=10s&from="
                    + base
                    + "&to="
                    + (base + WINDOWS * WINDOW_MS))
            .body;
    List<Map<String, Object>> depthPoints = list(list(depth, "series").get(0), "points");
    for (int w = 0; w < WINDOWS; w++) {
      assertThat(((Number) depthPoints.get(w).get("value")).longValue())
          .as("queue depth in window %d", w)
          .isEqualTo(60 + 4L * w);
    }

    // Histogram totals: count, sum, quantiles within 1 % of the exact ones.
    Map<String, Object> histogram =
        list(
                getJson(instance, "api/v1/totals?metric=delivery_latency_seconds&q=0.5,0.99,0.999")
                    .body,
                "series")
            .get(0);
    assertThat(((Number) histogram.get("count")).longValue()).isEqualTo(latencies.length);
    double sum = Arrays.stream(latencies).sum();
    assertThat(((Number) histogram.get("sum")).doubleValue()).isCloseTo(sum, within(sum * 1e-9));
    Map<String, Object> quantiles = map(histogram, "quantiles");
    for (double q : new double[] {0.5, 0.99, 0.999}) {
      double exact = exactQuantile(latencies, q);
      assertThat(((Number) quantiles.get(Double.toString(q))).doubleValue())
          .as("q%s", q)
          .isCloseTo(exact, within(exact * 0.01));
    }

    // p99 per window, merged across the instances before the quantile.
    Map<String, Object> p99 =
        getJson(
                instance,
                "api/v1/query?metric=delivery_latency_seconds&agg=p99&resolution=10s&from="
                    + base
                    + "&to="
                    + (base + WINDOWS * WINDOW_MS))
            .body;
    List<Map<String, Object>> points = list(list(p99, "series").get(0), "points");
    for (int w = 0; w < WINDOWS; w++) {
      double exact =
          exactQuantile(perWindow.get(w).stream().mapToDouble(Double::doubleValue).toArray(), 0.99);
      assertThat(((Number) points.get(w).get("value")).doubleValue())
          .as("p99 of window %d", w)
          .isCloseTo(exact, within(exact * 0.01));
    }
  }

  /** The value of rank ceil(q * n), as the docs define a quantile. */
  private static double exactQuantile(double[] values, double q) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int rank = (int) Math.max(1, Math.ceil(q * sorted.length));
    return sorted[rank - 1];
  }

  private void awaitTotal(URI instance, String metric, long expected) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    Answer last = null;
    while (System.nanoTime() < deadline) {
      last = getJson(instance, "api/v1/totals?metric=" + metric + "&by=");
      if (last.status == 200 && !list(last.body, "series").isEmpty()) {
        Map<String, Object> s = list(last.body, "series").get(0);
        long got = s.containsKey("count") ? ((Number) s.get("count")).longValue() : value(s);
        if (got == expected) {
          return;
        }
        assertThat(got).as("never more than produced").isLessThanOrEqualTo(expected);
      }
      Thread.sleep(250);
    }
    throw new AssertionError(metric + " did not reach " + expected + "; last: " + last);
  }

  private record Answer(int status, Map<String, Object> body, String retryAfter) {}

  @SuppressWarnings("unchecked")
  private Answer getJson(URI base, String path) throws IOException, InterruptedException {
    HttpResponse<byte[]> response =
        http.send(
            HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30)).build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(response.headers().firstValue("Content-Type").orElse(""))
        .as(path)
        .startsWith("application/json");
    contract.check(URI.create("/" + path).getPath(), response.statusCode(), response.body());
    return new Answer(
        response.statusCode(),
        json.readValue(response.body(), Map.class),
        response.headers().firstValue("Retry-After").orElse(null));
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> list(Map<String, Object> m, String key) {
    return (List<Map<String, Object>>) m.get(key);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Map<String, Object> m, String key) {
    return (Map<String, Object>) m.get(key);
  }

  private static long value(Map<String, Object> series) {
    return ((Number) series.get("value")).longValue();
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static String event(String type, String service, String eventId, long ts, String extra) {
    return "{\"type\":\""
        + type
        + "\",\"schema_version\":1,\"service\":\""
        + service
        + "\",\"instance\":\""
        + service
        + "-1\",\"event_id\":\""
        + eventId
        + "\",\"timestamp\":"
        + ts
        + extra
        + "}";
  }

  private static void produce(String topic, List<Event> events) {
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers(),
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                "true"),
            new ByteArraySerializer(),
            new ByteArraySerializer())) {
      for (Event e : events) {
        // Keyed by source: one source's events stay in order on one partition.
        producer.send(
            new ProducerRecord<>(
                topic,
                e.source().getBytes(StandardCharsets.UTF_8),
                e.json().getBytes(StandardCharsets.UTF_8)));
      }
      producer.flush();
    }
  }

  private TallyConfig config(String id, String instance, int port) {
    Map<String, String> settings = new HashMap<>();
    settings.put(TallyConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
    settings.put(TallyConfig.APPLICATION_ID, "tally-query-" + id);
    settings.put(TallyConfig.APPLICATION_SERVER, "localhost:" + port);
    settings.put(TallyConfig.STATE_DIR, stateDir.resolve(instance).toString());
    settings.put(TallyConfig.INPUT_TOPIC_PATTERN, "events\\." + id + "\\..*");
    settings.put(TallyConfig.DLQ_TOPIC, "tally-query-" + id + ".dlq");
    settings.put(TallyConfig.HTTP_PORT, Integer.toString(port));
    settings.put(TallyConfig.FLUSH_INTERVAL, "200ms");
    settings.put("kafka.session.timeout.ms", "6000");
    return TallyConfig.fromMap(settings);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
