package dev.tally.exporter.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.exporter.TallyExporter;
import dev.tally.streams.TallyApp;
import dev.tally.streams.config.TallyConfig;
import dev.tally.tools.kafka.KafkaBrokerExtension;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * One Tally instance (pipeline and HTTP port, in this JVM) against the test broker, seen only from
 * outside: its topics, its dead-letter topic, its consumer group and its HTTP port. Every instance
 * gets its own application id, input topics ({@code events.<id>.*}) and dead-letter topic.
 *
 * <pre>{@code
 * try (RunningTally tally = RunningTally.start(kafka, stateDir, Map.of())) {
 *   String topic = tally.createTopic("svc", 1);
 *   ...
 *   Map<String, Double> scrape = tally.awaitScrape(s -> ..., Duration.ofMinutes(2));
 * }
 * }</pre>
 */
final class RunningTally implements AutoCloseable {
  private final KafkaBrokerExtension kafka;
  private final String id;
  private final TallyApp app;
  private final TallyExporter exporter;
  private final HttpClient http = HttpClient.newHttpClient();

  private RunningTally(
      KafkaBrokerExtension kafka, String id, TallyApp app, TallyExporter exporter) {
    this.kafka = kafka;
    this.id = id;
    this.app = app;
    this.exporter = exporter;
  }

  /** Starts an instance; {@code overrides} are Tally settings over the test defaults. */
  static RunningTally start(
      KafkaBrokerExtension kafka, Path stateDir, Map<String, String> overrides) {
    String id = "r" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    Map<String, String> settings = new HashMap<>();
    settings.put(TallyConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
    settings.put(TallyConfig.APPLICATION_ID, "tally-rel-" + id);
    settings.put(TallyConfig.STATE_DIR, stateDir.toString());
    settings.put(TallyConfig.INPUT_TOPIC_PATTERN, "events\\." + id + "\\..*");
    settings.put(TallyConfig.DLQ_TOPIC, "tally-rel-" + id + ".dlq");
    settings.put(TallyConfig.HTTP_PORT, "0");
    settings.put(TallyConfig.SERIES_PARTITIONS, "2");
    settings.putAll(overrides);
    TallyApp app = TallyApp.create(TallyConfig.fromMap(settings));
    TallyExporter exporter;
    try {
      exporter = TallyExporter.start(app);
    } catch (RuntimeException e) {
      app.close();
      throw e;
    }
    app.start();
    return new RunningTally(kafka, id, app, exporter);
  }

  /** Creates the input topic {@code events.<id>.<service>} and returns its name. */
  String createTopic(String service, int partitions) {
    String topic = "events." + id + "." + service;
    kafka.createTopic(topic, partitions);
    return topic;
  }

  String dlqTopic() {
    return app.config().dlqTopic();
  }

  URI url() {
    return exporter.url();
  }

  TallyApp app() {
    return app;
  }

  /**
   * A producer that sends fast: large lz4-compressed batches, idempotent with {@code acks=all} so
   * that what was sent is what Tally reads.
   */
  KafkaProducer<byte[], byte[]> producer() {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024);
    props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 64L * 1024 * 1024);
    // Room for the records of 64 KiB and more that the poison test sends on purpose.
    props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 * 1024 * 1024);
    return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
  }

  HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(url().resolve(pathAndQuery)).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  /** One Prometheus text scrape: series (name and labels as written) → value. */
  Map<String, Double> scrape() throws IOException, InterruptedException {
    HttpResponse<String> response = get("metrics");
    assertThat(response.statusCode()).as("/metrics status").isEqualTo(200);
    return parse(response.body());
  }

  static Map<String, Double> parse(String text) {
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

  /** Sum of every series whose text starts with {@code prefix}. */
  static double sum(Map<String, Double> samples, String prefix) {
    return samples.entrySet().stream()
        .filter(e -> e.getKey().startsWith(prefix))
        .mapToDouble(Map.Entry::getValue)
        .sum();
  }

  /** Scrapes every 250 ms until {@code done} holds; the last scrape either way. */
  Map<String, Double> awaitScrape(Predicate<Map<String, Double>> done, Duration timeout)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Map<String, Double> scraped = scrape();
    while (!done.test(scraped) && System.nanoTime() < deadline) {
      Thread.sleep(250);
      scraped = scrape();
    }
    return scraped;
  }

  /**
   * The instance survived whatever it read: Kafka Streams RUNNING, its one stream thread alive, no
   * thread ever died, and {@code /health/live} and {@code /health/ready} answer 200.
   */
  void assertHealthy(Map<String, Double> scraped) throws IOException, InterruptedException {
    assertThat(scraped.get("tally_streams_state{state=\"RUNNING\"}")).as("RUNNING").isEqualTo(1.0);
    assertThat(scraped.get("tally_streams_alive_threads")).as("alive threads").isEqualTo(1.0);
    assertThat(scraped.get("tally_streams_failed_threads_total"))
        .as("stream threads that died")
        .isEqualTo(0.0);
    assertThat(get("health/live").statusCode()).as("/health/live").isEqualTo(200);
    assertThat(get("health/ready").statusCode()).as("/health/ready").isEqualTo(200);
  }

  /**
   * Waits until Tally's consumer group has committed the end offset of every partition of {@code
   * topics}: its lag is zero.
   */
  void awaitNoLag(List<String> topics, Duration timeout) throws Exception {
    try (Admin admin = Admin.create(adminProperties())) {
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      admin
          .describeTopics(topics)
          .allTopicNames()
          .get()
          .forEach(
              (name, description) ->
                  description
                      .partitions()
                      .forEach(
                          p ->
                              latest.put(
                                  new TopicPartition(name, p.partition()), OffsetSpec.latest())));
      Map<TopicPartition, Long> ends = new HashMap<>();
      admin.listOffsets(latest).all().get().forEach((tp, info) -> ends.put(tp, info.offset()));
      long deadline = System.nanoTime() + timeout.toNanos();
      Map<TopicPartition, Long> lag = lag(admin, ends);
      while (!lag.values().stream().allMatch(l -> l == 0) && System.nanoTime() < deadline) {
        Thread.sleep(500);
        lag = lag(admin, ends);
      }
      assertThat(lag)
          .as("consumer lag per input partition")
          .allSatisfy((tp, l) -> assertThat(l).isZero());
    }
  }

  private Map<TopicPartition, Long> lag(Admin admin, Map<TopicPartition, Long> ends)
      throws Exception {
    Map<TopicPartition, OffsetAndMetadata> committed =
        admin
            .listConsumerGroupOffsets(app.config().applicationId())
            .partitionsToOffsetAndMetadata()
            .get();
    Map<TopicPartition, Long> lag = new HashMap<>();
    ends.forEach(
        (tp, end) -> {
          OffsetAndMetadata at = committed.get(tp);
          lag.put(tp, end - (at == null ? 0 : at.offset()));
        });
    return lag;
  }

  /**
   * Reads the dead-letter topic from its start (committed records only) until {@code expected}
   * records arrived or {@code timeout} passed.
   */
  List<ConsumerRecord<byte[], byte[]>> readDeadLetters(int expected, Duration timeout) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 * 1024 * 1024);
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      Set<TopicPartition> partitions =
          consumer.partitionsFor(dlqTopic()).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .collect(Collectors.toSet());
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (records.size() < expected && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(500)).forEach(records::add);
      }
      // Anything beyond the expected count would be a record dead-lettered twice.
      consumer.poll(Duration.ofSeconds(1)).forEach(records::add);
    }
    return records;
  }

  /**
   * Records a measured figure: printed, and appended to {@code target/reliability-figures.txt},
   * where docs/reliability.md's figures come from.
   */
  static void figure(String test, String what, Object value) {
    String line = test + ": " + what + " = " + value;
    System.out.println(line);
    try {
      java.nio.file.Files.writeString(
          Path.of("target", "reliability-figures.txt"),
          java.time.Instant.now() + " " + line + System.lineSeparator(),
          StandardCharsets.UTF_8,
          java.nio.file.StandardOpenOption.CREATE,
          java.nio.file.StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static String header(ConsumerRecord<?, ?> record, String name) {
    var header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }

  private Properties adminProperties() {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    return props;
  }

  @Override
  public void close() {
    exporter.close();
    app.close();
  }
}
