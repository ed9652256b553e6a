package dev.tally.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.streams.config.TallyConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaTargetTest {

  @Test
  void shouldUseTheBootstrapServersOfTheConfigFileInsteadOfStartingABroker(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("tally.yaml");
    Files.writeString(file, "bootstrap.servers: kafka-1:9092,kafka-2:9092\n");
    StringWriter out = new StringWriter();
    try (KafkaTarget kafka =
        KafkaTarget.fromConfig(
            TallyConfig.load(Optional.of(file), Map.of()), new PrintWriter(out, true))) {
      assertThat(kafka.isEmbedded()).isFalse();
      assertThat(kafka.bootstrapServers()).isEqualTo("kafka-1:9092,kafka-2:9092");
    }
    assertThat(out.toString()).contains("using Kafka at kafka-1:9092,kafka-2:9092");
  }

  @Test
  void shouldReadTheTallyEnvironmentFormToo() {
    StringWriter out = new StringWriter();
    try (KafkaTarget kafka =
        KafkaTarget.fromConfig(
            TallyConfig.load(Optional.empty(), Map.of("TALLY_BOOTSTRAP_SERVERS", "k:9092")),
            new PrintWriter(out, true))) {
      assertThat(kafka.isEmbedded()).isFalse();
      assertThat(kafka.bootstrapServers()).isEqualTo("k:9092");
    }
  }
}
