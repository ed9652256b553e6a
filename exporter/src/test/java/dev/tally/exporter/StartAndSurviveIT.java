package dev.tally.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.streams.TallyApp;
import dev.tally.streams.config.TallyConfig;
import dev.tally.tools.kafka.KafkaBrokerExtension;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tally started in any order never ends up live-but-dead: before its input topics exist it says why
 * it is not ready and counts as soon as one appears; a stream thread that dies is replaced; a
 * thread that keeps dying fails {@code /health/live} so that an orchestrator restarts the process.
 */
class StartAndSurviveIT {
  @RegisterExtension static KafkaBrokerExtension kafka = new KafkaBrokerExtension();

  @TempDir Path stateDir;

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void shouldStartBeforeAnyInputTopicExistsAndCountOnceOneAppears() throws Exception {
    String id = newId();
    try (TallyApp app = TallyApp.create(config(id));
        TallyExporter exporter = TallyExporter.start(app)) {
      app.start();
      HttpResponse<String> notReady =
          await(exporter, "health/ready", r -> r.body().contains("no topic matches"));
      assertThat(notReady.statusCode()).isEqualTo(503);
      assertThat(notReady.body()).contains("input.topic.pattern");
      assertThat(get(exporter, "health/live").statusCode()).isEqualTo(200);

      String topic = "events." + id + ".late-comer";
      kafka.createTopic(topic, 2);
      produce(topic, 25);

      await(
          exporter,
          "metrics",
          r -> r.body().contains("ack_timeouts_total{service=\"im-gateway\"} 25.0"));
      await(exporter, "health/ready", r -> r.statusCode() == 200);
      assertThat(get(exporter, "health/live").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void shouldReplaceAStreamThreadThatDiedAndGoOnCounting() throws Exception {
    String id = newId();
    String poison = "poison-" + id;
    kafka.createTopic(poison, 1);
    kafka.createTopic("events." + id + ".im-gateway", 2);
    AtomicInteger deaths = new AtomicInteger();
    try (TallyApp app = TallyApp.create(config(id), t -> withPoison(t, poison, deaths, 1));
        TallyExporter exporter = TallyExporter.start(app)) {
      app.start();
      await(exporter, "health/ready", r -> r.statusCode() == 200);
      produce(poison, 1);
      produce("events." + id + ".im-gateway", 25);

      await(
          exporter,
          "metrics",
          r -> r.body().contains("ack_timeouts_total{service=\"im-gateway\"} 25.0"));
      assertThat(deaths.get()).as("stream threads killed").isEqualTo(1);
      assertThat(get(exporter, "health/live").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void shouldFailLivenessWhenStreamThreadsKeepDying() throws Exception {
    String id = newId();
    String poison = "poison-" + id;
    kafka.createTopic(poison, 1);
    kafka.createTopic("events." + id + ".im-gateway", 2);
    AtomicInteger deaths = new AtomicInteger();
    try (TallyApp app =
            TallyApp.create(config(id), t -> withPoison(t, poison, deaths, Integer.MAX_VALUE));
        TallyExporter exporter = TallyExporter.start(app)) {
      app.start();
      await(exporter, "health/ready", r -> r.statusCode() == 200);
      produce(poison, 1);

      HttpResponse<String> dead =
          await(exporter, "health/live", r -> r.statusCode() == 503, Duration.ofMinutes(3));
      assertThat(dead.body()).contains("not live").contains("ERROR").contains("poisoned");
      // The first death and three replacements that died the same way.
      assertThat(deaths.get()).isEqualTo(4);
      assertThat(get(exporter, "health/ready").statusCode()).isEqualTo(503);
    }
  }

  /** Adds a processor on {@code topic} that kills its stream thread, {@code times} times. */
  private static org.apache.kafka.streams.Topology withPoison(
      org.apache.kafka.streams.Topology topology, String topic, AtomicInteger deaths, int times) {
    return topology
        .addSource("poison-source", new ByteArrayDeserializer(), new ByteArrayDeserializer(), topic)
        .addProcessor(
            "poison",
            () ->
                (Processor<byte[], byte[], Void, Void>)
                    record -> {
                      if (deaths.get() < times) {
                        deaths.incrementAndGet();
                        // An Error escapes every processing-exception handler.
                        throw new AssertionError("poisoned record");
                      }
                    },
            "poison-source");
  }

  private static String newId() {
    return "s" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
  }

  private TallyConfig config(String id) {
    Map<String, String> settings = new HashMap<>();
    settings.put(TallyConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
    settings.put(TallyConfig.APPLICATION_ID, "tally-start-" + id);
    settings.put(TallyConfig.STATE_DIR, stateDir.resolve(id).toString());
    settings.put(TallyConfig.INPUT_TOPIC_PATTERN, "events\\." + id + "\\..*");
    settings.put(TallyConfig.DLQ_TOPIC, "tally-start-" + id + ".dlq");
    settings.put(TallyConfig.HTTP_PORT, "0");
    settings.put(TallyConfig.FLUSH_INTERVAL, "200ms");
    // A dead stream thread's group membership lapses after 6 s rather than the 45 s default, so
    // its replacement gets the partitions sooner.
    settings.put("kafka.session.timeout.ms", "6000");
    return TallyConfig.fromMap(settings);
  }

  private static void produce(String topic, int events) {
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
            new ByteArraySerializer(),
            new ByteArraySerializer())) {
      long now = System.currentTimeMillis();
      for (int i = 0; i < events; i++) {
        String json =
            "{\"type\":\"ack.timeout\",\"schema_version\":1,\"service\":\"im-gateway\","
                + "\"instance\":\"gw-1\",\"event_id\":\"e"
                + i
                + "\",\"timestamp\":"
                + (now + i)
                + "}";
        producer.send(new ProducerRecord<>(topic, json.getBytes(StandardCharsets.UTF_8)));
      }
      producer.flush();
    }
  }

  private HttpResponse<String> get(TallyExporter exporter, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(exporter.url().resolve(path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> await(
      TallyExporter exporter, String path, Predicate<HttpResponse<String>> condition)
      throws Exception {
    return await(exporter, path, condition, Duration.ofSeconds(90));
  }

  private HttpResponse<String> await(
      TallyExporter exporter,
      String path,
      Predicate<HttpResponse<String>> condition,
      Duration timeout)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    HttpResponse<String> last = null;
    while (System.nanoTime() < deadline) {
      last = get(exporter, path);
      if (condition.test(last)) {
        return last;
      }
      Thread.sleep(250);
    }
    throw new AssertionError(
        "/"
            + path
            + " did not reach the expected answer; last: "
            + (last == null ? "" : last.body()));
  }
}
