package dev.tally.streams.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TallyConfigTest {
  @TempDir Path dir;

  @Test
  void shouldDefaultToExactlyOnceAndDocumentedValues() {
    TallyConfig config = TallyConfig.fromMap(Map.of());

    assertThat(config.exactlyOnce()).isTrue();
    assertThat(config.streamsProperties().get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG))
        .isEqualTo("exactly_once_v2");
    assertThat(config.dlqTopic()).isEqualTo("tally.dlq");
    assertThat(config.windowGrace()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.gaugeTtl()).isEqualTo(Duration.ofMinutes(5));
    assertThat(config.seriesCap()).isEqualTo(10_000);
    assertThat(config.httpPort()).isEqualTo(8080);
    assertThat(config.windows())
        .containsExactly(
            new WindowSpec(Duration.ofSeconds(10), Duration.ofHours(2)),
            new WindowSpec(Duration.ofMinutes(1), Duration.ofHours(48)),
            new WindowSpec(Duration.ofHours(1), Duration.ofDays(30)));
    assertThat(config.inputTopicPattern().matcher("events.im-gateway").matches()).isTrue();
    assertThat(config.bootstrapServers()).isEmpty();
  }

  /** docs/configuration.md: the Kafka settings Tally sets, and that a kafka. property wins. */
  @Test
  void shouldSetTheDocumentedKafkaSettingsUnlessAKafkaPropertyOverridesThem() {
    Properties defaults = TallyConfig.fromMap(Map.of()).streamsProperties();
    Properties overridden =
        TallyConfig.fromMap(
                Map.of(
                    "kafka.producer.max.in.flight.requests.per.connection", "5",
                    "kafka.commit.interval.ms", "1000"))
            .streamsProperties();

    assertThat(defaults)
        .containsEntry("commit.interval.ms", "500")
        .containsEntry("topology.optimization", "none")
        .containsEntry("main.consumer.metadata.max.age.ms", "10000")
        .containsEntry("producer.max.in.flight.requests.per.connection", "1")
        .containsEntry("errors.dead.letter.queue.topic.name", "tally.dlq");
    assertThat(overridden)
        .containsEntry("producer.max.in.flight.requests.per.connection", "5")
        .containsEntry("commit.interval.ms", "1000");
  }

  @Test
  void shouldLetTheFileOverrideDefaultsAndTheEnvironmentOverrideTheFile() throws IOException {
    Path file = dir.resolve("tally.yaml");
    Files.writeString(file, "window:\n  grace: 10s\ngauge:\n  ttl: 1m\nhttp:\n  port: 9000\n");

    TallyConfig fileOnly = TallyConfig.load(Optional.of(file), Map.of());
    TallyConfig withEnv =
        TallyConfig.load(Optional.of(file), Map.of("TALLY_WINDOW_GRACE", "20s", "PATH", "/bin"));

    assertThat(fileOnly.windowGrace()).isEqualTo(Duration.ofSeconds(10));
    assertThat(fileOnly.gaugeTtl()).isEqualTo(Duration.ofMinutes(1));
    assertThat(withEnv.windowGrace()).isEqualTo(Duration.ofSeconds(20));
    assertThat(withEnv.httpPort()).isEqualTo(9000);
  }

  @Test
  void shouldReadPropertiesFiles() throws IOException {
    Path file = dir.resolve("tally.properties");
    Files.writeString(file, "dlq.topic=ops.dlq\nkafka.linger.ms=5\n");

    TallyConfig config = TallyConfig.load(Optional.of(file), Map.of());

    assertThat(config.dlqTopic()).isEqualTo("ops.dlq");
    assertThat(config.streamsProperties().get("linger.ms")).isEqualTo("5");
  }

  @Test
  void shouldPassKafkaSecuritySettingsThrough() {
    TallyConfig config =
        TallyConfig.load(
            Optional.empty(),
            Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", "broker-1:9093",
                "TALLY_KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "TALLY_KAFKA_SASL_MECHANISM", "PLAIN",
                "TALLY_KAFKA_SSL_TRUSTSTORE_LOCATION", "/etc/tally/truststore.p12"));

    Properties props = config.streamsProperties();
    assertThat(props.get("bootstrap.servers")).isEqualTo("broker-1:9093");
    assertThat(props.get("security.protocol")).isEqualTo("SASL_SSL");
    assertThat(props.get("sasl.mechanism")).isEqualTo("PLAIN");
    assertThat(props.get("ssl.truststore.location")).isEqualTo("/etc/tally/truststore.p12");
  }

  @Test
  void shouldAllowAtLeastOnce() {
    TallyConfig config = TallyConfig.fromMap(Map.of("processing.guarantee", "at_least_once"));

    assertThat(config.exactlyOnce()).isFalse();
    assertThat(config.streamsProperties().get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG))
        .isEqualTo("at_least_once");
  }

  @Test
  void shouldFailOnUnknownKeysNamingThem() {
    assertThatThrownBy(() -> TallyConfig.fromMap(Map.of("windw.grace", "10s")))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageStartingWith("windw.grace:");
    assertThatThrownBy(() -> TallyConfig.load(Optional.empty(), Map.of("TALLY_WINDW_GRACE", "1s")))
        .hasMessageStartingWith("TALLY_WINDW_GRACE:");
    assertThatThrownBy(() -> TallyConfig.fromMap(Map.of("kafka.no.such.property", "1")))
        .hasMessageStartingWith("kafka.no.such.property:");
  }

  @Test
  void shouldFailOnBadValuesNamingTheKey() {
    assertThatThrownBy(() -> TallyConfig.fromMap(Map.of("window.grace", "soon")))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageStartingWith("window.grace:");
    // Too large for a long, or for a Duration: still a message naming the key.
    assertThatThrownBy(() -> TallyConfig.fromMap(Map.of("window.grace", "99999999999999999999s")))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageStartingWith("window.grace:");
    assertThatThrownBy(() -> TallyConfig.fromMap(Map.of("gauge.ttl", "9223372036854775807d")))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageStartingWith("gauge.ttl:");
    assertThatThrownBy(() -> TallyConfig.fromMap(Map.of("processing.guarantee", "maybe")))
        .hasMessageStartingWith("processing.guarantee:");
    assertThatThrownBy(() -> TallyConfig.fromMap(Map.of("series.cap", "-3")))
        .hasMessageStartingWith("series.cap:");
    assertThatThrownBy(() -> TallyConfig.fromMap(Map.of("http.port", "70000")))
        .hasMessageStartingWith("http.port:");
    assertThatThrownBy(() -> TallyConfig.fromMap(Map.of("input.topic.pattern", "events.(")))
        .hasMessageStartingWith("input.topic.pattern:");
    assertThatThrownBy(() -> TallyConfig.fromMap(Map.of("kafka.linger.ms", "soon")))
        .hasMessageStartingWith("kafka.linger.ms:");
    assertThatThrownBy(() -> TallyConfig.fromMap(Map.of("dlq.topic", "events.dlq")))
        .hasMessageStartingWith("dlq.topic:");
  }

  @Test
  void shouldRejectWindowsThatDoNotNest() {
    assertThatThrownBy(() -> TallyConfig.fromMap(Map.of("windows", "10s:2h,15s:2h")))
        .hasMessageStartingWith("windows:")
        .hasMessageContaining("multiple");
    assertThatThrownBy(() -> TallyConfig.fromMap(Map.of("windows", "10s")))
        .hasMessageStartingWith("windows:");
  }

  @Test
  void shouldFailOnAMissingConfigFile() {
    assertThatThrownBy(() -> TallyConfig.load(Optional.of(dir.resolve("missing.yaml")), Map.of()))
        .hasMessageStartingWith("--config:")
        .hasMessageContaining("missing.yaml");
  }

  @Test
  void shouldFailOnAKeyGivenTwiceInTheConfigFile() throws Exception {
    Path file = dir.resolve("twice.yaml");
    java.nio.file.Files.writeString(file, "window.grace: 30s\nwindow.grace: 1m\n");
    assertThatThrownBy(() -> TallyConfig.load(Optional.of(file), Map.of()))
        .isInstanceOf(dev.tally.streams.config.InvalidConfigException.class)
        .hasMessageStartingWith("--config:")
        .hasMessageContaining("window.grace");
  }

  @Test
  void shouldIgnoreTheLaunchersOwnVariables() {
    TallyConfig config = TallyConfig.load(Optional.empty(), Map.of("TALLY_JAVA_OPTS", "-Xmx512m"));
    assertThat(config.httpPort()).isEqualTo(8080);
  }

  @Test
  void shouldRefuseMoreResolutionsThanAPartialCanName() {
    String windows =
        IntStream.rangeClosed(0, 30)
            .mapToObj(i -> (1L << Math.min(i, 40)) + "ms:" + (1L << Math.min(i, 40)) + "ms")
            .collect(Collectors.joining(","));
    assertThatThrownBy(() -> TallyConfig.fromMap(Map.of(TallyConfig.WINDOWS, windows)))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("windows")
        .hasMessageContaining("at most 30");
  }
}
