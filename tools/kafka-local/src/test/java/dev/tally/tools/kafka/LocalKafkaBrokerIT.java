package dev.tally.tools.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalKafkaBrokerIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @Test
  void shouldDeliverEveryProducedRecordExactlyOnceInOrder() throws Exception {
    try (LocalKafkaBroker broker = LocalKafkaBroker.builder().build().start()) {
      assertThat(broker.bootstrapServers()).matches("127\\.0\\.0\\.1:\\d+");
      broker.createTopic("events.roundtrip", 1);

      List<String> sent = new ArrayList<>();
      try (KafkaProducer<String, String> producer = producer(broker, Map.of())) {
        for (int i = 0; i < 500; i++) {
          String value = "{\"type\":\"delivered\",\"seq\":" + i + "}";
          sent.add(value);
          producer.send(new ProducerRecord<>("events.roundtrip", "k" + (i % 7), value));
        }
        producer.flush();
      }

      assertThat(consumeValues(broker, "events.roundtrip", sent.size(), "read_uncommitted"))
          .containsExactlyElementsOf(sent);
    }
  }

  @Test
  void shouldShowCommittedTransactionsAndHideAbortedOnesFromReadCommittedConsumers()
      throws Exception {
    try (LocalKafkaBroker broker = LocalKafkaBroker.builder().build().start()) {
      broker.createTopic("events.tx", 2);

      try (KafkaProducer<String, String> producer =
          producer(broker, Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tally-tx-test"))) {
        producer.initTransactions();
        producer.beginTransaction();
        producer.send(new ProducerRecord<>("events.tx", "a", "committed-1"));
        producer.send(new ProducerRecord<>("events.tx", "b", "committed-2"));
        producer.commitTransaction();
        producer.beginTransaction();
        producer.send(new ProducerRecord<>("events.tx", "a", "aborted"));
        producer.flush();
        producer.abortTransaction();
        producer.beginTransaction();
        producer.send(new ProducerRecord<>("events.tx", "c", "committed-3"));
        producer.commitTransaction();
      }

      // Waits for the last committed record; an aborted one would show up before it.
      assertThat(consumeValues(broker, "events.tx", 3, "read_committed"))
          .containsExactlyInAnyOrder("committed-1", "committed-2", "committed-3");
    }
  }

  @Test
  void shouldRunTwoBrokersSideBySideAndThenAThird() throws Exception {
    CompletableFuture<LocalKafkaBroker> startingA =
        CompletableFuture.supplyAsync(() -> LocalKafkaBroker.builder().build().start());
    CompletableFuture<LocalKafkaBroker> startingB =
        CompletableFuture.supplyAsync(() -> LocalKafkaBroker.builder().build().start());
    LocalKafkaBroker a = startingA.get();
    try (LocalKafkaBroker b = startingB.get()) {
      assertThat(a.port()).isNotEqualTo(b.port());
      a.createTopic("only.on.a", 1);
      b.createTopic("only.on.b", 1);
      assertThat(topics(a)).contains("only.on.a").doesNotContain("only.on.b");
      assertThat(topics(b)).contains("only.on.b").doesNotContain("only.on.a");

      // Kafka keeps some metrics in JVM-wide registries; closing one broker must not break
      // the other.
      a.close();
      sendAndReadBack(b, "only.on.b", "still-serving");
    } finally {
      a.close();
    }

    try (LocalKafkaBroker c = LocalKafkaBroker.builder().build().start()) {
      c.createTopic("after.restart", 1);
      sendAndReadBack(c, "after.restart", "third-broker");
    }
  }

  @Test
  void shouldKeepTopicsAndRecordsAcrossRestartsOnTheSameDataDir(@TempDir Path dir)
      throws Exception {
    Path dataDir = dir.resolve("kafka");
    try (LocalKafkaBroker first = LocalKafkaBroker.builder().dataDir(dataDir).build().start()) {
      first.createTopic("events.durable", 1);
      try (KafkaProducer<String, String> producer = producer(first, Map.of())) {
        producer.send(new ProducerRecord<>("events.durable", "k", "before-restart")).get();
      }
    }
    assertThat(dataDir).isDirectory();

    try (LocalKafkaBroker second = LocalKafkaBroker.builder().dataDir(dataDir).build().start()) {
      assertThat(consumeValues(second, "events.durable", 1, "read_uncommitted"))
          .containsExactly("before-restart");
    }
    assertThat(dataDir).as("a data dir given by the caller is kept").isDirectory();
  }

  @Test
  void shouldStopAndStartAgainOnTheSameAddressKeepingRecords() throws Exception {
    try (LocalKafkaBroker broker = LocalKafkaBroker.builder().build().start()) {
      String address = broker.bootstrapServers();
      Path dataDir = broker.dataDir();
      broker.createTopic("events.outage", 1);
      try (KafkaProducer<String, String> producer = producer(broker, Map.of())) {
        producer.send(new ProducerRecord<>("events.outage", "k", "before-stop")).get();

        broker.stop();
        assertThat(broker.bootstrapServers()).isEqualTo(address);
        assertThat(dataDir).as("a temporary data dir is kept while stopped").isDirectory();
        assertThatThrownBy(broker::dataDir).isInstanceOf(IllegalStateException.class);

        broker.start();
        assertThat(broker.bootstrapServers()).isEqualTo(address);
        // The same producer reconnects by itself to the address it had.
        producer.send(new ProducerRecord<>("events.outage", "k", "after-start")).get();
      }
      assertThat(consumeValues(broker, "events.outage", 2, "read_uncommitted"))
          .containsExactly("before-stop", "after-start");
      assertThatThrownBy(broker::start)
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("a LocalKafkaBroker that is RUNNING cannot start");
    }
  }

  @Test
  void shouldRefuseADataDirThatAnotherBrokerIsUsing(@TempDir Path dataDir) throws Exception {
    try (LocalKafkaBroker first = LocalKafkaBroker.builder().dataDir(dataDir).build().start()) {
      first.createTopic("events.owned", 1);

      assertThatThrownBy(() -> LocalKafkaBroker.builder().dataDir(dataDir).build().start())
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("data directory " + dataDir + " is in use by another Kafka broker");
      sendAndReadBack(first, "events.owned", "first-broker-unharmed");
    }
  }

  @Test
  void shouldDeleteItsTemporaryDataDirOnClose() {
    Path dataDir;
    try (LocalKafkaBroker broker = LocalKafkaBroker.builder().build().start()) {
      dataDir = broker.dataDir();
      assertThat(dataDir.resolve("meta.properties")).isRegularFile();
    }
    assertThat(Files.exists(dataDir)).isFalse();
  }

  @Test
  void shouldRefuseAPortThatIsAlreadyInUse() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      int port = taken.getLocalPort();
      assertThatThrownBy(() -> LocalKafkaBroker.builder().port(port).build().start())
          .isInstanceOf(PortInUseException.class)
          .hasMessage("port " + port + " is in use");
    }
  }

  private static void sendAndReadBack(LocalKafkaBroker broker, String topic, String value)
      throws Exception {
    try (KafkaProducer<String, String> producer = producer(broker, Map.of())) {
      producer.send(new ProducerRecord<>(topic, "k", value)).get();
    }
    assertThat(consumeValues(broker, topic, 1, "read_uncommitted")).containsExactly(value);
  }

  private static Set<String> topics(LocalKafkaBroker broker) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
      return admin.listTopics().names().get();
    }
  }

  static KafkaProducer<String, String> producer(
      LocalKafkaBroker broker, Map<String, Object> extra) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    props.putAll(extra);
    return new KafkaProducer<>(props);
  }

  /** Reads from the beginning until {@code expected} records arrived, then a little longer. */
  static List<String> consumeValues(
      LocalKafkaBroker broker, String topic, int expected, String isolation) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "tally-test-" + topic);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (values.size() < expected && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
          values.add(record.value());
        }
      }
      // One more poll catches records beyond the expected count, e.g. duplicates.
      consumer.poll(Duration.ofMillis(300)).forEach(record -> values.add(record.value()));
    }
    return values;
  }
}
