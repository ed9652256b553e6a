package dev.tally.tools.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class KafkaBrokerExtensionIT {
  @RegisterExtension static final KafkaBrokerExtension kafka = new KafkaBrokerExtension();

  @Test
  void shouldCreateTopicsWithTheRequestedPartitionsOnTheRunningBroker() throws Exception {
    kafka.createTopic("extension.events", 4);

    try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
      TopicDescription topic =
          admin
              .describeTopics(List.of("extension.events"))
              .allTopicNames()
              .get()
              .get("extension.events");
      assertThat(topic.partitions()).hasSize(4).allMatch(p -> p.leader() != null);
    }
  }

  @Test
  void shouldInjectTheSameBrokerThatTheFieldGives(LocalKafkaBroker injected) {
    assertThat(injected).isSameAs(kafka.broker());
    assertThat(injected.bootstrapServers()).isEqualTo(kafka.bootstrapServers());
  }

  @Test
  void shouldBeReachableByNonJavaClientsSuchAsKcat() throws Exception {
    assumeTrue(onPath("kcat"), "kcat is not installed");
    kafka.createTopic("extension.kcat", 2);

    Process kcat =
        new ProcessBuilder("kcat", "-L", "-b", kafka.bootstrapServers(), "-t", "extension.kcat")
            .redirectErrorStream(true)
            .start();
    assertThat(kcat.waitFor(30, TimeUnit.SECONDS)).isTrue();
    String metadata = new String(kcat.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

    assertThat(kcat.exitValue()).as(metadata).isZero();
    assertThat(metadata)
        .contains("1 brokers:")
        .contains("broker 1 at " + kafka.bootstrapServers())
        .contains("topic \"extension.kcat\" with 2 partitions:");
  }

  private static boolean onPath(String command) {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : path.split(File.pathSeparator)) {
      if (new File(dir, command).canExecute()) {
        return true;
      }
    }
    return false;
  }
}
