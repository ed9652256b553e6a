package dev.tally.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.loadgen.EventLoad;
import dev.tally.loadgen.GeneratedEvent;
import dev.tally.loadgen.GroundTruth;
import dev.tally.streams.TallyApp;
import dev.tally.streams.config.TallyConfig;
import dev.tally.streams.query.LocalMetricStores;
import dev.tally.streams.topology.StoreNames;
import dev.tally.tools.kafka.KafkaBrokerExtension;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Four instances of one application join one after another, on three input topics of one partition
 * each and two series partitions: three tasks (one reads the input, two own series), so at least
 * three instances read no input partition and at least one holds no active task at all. Tasks move
 * to each joining instance, which restores their stores.
 *
 * <ul>
 *   <li>Every instance answers {@code /health/ready} 200 once its Kafka Streams runs (its stores
 *       restored), and not before: one that reads no input, or holds no task, is not kept waiting.
 *   <li>Each then reads its stores ({@code tally_stores_queryable 1}) and its query API answers the
 *       exact total.
 *   <li>{@code tally_streams_consumer_records_lag} shows each partition the application reads once,
 *       under its topic's real name, from the one instance that reads it.
 * </ul>
 */
class InstancesWithoutInputIT {
  private static final int INSTANCES = 4;
  private static final int EVENTS = 1_500;
  private static final List<String> SERVICES =
      List.of("im-gateway", "media-gateway", "event-observer");
  private static final Pattern LAG =
      Pattern.compile(
          "^tally_streams_consumer_records_lag\\{client_id=\"([^\"]*)\",partition=\"(\\d+)\","
              + "topic=\"([^\"]*)\"} .*$",
          Pattern.MULTILINE);

  @RegisterExtension static KafkaBrokerExtension kafka = new KafkaBrokerExtension();

  @TempDir Path stateDir;

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final ObjectMapper json = new ObjectMapper();

  @Test
  void shouldMakeEveryInstanceReadyOnceRunningWhetherItReadsInputOrNot() throws Exception {
    String id = "w" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    String prefix = "events." + id + ".";
    GroundTruth truth = produce(prefix);
    String metric = someCounter(truth);
    long expected =
        Math.round(
            truth.counters().entrySet().stream()
                .filter(e -> e.getKey().startsWith(metric + "{"))
                .mapToDouble(Map.Entry::getValue)
                .sum());

    List<TallyApp> apps = new ArrayList<>();
    List<TallyExporter> exporters = new ArrayList<>();
    Map<Integer, Long> firstRunning = new ConcurrentHashMap<>();
    Map<Integer, Long> firstReady = new HashMap<>();
    try {
      for (int i = 0; i < INSTANCES; i++) {
        int instance = i;
        int port = freePort();
        TallyApp app = TallyApp.create(TallyConfig.fromMap(settings(id, instance, port)));
        app.streams()
            .setStateListener(
                (now, before) -> {
                  if (now == KafkaStreams.State.RUNNING) {
                    firstRunning.putIfAbsent(instance, System.nanoTime());
                  }
                });
        apps.add(app);
        exporters.add(TallyExporter.start(app));
      }

      // One joins after the other has become ready: each join moves tasks onto the new one.
      for (int i = 0; i < INSTANCES; i++) {
        apps.get(i).start();
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline && !firstReady.containsKey(i)) {
          if (get(exporters.get(i), "health/ready").statusCode() == 200) {
            firstReady.put(i, System.nanoTime());
          }
          Thread.sleep(50);
        }
        assertThat(firstReady)
            .as("instance %d ready within 2 minutes of its start", i)
            .containsKey(i);
      }
      awaitSettled(exporters, metric, expected);

      List<String> layout = new ArrayList<>();
      int readingNoInput = 0;
      int holdingNoTask = 0;
      for (KafkaStreams streams : apps.stream().map(TallyApp::streams).toList()) {
        boolean readsInput = readsInput(streams, prefix);
        Set<Integer> series = LocalMetricStores.activeSeriesPartitions(streams);
        readingNoInput += readsInput ? 0 : 1;
        holdingNoTask += !readsInput && series.isEmpty() ? 1 : 0;
        layout.add((readsInput ? "input" : "no input") + ", series " + series);
      }
      System.out.println("InstancesWithoutInputIT: " + layout);
      assertThat(readingNoInput).as("instances reading no input (%s)", layout).isGreaterThan(2);
      assertThat(holdingNoTask).as("instances holding no task (%s)", layout).isPositive();

      for (int i = 0; i < INSTANCES; i++) {
        String who = "instance " + i + " (" + layout.get(i) + ")";
        assertThat(firstRunning).as(who + " ran").containsKey(i);
        assertThat(firstReady.get(i))
            .as(who + " ready only once running")
            .isGreaterThan(firstRunning.get(i));
        HttpResponse<String> ready = get(exporters.get(i), "health/ready");
        assertThat(ready.statusCode()).as(who + ": " + ready.body()).isEqualTo(200);
        assertThat(get(exporters.get(i), "metrics").body())
            .as(who)
            .contains("\ntally_stores_queryable 1.0\n");
        assertThat(total(exporters.get(i), metric)).as(who + ": " + metric).isEqualTo(expected);
      }

      // Every partition read (the input topics' and the repartition topic's), once, by its reader.
      Map<String, List<String>> lag = awaitLagOncePerPartition(exporters, prefix);
      assertThat(lag.keySet())
          .as("partitions whose lag is exported, by whom: %s", lag)
          .containsExactlyInAnyOrder(
              prefix + "event-observer/0",
              prefix + "im-gateway/0",
              prefix + "media-gateway/0",
              StoreNames.repartitionTopic("tally-noinput-" + id) + "/0",
              StoreNames.repartitionTopic("tally-noinput-" + id) + "/1");
      assertThat(lag)
          .as("who exports each partition's lag")
          .allSatisfy((p, by) -> assertThat(by).hasSize(1));
    } finally {
      exporters.forEach(TallyExporter::close);
      apps.forEach(TallyApp::close);
    }
  }

  /** Waits until every instance is ready and answers the exact total through the query API. */
  private void awaitSettled(List<TallyExporter> exporters, String metric, long expected)
      throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (System.nanoTime() < deadline) {
      boolean settled = true;
      for (TallyExporter exporter : exporters) {
        settled &=
            get(exporter, "health/ready").statusCode() == 200
                && total(exporter, metric) == expected;
      }
      if (settled) {
        return;
      }
      Thread.sleep(250);
    }
    throw new AssertionError("the instances did not settle on " + expected + " in 2 minutes");
  }

  /**
   * The lag series of all instances by "topic/partition": who exports each ({@code instance
   * client_id}), once every partition has one exporter, or as last seen after 90 s. A consumer may
   * show a partition's lag only once a fetch returns records of it: a repartition partition that
   * changed hands gets some only with the next partials sent to it (Tally's heartbeats at the
   * latest, every tenth of gauge.ttl: 30 s), later still on a loaded machine.
   */
  private Map<String, List<String>> awaitLagOncePerPartition(
      List<TallyExporter> exporters, String prefix) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    Map<String, List<String>> lag;
    do {
      lag = new TreeMap<>();
      for (int i = 0; i < exporters.size(); i++) {
        Matcher m = LAG.matcher(get(exporters.get(i), "metrics").body());
        while (m.find()) {
          lag.computeIfAbsent(m.group(3) + "/" + m.group(2), k -> new ArrayList<>())
              .add("instance " + i + " " + m.group(1));
        }
      }
      if (lag.size() == SERVICES.size() + 2
          && lag.values().stream().allMatch(by -> by.size() == 1)) {
        return lag;
      }
      Thread.sleep(500);
    } while (System.nanoTime() < deadline);
    return lag;
  }

  private static boolean readsInput(KafkaStreams streams, String prefix) {
    return streams.metadataForLocalThreads().stream()
        .flatMap(t -> t.activeTasks().stream())
        .flatMap(t -> t.topicPartitions().stream())
        .anyMatch(p -> p.topic().startsWith(prefix));
  }

  /** The total of {@code metric} over all series, as the query API answers it; -1 unless 200. */
  private long total(TallyExporter exporter, String metric)
      throws IOException, InterruptedException {
    HttpResponse<String> r = get(exporter, "api/v1/totals?metric=" + metric + "&by=");
    if (r.statusCode() != 200) {
      return -1;
    }
    List<?> series = (List<?>) json.readValue(r.body(), Map.class).get("series");
    return series.isEmpty() ? 0 : ((Number) ((Map<?, ?>) series.get(0)).get("value")).longValue();
  }

  /** A catalog counter the load feeds. */
  private static String someCounter(GroundTruth truth) {
    return truth.counters().keySet().stream()
        .filter(k -> k.contains("_total{"))
        .map(k -> k.substring(0, k.indexOf('{')))
        .sorted()
        .findFirst()
        .orElseThrow();
  }

  /** Creates one single-partition topic per service under {@code prefix} and produces to them. */
  private static GroundTruth produce(String prefix) {
    EventLoad load =
        EventLoad.builder()
            .seed(11)
            .topicPrefix(prefix)
            .startMs(System.currentTimeMillis() - Duration.ofMinutes(3).toMillis())
            .spreadMs(Duration.ofMinutes(2).toMillis())
            .build();
    SERVICES.forEach(service -> kafka.createTopic(prefix + service, 1));
    GroundTruth expected = new GroundTruth();
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < EVENTS; i++) {
        GeneratedEvent e = load.next();
        expected.add(e);
        producer.send(new ProducerRecord<>(e.topic(), null, e.timestampMs(), null, e.json()));
      }
      producer.flush();
    }
    return expected;
  }

  private Map<String, String> settings(String id, int instance, int port) {
    Map<String, String> p = new HashMap<>();
    p.put(TallyConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
    p.put(TallyConfig.APPLICATION_ID, "tally-noinput-" + id);
    p.put(TallyConfig.APPLICATION_SERVER, "localhost:" + port);
    p.put(TallyConfig.HTTP_PORT, Integer.toString(port));
    p.put(TallyConfig.STATE_DIR, stateDir.resolve("i" + instance).toString());
    p.put(TallyConfig.INPUT_TOPIC_PATTERN, "events\\." + id + "\\..*");
    p.put(TallyConfig.DLQ_TOPIC, "tally-noinput-" + id + ".dlq");
    p.put(TallyConfig.FLUSH_INTERVAL, "200ms");
    // Three tasks for four instances: one reads the input, two own series.
    p.put(TallyConfig.SERIES_PARTITIONS, "2");
    p.put("kafka.session.timeout.ms", "6000");
    return p;
  }

  private HttpResponse<String> get(TallyExporter exporter, String path)
      throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(exporter.url().resolve(path))
            .timeout(Duration.ofSeconds(15))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
