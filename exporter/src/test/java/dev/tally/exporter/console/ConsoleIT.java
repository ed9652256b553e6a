package dev.tally.exporter.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.exporter.TallyExporter;
import dev.tally.exporter.http.TestKeystores;
import dev.tally.streams.TallyApp;
import dev.tally.streams.config.TallyConfig;
import dev.tally.tools.kafka.KafkaBrokerExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web console in a real headless Chromium against a running Tally with basic auth and TLS on,
 * fed a known load: its pages load without console errors, a chart holds one point per window with
 * the exact values, a label filter narrows it, the pipeline page names what was consumed and
 * rejected, and an instance that is not ready shows why.
 *
 * <p>Needs Chromium ({@code apt-get install chromium}; {@code .ci/run} installs it). Without it the
 * test fails saying so; {@code -Dconsole.skip=true} skips it on purpose. {@code
 * -Dconsole.screenshots=DIR} also writes a PNG of each page at 1280 and 390 pixels wide into DIR
 * (docs/console/ holds them).
 */
class ConsoleIT {
  @RegisterExtension static KafkaBrokerExtension kafka = new KafkaBrokerExtension();

  private static final String USER = "ops";
  private static final String PASSWORD = "s3cret";
  private static final int WINDOWS = 6;
  private static final long WINDOW_MS = 10_000;
  private static final int SERVICES = 2;

  @TempDir Path dir;

  private final ObjectMapper json = new ObjectMapper();
  private static Path chromiumBinary;

  @BeforeAll
  static void findChromium() {
    Assumptions.assumeFalse(
        Boolean.getBoolean("console.skip"), "console.skip=true: the browser test is skipped");
    chromiumBinary =
        HeadlessChromium.binary()
            .orElseThrow(
                () ->
                    new AssertionError(
                        "ConsoleIT drives a real browser and found no Chromium: install it"
                            + " (apt-get install chromium), name it with -Dconsole.chromium=PATH,"
                            + " or skip this test with -Dconsole.skip=true"));
  }

  @Test
  void shouldShowExactWindowsFilterByLabelAndExplainANotReadyInstance() throws Exception {
    String id = "c" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    String topic = "events." + id + ".im";
    kafka.createTopic(topic, 2);
    long base =
        Math.floorDiv(System.currentTimeMillis() - Duration.ofMinutes(5).toMillis(), 60_000)
            * 60_000;

    // svc-k sends (k + 1) * (w + 1) ACK timeouts in window w; im sends 10 deliveries a window,
    // 5 ms to 50 ms; and one record is not JSON.
    long[][] timeouts = new long[SERVICES][WINDOWS];
    List<String[]> records = new ArrayList<>();
    for (int w = 0; w < WINDOWS; w++) {
      for (int k = 0; k < SERVICES; k++) {
        int n = (k + 1) * (w + 1);
        timeouts[k][w] = n;
        for (int j = 0; j < n; j++) {
          long ts = base + w * WINDOW_MS + j * 10L;
          records.add(
              new String[] {
                "svc-" + k, event("ack.timeout", "svc-" + k, id + "-t" + k + w + "-" + j, ts, "")
              });
        }
      }
      for (int j = 0; j < 10; j++) {
        long ts = base + w * WINDOW_MS + j * 100L;
        records.add(
            new String[] {
              "im",
              event(
                  "delivery.delivered",
                  "im",
                  id + "-d" + w + "-" + j,
                  ts,
                  ",\"latency_ms\":" + (5 * (j + 1)))
            });
      }
    }
    records.add(new String[] {"bad", "not json"});

    String keystorePassword = "changeit";
    Path keystore = TestKeystores.selfSignedLocalhost(dir, keystorePassword);
    Map<String, String> settings = config(id, "a");
    settings.put(TallyConfig.HTTP_AUTH_USERNAME, USER);
    settings.put(TallyConfig.HTTP_AUTH_PASSWORD, PASSWORD);
    settings.put(TallyConfig.HTTP_TLS_KEYSTORE_PATH, keystore.toString());
    settings.put(TallyConfig.HTTP_TLS_KEYSTORE_PASSWORD, keystorePassword);
    HttpClient https =
        HttpClient.newBuilder()
            .sslContext(TestKeystores.trusting(keystore, keystorePassword))
            .build();

    try (TallyApp app = TallyApp.create(TallyConfig.fromMap(settings));
        TallyExporter exporter = TallyExporter.start(app);
        TallyApp idle = TallyApp.create(TallyConfig.fromMap(config(id + "idle", "b")));
        TallyExporter notReady = TallyExporter.start(idle);
        HeadlessChromium chromium = HeadlessChromium.start(chromiumBinary, USER, PASSWORD)) {
      app.start();
      produce(topic, records);
      URI url = exporter.url();
      assertThat(url.getScheme()).isEqualTo("https");
      long expectedTimeouts = 0;
      for (long[] perService : timeouts) {
        for (long n : perService) {
          expectedTimeouts += n;
        }
      }
      awaitTotal(https, url, "ack_timeouts_total", "value", expectedTimeouts);
      awaitTotal(https, url, "delivery_latency_seconds", "count", WINDOWS * 10);
      awaitTotal(https, url, "tally_events_rejected_total", "value", 1);

      // The catalog, searchable.
      chromium.open(url.toString());
      chromium.await(
          "document.querySelectorAll('#catalog-table tbody tr').length > 20",
          Duration.ofSeconds(30));
      screenshots(chromium, url + "#/metrics", "metrics", "#catalog-table tbody tr");
      chromium.eval(
          "(() => { const s = document.getElementById('search'); s.value = 'ack_timeout';"
              + " s.dispatchEvent(new Event('input')); return true; })()");
      JsonNode names =
          chromium.eval(
              "[...document.querySelectorAll('#catalog-table tbody th')].map(t => t.textContent)");
      assertThat(names)
          .extracting(JsonNode::asText)
          .contains("ack_timeouts_total")
          .allSatisfy(n -> assertThat(n).contains("ack_timeout"));

      // A counter's page over the loaded windows: one point per window, exact counts per service.
      String range = "from=" + base + "&to=" + (base + WINDOWS * WINDOW_MS);
      String counterPage =
          url + "#/metric/ack_timeouts_total?" + range + "&resolution=10s&agg=count";
      chromium.open(counterPage);
      List<List<String>> rows = awaitTable(chromium, "values", SERVICES + 1);
      assertThat(rows.get(0)).containsExactly("Window start", "service=svc-0", "service=svc-1");
      assertThat(rows).hasSize(WINDOWS + 1);
      for (int w = 0; w < WINDOWS; w++) {
        assertThat(rows.get(w + 1))
            .as("window %d", w)
            .containsExactly(
                Instant.ofEpochMilli(base + w * WINDOW_MS).toString(),
                Long.toString(timeouts[0][w]),
                Long.toString(timeouts[1][w]));
      }
      assertThat(
              chromium
                  .eval(
                      "document.querySelector('#chart-values [data-windows]')"
                          + ".getAttribute('data-windows')")
                  .asText())
          .as("points in the drawn chart")
          .isEqualTo(Integer.toString(WINDOWS));
      assertThat(chromium.eval("document.querySelectorAll('#chart-values canvas').length").asInt())
          .isPositive();
      screenshots(chromium, counterPage, "metric-counter", "[data-table=values]");

      // On a phone-wide screen the controls (the custom range's option names its times) stay
      // within the page: nothing to scroll sideways but the tables meant to.
      chromium.viewport(390, 844);
      chromium.open(counterPage);
      awaitTable(chromium, "values", SERVICES + 1);
      assertThat(
              chromium
                  .eval(
                      "Array.from(document.querySelectorAll('.controls > *'))"
                          + ".filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth)"
                          + ".map(e => e.textContent.trim().slice(0, 40))")
                  .toString())
          .as("controls reaching past the right edge of a 390 px screen")
          .isEqualTo("[]");
      chromium.viewport(1280, 900);
      chromium.open(counterPage);
      awaitTable(chromium, "values", SERVICES + 1);

      // The label filter narrows the chart and the totals to svc-1.
      chromium.eval(
          "(() => { const s = document.getElementById('filter-service'); s.value = 'svc-1';"
              + " s.dispatchEvent(new Event('change')); return true; })()");
      rows = awaitTable(chromium, "values", 2);
      assertThat(rows.get(0)).containsExactly("Window start", "service=svc-1");
      assertThat(rows).hasSize(WINDOWS + 1);
      for (int w = 0; w < WINDOWS; w++) {
        assertThat(rows.get(w + 1).get(1)).isEqualTo(Long.toString(timeouts[1][w]));
      }
      assertThat(chromium.eval("location.hash").asText()).contains("match=service%3Dsvc-1");
      long svc1 = 0;
      for (long n : timeouts[1]) {
        svc1 += n;
      }
      JsonNode totals =
          chromium.eval(
              "[...document.querySelectorAll('#totals-title ~ div tbody tr')]"
                  + ".map(r => [...r.cells].map(c => c.textContent))");
      assertThat(totals.toString())
          .isEqualTo(json.writeValueAsString(List.of(List.of("service=svc-1", "" + svc1))));

      // A histogram's page: quantiles and a heatmap over the same windows.
      String histogramPage =
          url + "#/metric/delivery_latency_seconds?" + range + "&resolution=10s&agg=count";
      chromium.open(histogramPage);
      rows = awaitTable(chromium, "values", 2);
      assertThat(rows.stream().skip(1).map(r -> r.get(1))).containsOnly("10");
      chromium.await(
          "document.querySelector('#chart-heatmap canvas') !== null", Duration.ofSeconds(30));
      assertThat(
              chromium
                  .eval(
                      "document.querySelector('#chart-quantiles [data-series]')"
                          + ".getAttribute('data-series')")
                  .asText())
          .as("p50, p90 and p99 of the one series")
          .isEqualTo("3");
      screenshots(chromium, histogramPage, "metric-histogram", "#chart-heatmap canvas");

      // The pipeline: consumed, rejected with the dead-letter topic, the instance's state.
      chromium.open(url + "#/pipeline");
      chromium.await(
          "document.querySelector('#figure-tally_events_rejected_total .big') !== null",
          Duration.ofSeconds(30));
      assertThat(total(chromium, "tally_events_consumed_total")).isEqualTo(records.size());
      assertThat(total(chromium, "tally_events_rejected_total")).isEqualTo(1);
      assertThat(
              chromium
                  .eval("document.getElementById('figure-tally_events_rejected_total').textContent")
                  .asText())
          .contains("not_json")
          .contains("tally-console-" + id + ".dlq");
      assertThat(
              chromium
                  .eval("document.querySelector('#instances-title ~ div tbody').textContent")
                  .asText())
          .contains("RUNNING")
          // Each topic's lag once, under its own name.
          .contains(topic + ": 0")
          .doesNotContain(topic.replace('.', '_'));
      assertThat(chromium.eval("document.getElementById('banner').hidden").asBoolean()).isTrue();
      screenshots(chromium, url + "#/pipeline", "pipeline", "#figure-tally_events_consumed_total");
      assertThat(chromium.errors()).as("console errors on the pages").isEmpty();

      // An instance that is not ready: the banner says why, as /health/ready does.
      String reason =
          json.readTree(
                  HttpClient.newHttpClient()
                      .send(
                          HttpRequest.newBuilder(notReady.url().resolve("health/ready")).build(),
                          HttpResponse.BodyHandlers.ofString())
                      .body())
              .path("reason")
              .asText();
      assertThat(reason).isNotEmpty();
      chromium.open(notReady.url() + "#/pipeline");
      chromium.await("!document.getElementById('banner').hidden", Duration.ofSeconds(30));
      assertThat(chromium.eval("document.getElementById('banner').textContent").asText())
          .isEqualTo("This instance is not ready: " + reason);
      assertThat(chromium.eval("document.getElementById('banner').getAttribute('role')").asText())
          .isEqualTo("alert");
      chromium.await(
          "document.querySelector('#instances-title ~ div tbody') !== null",
          Duration.ofSeconds(30));
      assertThat(
              chromium
                  .eval("document.querySelector('#instances-title ~ div tbody').textContent")
                  .asText())
          .contains("CREATED");
      screenshots(chromium, notReady.url() + "#/pipeline", "not-ready", "#banner:not([hidden])");
    }
  }

  /** The data table of chart {@code id} once it has {@code columns} columns, header row first. */
  private List<List<String>> awaitTable(HeadlessChromium chromium, String id, int columns)
      throws Exception {
    String rows =
        "[...document.querySelectorAll('[data-table="
            + id
            + "] tr')]"
            + ".map(r => [...r.cells].map(c => c.textContent))";
    chromium.await(
        "(" + rows + ").length > 0 && (" + rows + ")[0].length === " + columns,
        Duration.ofSeconds(30));
    List<List<String>> table = new ArrayList<>();
    for (JsonNode row : chromium.eval(rows)) {
      List<String> cells = new ArrayList<>();
      row.forEach(c -> cells.add(c.asText()));
      table.add(cells);
    }
    return table;
  }

  private static long total(HeadlessChromium chromium, String metric) throws Exception {
    return chromium
        .eval("document.querySelector('#figure-" + metric + " .big').getAttribute('data-total')")
        .asLong();
  }

  /** With -Dconsole.screenshots=DIR, the page at desktop and phone widths. */
  private static void screenshots(
      HeadlessChromium chromium, String url, String name, String readySelector) throws Exception {
    String target = System.getProperty("console.screenshots", "");
    if (target.isEmpty()) {
      return;
    }
    Path out = Path.of(target);
    Files.createDirectories(out);
    for (int width : new int[] {1280, 390}) {
      chromium.viewport(width, width > 600 ? 900 : 844);
      chromium.open(url);
      chromium.await(
          "document.querySelector('" + readySelector + "') !== null", Duration.ofSeconds(30));
      Thread.sleep(300); // Let the charts take their final size.
      Files.write(
          out.resolve(name + "-" + width + ".png"), chromium.screenshot(width > 600 ? 1100 : 1700));
    }
    chromium.viewport(1280, 900);
  }

  private void awaitTotal(HttpClient https, URI url, String metric, String field, long expected)
      throws Exception {
    String auth =
        "Basic "
            + Base64.getEncoder()
                .encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      HttpResponse<String> response =
          https.send(
              HttpRequest.newBuilder(url.resolve("api/v1/totals?metric=" + metric + "&by="))
                  .header("Authorization", auth)
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      last = response.body();
      if (response.statusCode() == 200) {
        JsonNode series = json.readTree(last).path("series");
        if (series.size() == 1 && series.get(0).path(field).asLong() == expected) {
          return;
        }
      }
      Thread.sleep(250);
    }
    throw new AssertionError(metric + " did not reach " + expected + "; last: " + last);
  }

  private Map<String, String> config(String id, String instance) {
    Map<String, String> settings = new HashMap<>();
    settings.put(TallyConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
    settings.put(TallyConfig.APPLICATION_ID, "tally-console-" + id);
    settings.put(TallyConfig.STATE_DIR, dir.resolve(instance).toString());
    settings.put(TallyConfig.INPUT_TOPIC_PATTERN, "events\\." + id + "\\..*");
    settings.put(TallyConfig.DLQ_TOPIC, "tally-console-" + id + ".dlq");
    settings.put(TallyConfig.HTTP_PORT, "0");
    settings.put(TallyConfig.FLUSH_INTERVAL, "200ms");
    return settings;
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

  /** Keyed by source: one source's events stay in order on one partition. */
  private static void produce(String topic, List<String[]> records) {
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers(),
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                "true"),
            new ByteArraySerializer(),
            new ByteArraySerializer())) {
      for (String[] r : records) {
        producer.send(
            new ProducerRecord<>(
                topic,
                r[0].getBytes(StandardCharsets.UTF_8),
                r[1].getBytes(StandardCharsets.UTF_8)));
      }
      producer.flush();
    }
  }
}
