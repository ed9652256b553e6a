package dev.tally.exporter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tally.loadgen.EventLoad;
import dev.tally.loadgen.GeneratedEvent;
import dev.tally.loadgen.GroundTruth;
import dev.tally.streams.TallyApp;
import dev.tally.streams.config.TallyConfig;
import dev.tally.tools.kafka.KafkaBrokerExtension;
import java.io.File;
import java.io.IOException;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tally as an operator runs it: scraped by a real Prometheus server (Debian's binary, loopback
 * only), with the repository's recording and alerting rules loaded and every dashboard expression
 * evaluated through Prometheus' HTTP API. Two servers scrape the same instance: one reads classic
 * buckets (text format), one native histograms (protobuf, {@code --enable-feature=
 * native-histograms}), since a dashboard panel carries both forms.
 */
class PrometheusEndToEndIT {
  private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension static KafkaBrokerExtension kafka = new KafkaBrokerExtension();

  @TempDir Path dir;

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void shouldAnswerDashboardsAndRulesFromARealPrometheusWithTheProducedTotals() throws Exception {
    String id = "p" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    String prefix = "events." + id + ".";
    EventLoad load = EventLoad.builder().seed(11).topicPrefix(prefix).badFraction(0.01).build();
    load.topics().forEach(t -> kafka.createTopic(t, 2));
    GroundTruth expected = new GroundTruth();
    List<Double> imAckLatencies = new ArrayList<>();

    try (TallyApp app = TallyApp.create(config(id));
        TallyExporter exporter = TallyExporter.start(app)) {
      app.start();
      produce(load, 3_000, expected, imAckLatencies);
      awaitTallyTotals(exporter, expected);

      Prometheus classic = Prometheus.start(dir.resolve("classic"), exporter.port(), false);
      Prometheus nativeHistograms = Prometheus.start(dir.resolve("native"), exporter.port(), true);
      try {
        Thread.sleep(10_000); // several scrapes of the first phase
        double before = expected.counts().get(consumed(load.topics().get(0)));
        long secondPhaseStart = System.currentTimeMillis();
        produce(load, 3_000, expected, imAckLatencies);
        awaitTallyTotals(exporter, expected);
        Thread.sleep(6_000); // several scrapes of the second phase, rules evaluated

        // The last scraped value of every counter is the ground truth, exactly.
        String first = consumed(load.topics().get(0));
        for (String series :
            List.of(first, GroundTruth.key("ack_received_total", "service", "im-gateway"))) {
          assertThat(value(classic, "last_over_time(" + series + "[1m])"))
              .as(series)
              .isEqualTo(expected.counts().get(series));
        }
        // A window reaching back to just before the second phase: increase() shows the second
        // phase, up to Prometheus' extrapolation to the window's edges; the difference to the
        // value at the window's start shows it exactly.
        long window = (System.currentTimeMillis() - secondPhaseStart) / 1000 + 2;
        double secondPhase = expected.counts().get(first) - before;
        assertThat(value(classic, "increase(" + first + "[" + window + "s])"))
            .isCloseTo(secondPhase, within(secondPhase * 0.35));
        assertThat(value(classic, first + " - " + first + " offset " + window + "s"))
            .isEqualTo(secondPhase);

        // histogram_quantile on classic buckets falls in the bucket of the exact quantile.
        double exactP99 = exactQuantile(imAckLatencies, 0.99);
        double[] bucket = classicBucket(exactP99);
        double estimated =
            value(
                classic,
                "histogram_quantile(0.99, sum by (le)"
                    + " (ack_latency_seconds_bucket{service=\"im-gateway\"}))");
        assertThat(estimated).isBetween(bucket[0], bucket[1]);
        // The native histogram's estimate is within one bucket of its schema of the exact
        // quantile (schema 6: buckets grow by 2^(1/64), about 1.1 %).
        double nativeP99 =
            value(
                nativeHistograms,
                "histogram_quantile(0.99, sum(ack_latency_seconds{service=\"im-gateway\"}))");
        assertThat(nativeP99).isCloseTo(exactP99, within(exactP99 * 0.011));

        Map<String, String> expressions = dashboardExpressions();
        expressions.putAll(ruleExpressions());
        assertThat(expressions).as("expressions found").isNotEmpty();
        Map<String, String> unanswered = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : expressions.entrySet()) {
          Answer fromClassic = query(classic, e.getValue());
          Answer fromNative = query(nativeHistograms, e.getValue());
          assertThat(fromClassic.parsed()).as("%s parses: %s", e.getKey(), fromClassic).isTrue();
          if (!fromClassic.hasData() && !fromNative.hasData() && !e.getKey().startsWith("alert ")) {
            unanswered.put(e.getKey(), e.getValue());
          }
        }
        Files.writeString(
            Path.of("target", "PrometheusEndToEndIT-unanswered.txt"),
            String.join("\n", unanswered.keySet()));
        assertThat(unanswered.keySet())
            .as("expressions without data (only those that need events this load lacks)")
            .allMatch(PrometheusEndToEndIT::needsEventsTheLoadLacks);
      } finally {
        classic.close();
        nativeHistograms.close();
      }
    }
  }

  /**
   * Series that exist only after what this load does not produce: a restore in progress, a cap
   * overflow, late or re-sent events, a thread death, undecodable records, skipped series; and the
   * per-window ratio gauges ({@code *_ratio}), which need a closed 1-minute window with traffic
   * (the window ends, then {@code window.grace} passes), longer than this test runs. Their values
   * are checked by the query tests; the dashboards show the same ratio from counter rates beside
   * them, and those must answer.
   */
  private static boolean needsEventsTheLoadLacks(String expression) {
    return Stream.of(
            "restore",
            "overflow",
            "late_events",
            "failed_threads",
            "undecodable",
            "series_skipped",
            "duplicate",
            "_ratio{")
        .anyMatch(expression::contains);
  }

  private TallyConfig config(String id) {
    Map<String, String> settings = new HashMap<>();
    settings.put(TallyConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
    settings.put(TallyConfig.APPLICATION_ID, "tally-prometheus-" + id);
    settings.put(TallyConfig.STATE_DIR, dir.resolve("state").toString());
    settings.put(TallyConfig.INPUT_TOPIC_PATTERN, "events\\." + id + "\\..*");
    settings.put(TallyConfig.DLQ_TOPIC, "tally-prometheus-" + id + ".dlq");
    settings.put(TallyConfig.HTTP_PORT, "0");
    return TallyConfig.fromMap(settings);
  }

  private static void produce(
      EventLoad load, int events, GroundTruth expected, List<Double> imAckLatencies) {
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
            new ByteArraySerializer(),
            new ByteArraySerializer())) {
      for (int i = 0; i < events; i++) {
        GeneratedEvent e = load.nextAt(System.currentTimeMillis());
        expected.add(e);
        if (e.valid() && e.type().equals("ack.received") && e.service().equals("im-gateway")) {
          imAckLatencies.add(((Number) e.fields().get("latency_ms")).doubleValue() / 1000);
        }
        producer.send(new ProducerRecord<>(e.topic(), null, e.timestampMs(), null, e.json()));
      }
      producer.flush();
    }
  }

  private static String consumed(String topic) {
    return GroundTruth.key("tally_events_consumed_total", "topic", topic);
  }

  private void awaitTallyTotals(TallyExporter exporter, GroundTruth expected) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (System.nanoTime() < deadline) {
      String body =
          http.send(
                  HttpRequest.newBuilder(exporter.url().resolve("metrics")).build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      Map<String, Double> samples = new HashMap<>();
      body.lines()
          .filter(l -> !l.startsWith("#") && !l.isEmpty())
          .forEach(
              l ->
                  samples.put(
                      l.substring(0, l.lastIndexOf(' ')),
                      Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))));
      if (expected.counts().entrySet().stream()
          .allMatch(e -> e.getValue().equals(samples.get(e.getKey())))) {
        return;
      }
      Thread.sleep(250);
    }
    throw new AssertionError("Tally did not reach the produced totals in time");
  }

  private static double exactQuantile(List<Double> values, double q) {
    List<Double> sorted = values.stream().sorted().toList();
    return sorted.get((int) Math.ceil(q * sorted.size()) - 1);
  }

  /** The classic bucket (lower, upper] of the built-in latency layout holding {@code value}. */
  private static double[] classicBucket(double value) {
    double[] bounds = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    double lower = 0;
    for (double upper : bounds) {
      if (value <= upper) {
        return new double[] {lower, upper};
      }
      lower = upper;
    }
    return new double[] {lower, Double.POSITIVE_INFINITY};
  }

  /** Every dashboard target, as dashboards/check.py prints it (template variables resolved). */
  private static Map<String, String> dashboardExpressions() throws Exception {
    Map<String, String> expressions = new LinkedHashMap<>();
    Process p =
        new ProcessBuilder("python3", REPO.resolve("dashboards/check.py").toString())
            .directory(REPO.toFile())
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("dashboards/check.py").isZero();
    for (String line : out.split("\n")) {
      String[] parts = line.split("\t", 3);
      if (parts.length == 3) {
        expressions.put("dashboard " + parts[0] + " / " + parts[1] + ": " + parts[2], parts[2]);
      }
    }
    return expressions;
  }

  /** Every recording rule and alert expression of deploy/prometheus/rules. */
  private static Map<String, String> ruleExpressions() throws IOException {
    Map<String, String> expressions = new LinkedHashMap<>();
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    try (Stream<Path> files = Files.list(REPO.resolve("deploy/prometheus/rules"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yml")).sorted().toList()) {
        for (JsonNode group : yaml.readTree(file.toFile()).path("groups")) {
          for (JsonNode rule : group.path("rules")) {
            String kind = rule.has("alert") ? "alert " : "record ";
            String name =
                rule.has("alert") ? rule.get("alert").asText() : rule.path("record").asText();
            expressions.put(
                kind + name + ": " + rule.get("expr").asText(), rule.get("expr").asText());
          }
        }
      }
    }
    return expressions;
  }

  record Answer(boolean parsed, boolean hasData, String body) {}

  private Answer query(Prometheus server, String expression) throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(
                    server.url.resolve(
                        "api/v1/query?query="
                            + URLEncoder.encode(expression, StandardCharsets.UTF_8)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    JsonNode body = JSON.readTree(response.body());
    boolean parsed = response.statusCode() == 200 && body.path("status").asText().equals("success");
    JsonNode result = body.path("data").path("result");
    boolean hasData = parsed && (result.isArray() ? result.size() > 0 : !result.isMissingNode());
    return new Answer(parsed, hasData, response.body());
  }

  private double value(Prometheus server, String expression) throws Exception {
    Answer answer = query(server, expression);
    JsonNode result = JSON.readTree(answer.body()).path("data").path("result");
    assertThat(result.size()).as("one series for %s: %s", expression, answer.body()).isEqualTo(1);
    return Double.parseDouble(result.get(0).path("value").get(1).asText());
  }

  /** A Prometheus server scraping one Tally instance every second, with the repository's rules. */
  private static final class Prometheus implements AutoCloseable {
    private final Process process;
    final URI url;

    private Prometheus(Process process, URI url) {
      this.process = process;
      this.url = url;
    }

    static Prometheus start(Path dir, int tallyPort, boolean nativeHistograms) throws Exception {
      Files.createDirectories(dir);
      int port;
      try (ServerSocket socket = new ServerSocket(0)) {
        port = socket.getLocalPort();
      }
      String config =
          """
          global: {scrape_interval: 1s, evaluation_interval: 1s}
          rule_files: ["%s/deploy/prometheus/rules/*.yml"]
          scrape_configs:
            - job_name: tally
              static_configs:
                - targets: ["127.0.0.1:%d"]
                  labels: {pod: tally-0}
          """
              .formatted(REPO, tallyPort);
      Path file = dir.resolve("prometheus.yml");
      Files.writeString(file, config);
      List<String> command =
          new ArrayList<>(
              List.of(
                  "/usr/bin/prometheus",
                  "--config.file=" + file,
                  "--storage.tsdb.path=" + dir.resolve("data"),
                  "--web.listen-address=127.0.0.1:" + port));
      if (nativeHistograms) {
        command.add("--enable-feature=native-histograms");
      }
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(new File(dir.toFile(), "prometheus.log"))
              .start();
      URI url = URI.create("http://127.0.0.1:" + port + "/");
      HttpClient client = HttpClient.newHttpClient();
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (System.nanoTime() < deadline) {
        try {
          if (client
                  .send(
                      HttpRequest.newBuilder(url.resolve("-/ready")).build(),
                      HttpResponse.BodyHandlers.discarding())
                  .statusCode()
              == 200) {
            return new Prometheus(process, url);
          }
        } catch (IOException notYet) {
          // still starting
        }
        assertThat(process.isAlive())
            .as("prometheus exited: %s", Files.readString(dir.resolve("prometheus.log")))
            .isTrue();
        Thread.sleep(200);
      }
      process.destroyForcibly();
      throw new AssertionError("prometheus did not become ready");
    }

    @Override
    public void close() throws InterruptedException {
      process.destroy();
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }
}
