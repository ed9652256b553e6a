package dev.tally.exporter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.tally.loadgen.EventLoad;
import dev.tally.loadgen.GeneratedEvent;
import dev.tally.loadgen.GroundTruth;
import dev.tally.streams.TallyApp;
import dev.tally.streams.config.TallyConfig;
import dev.tally.streams.query.LocalMetricStores;
import dev.tally.tools.kafka.KafkaBrokerExtension;
import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_36_2.Metrics;
import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_36_2.Metrics.MetricFamily;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
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
 * Events produced with a plain producer to a real broker, counted by a running Tally and scraped
 * over HTTP, must show the exact totals computed from the generated events, in a scrape that {@code
 * promtool check metrics} accepts without a word.
 */
class TallyExporterIT {
  private static final int EVENTS = 4_000;
  private static final String PROTOBUF =
      "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily;"
          + " encoding=delimited";

  @RegisterExtension static KafkaBrokerExtension kafka = new KafkaBrokerExtension();

  @TempDir Path stateDir;

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void shouldScrapeExactTotalsOfWhatWasProducedInAScrapePromtoolAccepts() throws Exception {
    String id = "x" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    String prefix = "events." + id + ".";
    long now = System.currentTimeMillis();
    // Event times in the last three minutes: the delta gauges stay within gauge.ttl (5m) while
    // the test runs.
    EventLoad load =
        EventLoad.builder()
            .seed(2026)
            .topicPrefix(prefix)
            .startMs(now - Duration.ofMinutes(3).toMillis())
            .spreadMs(Duration.ofMinutes(2).toMillis())
            .badFraction(0.02)
            .build();
    GroundTruth expected = produce(load, prefix, 3, EVENTS);

    TallyConfig config = TallyConfig.fromMap(settings(id, stateDir));
    try (TallyApp app = TallyApp.create(config);
        TallyExporter exporter = TallyExporter.start(app)) {
      HttpResponse<String> beforeStart = get(exporter, "health/ready", null);
      assertThat(beforeStart.statusCode()).isEqualTo(503);
      assertThat(beforeStart.body()).contains("\"reason\":\"Kafka Streams is CREATED\"");

      app.start();
      Map<String, Double> scraped =
          awaitConsumed(
              exporter,
              expected.events(),
              Duration.ofMinutes(3),
              s ->
                  expected.counts().entrySet().stream()
                      .allMatch(e -> e.getValue().equals(s.get(e.getKey()))));

      assertThat(expected.counts()).hasSizeGreaterThan(30);
      expected
          .counts()
          .forEach((series, total) -> assertThat(scraped.get(series)).as(series).isEqualTo(total));
      expected
          .sums()
          .forEach(
              (series, sum) ->
                  assertThat(scraped.get(series))
                      .as(series)
                      .isCloseTo(sum.doubleValue(), within(sum.doubleValue() * 1e-9)));
      expected
          .connectionsActive()
          .forEach((series, open) -> assertThat(scraped.get(series)).as(series).isEqualTo(open));
      assertThat(sumOf(scraped, "tally_events_rejected_total{")).isEqualTo(expected.rejected());
      assertThat(scraped.get("tally_stores_queryable")).isEqualTo(1.0);
      assertThat(scraped.get("tally_streams_state{state=\"RUNNING\"}")).isEqualTo(1.0);
      assertThat(scraped).doesNotContainKey("tally_scrape_series_skipped_total");
      assertThat(scraped.get("tally_store_records_undecodable_total")).isEqualTo(0.0);
      assertThat(get(exporter, "health/ready", null).statusCode()).isEqualTo(200);

      String text = get(exporter, "metrics", null).body();
      // Kept for a look after the run (CI artifact).
      Files.writeString(Path.of("target", "TallyExporterIT-metrics.txt"), text);
      assertThat(promtoolCheckMetrics(text)).isEqualTo(new PromtoolResult(0, ""));
      // Every tally_ family a real scrape shows is documented in docs/metrics.md.
      String metricsDoc = Files.readString(Path.of("..", "docs", "metrics.md"));
      List<String> undocumented =
          text.lines()
              .filter(line -> line.startsWith("# TYPE tally_"))
              .map(line -> line.split(" ")[2])
              .filter(family -> !metricsDoc.contains("`" + family + "`"))
              .toList();
      assertThat(undocumented).as("tally_ families missing from docs/metrics.md").isEmpty();

      Metrics.Histogram latency = nativeHistogram(exporter, "ack_latency_seconds");
      assertThat(latency.getSchema()).isEqualTo(6);
      assertThat(latency.getPositiveSpanCount()).isPositive();
      assertThat(latency.getSampleCount())
          .isEqualTo(
              expected
                  .counts()
                  .get(GroundTruth.key("ack_latency_seconds_count", "service", "im-gateway"))
                  .longValue());
    }
  }

  /**
   * Two instances on single-partition topics and one series partition: one task owns all series, so
   * one instance holds no metric store. That instance is still ready and queryable (it has nothing
   * to expose, which is not an error), and the two scrapes together hold the exact totals.
   */
  @Test
  void shouldServeAnInstanceThatOwnsNoSeriesAsReadyAndQueryable() throws Exception {
    String id = "y" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    String prefix = "events." + id + ".";
    EventLoad load =
        EventLoad.builder()
            .seed(7)
            .topicPrefix(prefix)
            .startMs(System.currentTimeMillis() - Duration.ofMinutes(3).toMillis())
            .spreadMs(Duration.ofMinutes(2).toMillis())
            .build();
    GroundTruth expected = produce(load, prefix, 1, 1_000);
    List<TallyApp> apps = new ArrayList<>();
    List<TallyExporter> exporters = new ArrayList<>();
    try {
      for (String instance : List.of("a", "b")) {
        TallyApp app =
            TallyApp.create(TallyConfig.fromMap(settings(id, stateDir.resolve(instance))));
        apps.add(app);
        exporters.add(TallyExporter.start(app));
        app.start();
      }

      Map<String, Double> together = Map.of();
      long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
      while (System.nanoTime() < deadline
          && !expected.counts().equals(catalogPart(together, expected))) {
        Thread.sleep(250);
        Map<String, Double> sum = new HashMap<>();
        for (TallyExporter exporter : exporters) {
          parse(get(exporter, "metrics", null).body())
              .forEach((k, v) -> sum.merge(k, v, Double::sum));
        }
        together = sum;
      }

      assertThat(catalogPart(together, expected)).isEqualTo(expected.counts());
      assertThat(apps.stream().filter(app -> LocalMetricStores.ownsSeries(app.streams())))
          .as("instances owning series")
          .hasSize(1);
      for (TallyExporter exporter : exporters) {
        assertThat(get(exporter, "health/ready", null).statusCode()).isEqualTo(200);
        assertThat(parse(get(exporter, "metrics", null).body()).get("tally_stores_queryable"))
            .isEqualTo(1.0);
      }
    } finally {
      exporters.forEach(TallyExporter::close);
      apps.forEach(TallyApp::close);
    }
  }

  /**
   * Creates the three service topics of {@code prefix} and produces {@code events} of {@code load}
   * to them; returns what Tally must count.
   */
  private static GroundTruth produce(EventLoad load, String prefix, int partitions, int events) {
    GroundTruth expected = new GroundTruth();
    List.of("im-gateway", "media-gateway", "event-observer")
        .forEach(service -> kafka.createTopic(prefix + service, partitions));
    try (KafkaProducer<byte[], byte[]> producer = producer()) {
      for (int i = 0; i < events; i++) {
        GeneratedEvent e = load.next();
        expected.add(e);
        producer.send(new ProducerRecord<>(e.topic(), null, e.timestampMs(), null, e.json()));
      }
      producer.flush();
    }
    return expected;
  }

  /** One instance's settings: application {@code id} reading the topics {@code events.<id>.*}. */
  private static Map<String, String> settings(String id, Path stateDir) {
    return Map.of(
        TallyConfig.BOOTSTRAP_SERVERS,
        kafka.bootstrapServers(),
        TallyConfig.APPLICATION_ID,
        "tally-exporter-it-" + id,
        TallyConfig.STATE_DIR,
        stateDir.toString(),
        TallyConfig.INPUT_TOPIC_PATTERN,
        "events\\." + id + "\\..*",
        TallyConfig.DLQ_TOPIC,
        "tally-exporter-it-" + id + ".dlq",
        TallyConfig.FLUSH_INTERVAL,
        "200ms",
        TallyConfig.HTTP_PORT,
        "0",
        // One series partition: the second test needs an instance that owns no series.
        TallyConfig.SERIES_PARTITIONS,
        "1",
        "kafka.commit.interval.ms",
        "200");
  }

  private static Map<String, Double> catalogPart(
      Map<String, Double> scraped, GroundTruth expected) {
    Map<String, Double> part = new HashMap<>();
    expected
        .counts()
        .keySet()
        .forEach(
            k -> {
              if (scraped.containsKey(k)) {
                part.put(k, scraped.get(k));
              }
            });
    return part;
  }

  /**
   * Scrapes until every record is counted and {@code settled} holds. Counting the records and
   * updating the series they feed happen on different owner tasks, so the series may trail the
   * record count by a commit; once the time is up, the last scrape is returned for the assertions
   * to report what differs.
   */
  private Map<String, Double> awaitConsumed(
      TallyExporter exporter,
      long events,
      Duration timeout,
      java.util.function.Predicate<Map<String, Double>> settled)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    double consumed = -1;
    Map<String, Double> scraped = Map.of();
    while (System.nanoTime() < deadline) {
      HttpResponse<String> response = get(exporter, "metrics", null);
      assertThat(response.statusCode()).isEqualTo(200);
      scraped = parse(response.body());
      consumed = sumOf(scraped, "tally_events_consumed_total{");
      assertThat(consumed).as("consumed more than produced").isLessThanOrEqualTo(events);
      if (consumed == events && settled.test(scraped)) {
        return scraped;
      }
      Thread.sleep(250);
    }
    if (consumed == events) {
      return scraped;
    }
    throw new AssertionError("only " + consumed + " of " + events + " events counted in time");
  }

  private Metrics.Histogram nativeHistogram(TallyExporter exporter, String name)
      throws IOException, InterruptedException {
    HttpResponse<byte[]> response =
        http.send(
            HttpRequest.newBuilder(exporter.url().resolve("metrics"))
                .header("Accept", PROTOBUF)
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    InputStream in = new ByteArrayInputStream(response.body());
    MetricFamily family;
    while ((family = MetricFamily.parseDelimitedFrom(in)) != null) {
      if (family.getName().equals(name)) {
        for (Metrics.Metric metric : family.getMetricList()) {
          if (metric.getLabelList().stream().anyMatch(l -> l.getValue().equals("im-gateway"))) {
            return metric.getHistogram();
          }
        }
      }
    }
    throw new AssertionError("no " + name + "{service=\"im-gateway\"} in the protobuf scrape");
  }

  /** Sample lines of the Prometheus text format: series → value. */
  private static Map<String, Double> parse(String text) {
    Map<String, Double> samples = new HashMap<>();
    text.lines()
        .filter(line -> !line.isEmpty() && !line.startsWith("#"))
        .forEach(
            line -> {
              int space = line.lastIndexOf(' ');
              samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
            });
    return samples;
  }

  private static double sumOf(Map<String, Double> samples, String prefix) {
    return samples.entrySet().stream()
        .filter(e -> e.getKey().startsWith(prefix))
        .mapToDouble(Map.Entry::getValue)
        .sum();
  }

  record PromtoolResult(int exitCode, String output) {}

  /** Runs {@code promtool check metrics} on {@code text}; promtool must be installed. */
  private static PromtoolResult promtoolCheckMetrics(String text)
      throws IOException, InterruptedException {
    Path promtool =
        findOnPath("promtool")
            .orElseThrow(
                () ->
                    new AssertionError(
                        "promtool is not on the PATH; install Debian's prometheus package"
                            + " (.ci/run does) to check the exposition"));
    Process process =
        new ProcessBuilder(promtool.toString(), "check", "metrics")
            .redirectErrorStream(true)
            .start();
    try (OutputStream in = process.getOutputStream()) {
      in.write(text.getBytes(StandardCharsets.UTF_8));
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("promtool finished").isTrue();
    return new PromtoolResult(process.exitValue(), output);
  }

  private static Optional<Path> findOnPath(String command) {
    String path = Optional.ofNullable(System.getenv("PATH")).orElse("");
    return Stream.of(path.split(File.pathSeparator))
        .filter(dir -> !dir.isEmpty())
        .map(dir -> Path.of(dir, command))
        .filter(Files::isExecutable)
        .findFirst();
  }

  private HttpResponse<String> get(TallyExporter exporter, String path, String accept)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(exporter.url().resolve(path));
    if (accept != null) {
      request.header("Accept", accept);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static KafkaProducer<byte[], byte[]> producer() {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
  }
}
