package dev.tally.streams;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.streams.config.TallyConfig;
import dev.tally.tools.kafka.KafkaBrokerExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.ThreadMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/operations.md, "Upgrades": on SIGTERM (the shutdown hook closes Tally) an instance leaves
 * the group, so the others take its tasks at once rather than after the consumer's session timeout
 * (45 s by default), during which no instance would export its series.
 */
class LeaveGroupIT {
  private static final int SERIES_PARTITIONS = 4;

  @RegisterExtension static KafkaBrokerExtension kafka = new KafkaBrokerExtension();

  @TempDir Path dir;

  @Test
  void shouldHandAStoppedInstancesTasksToTheOthersWithinSeconds() throws Exception {
    String id = UUID.randomUUID().toString().substring(0, 8);
    kafka.createTopic("events.leave" + id + ".a", 2);
    try (TallyApp a = app(id, "a");
        TallyApp b = app(id, "b")) {
      a.start();
      b.start();
      int tasks = 2 + SERIES_PARTITIONS;
      await(() -> activeTasks(a) + activeTasks(b) == tasks && activeTasks(b) > 0, "tasks split");

      long stopped = System.nanoTime();
      b.close();
      await(() -> activeTasks(a) == tasks, "instance a owns every task");
      Duration handover = Duration.ofNanos(System.nanoTime() - stopped);
      System.out.println(
          "LeaveGroupIT: tasks handed over " + handover.toMillis() + " ms after close");
      assertThat(handover).as("hand-over after a clean stop").isLessThan(Duration.ofSeconds(20));
    }
  }

  private TallyApp app(String id, String instance) {
    return TallyApp.create(
        TallyConfig.fromMap(
            Map.of(
                TallyConfig.BOOTSTRAP_SERVERS,
                kafka.bootstrapServers(),
                TallyConfig.APPLICATION_ID,
                "tally-leave-" + id,
                TallyConfig.STATE_DIR,
                dir.resolve(instance).toString(),
                TallyConfig.DLQ_TOPIC,
                "tally-leave-" + id + ".dlq",
                TallyConfig.INPUT_TOPIC_PATTERN,
                "events\\.leave" + id + "\\..*",
                TallyConfig.SERIES_PARTITIONS,
                Integer.toString(SERIES_PARTITIONS))));
  }

  private static int activeTasks(TallyApp app) {
    if (app.streams().state() != KafkaStreams.State.RUNNING) {
      return 0;
    }
    return app.streams().metadataForLocalThreads().stream()
        .mapToInt((ThreadMetadata t) -> t.activeTasks().size())
        .sum();
  }

  private static void await(java.util.function.BooleanSupplier condition, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 90 s: " + what);
      }
      Thread.sleep(200);
    }
  }
}
