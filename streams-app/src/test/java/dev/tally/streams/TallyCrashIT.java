package dev.tally.streams;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.loadgen.EventLoad;
import dev.tally.loadgen.GroundTruth;
import dev.tally.streams.config.TallyConfig;
import dev.tally.streams.query.CumulativeValue;
import dev.tally.tools.kafka.KafkaBrokerExtension;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Exactly-once across a crash: an instance is killed with SIGKILL while it is half-way through the
 * input (with partials in its pre-aggregation buffer and an open transaction); a new instance with
 * the same application id finishes the job. Every total must equal the ground truth: nothing the
 * dead instance buffered is lost, nothing it had sent is counted twice.
 */
class TallyCrashIT {
  private static final int EVENTS = 60_000;

  @RegisterExtension static KafkaBrokerExtension kafka = new KafkaBrokerExtension();

  @TempDir Path stateDir;

  /**
   * @param reuseStateDir true: the survivor restarts on the victim's disk, as a pod with a volume
   *     would; false: it starts on an empty disk elsewhere and restores every store from its
   *     changelog (nothing may reset)
   */
  @ParameterizedTest(name = "survivor reuses the state dir: {0}")
  @ValueSource(booleans = {true, false})
  void shouldKeepTotalsExactWhenAnInstanceIsKilledMidway(boolean reuseStateDir) throws Exception {
    String prefix = "crash" + UUID.randomUUID().toString().substring(0, 8) + ".";
    String appId = "tally-crash-" + UUID.randomUUID();
    String dlq = appId + ".dlq";
    EventLoad load =
        EventLoad.builder()
            .seed(99)
            .topicPrefix("events." + prefix)
            .startMs(System.currentTimeMillis() - Duration.ofMinutes(10).toMillis())
            .spreadMs(Duration.ofMinutes(5).toMillis())
            .badFraction(0.01)
            .build();
    load.topics().forEach(t -> kafka.createTopic(t, 2));
    GroundTruth truth = ProducedLoad.produce(kafka.bootstrapServers(), load, EVENTS);

    String pattern = ProducedLoad.topicPattern(prefix);
    Process victim = startInstance(appId, dlq, pattern);
    try {
      awaitCommitted(appId, EVENTS / 6, Duration.ofMinutes(2));
    } finally {
      victim.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }

    Path survivorState = reuseStateDir ? stateDir : stateDir.resolve("elsewhere");
    TallyConfig config =
        TallyConfig.fromMap(
            Map.of(
                TallyConfig.BOOTSTRAP_SERVERS,
                kafka.bootstrapServers(),
                TallyConfig.APPLICATION_ID,
                appId,
                TallyConfig.STATE_DIR,
                survivorState.toString(),
                TallyConfig.DLQ_TOPIC,
                dlq,
                TallyConfig.INPUT_TOPIC_PATTERN,
                pattern,
                TallyConfig.FLUSH_INTERVAL,
                "200ms",
                "kafka.commit.interval.ms",
                "300",
                // A dead instance's partitions move after 6 s rather than the 45 s default.
                "kafka.session.timeout.ms",
                "6000"));
    try (TallyApp survivor = TallyApp.create(config)) {
      survivor.start();
      Map<String, CumulativeValue> totals =
          CountedTotals.await(
              survivor.stores(),
              EVENTS,
              Duration.ofMinutes(4),
              CountedTotals.reached(truth.counters()));

      truth
          .counters()
          .forEach(
              (series, expected) ->
                  assertThat(totals.get(series).value().total()).as(series).isEqualTo(expected));
      truth
          .observations()
          .forEach(
              (series, values) ->
                  assertThat(totals.get(series).value().histogram().count())
                      .as(series)
                      .isEqualTo(values.size()));
      double rejected = CountedTotals.sum(totals, "tally_events_rejected_total");
      assertThat(rejected).isEqualTo(truth.rejected());
    }
  }

  private Process startInstance(String appId, String dlq, String pattern) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb =
        new ProcessBuilder(
            java,
            "-Xmx512m",
            "-Dorg.slf4j.simpleLogger.defaultLogLevel=error",
            "-cp",
            System.getProperty("java.class.path"),
            TallyProcessMain.class.getName(),
            kafka.bootstrapServers(),
            appId,
            stateDir.toString(),
            dlq,
            pattern);
    pb.redirectErrorStream(true);
    pb.redirectOutput(new File(stateDir.toFile(), "victim.log"));
    return pb.start();
  }

  /** Waits until the victim has committed at least {@code atLeast} input offsets. */
  private static void awaitCommitted(String appId, long atLeast, Duration timeout)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      while (System.nanoTime() < deadline) {
        Map<?, OffsetAndMetadata> offsets =
            admin.listConsumerGroupOffsets(appId).partitionsToOffsetAndMetadata().get();
        long committed =
            offsets.entrySet().stream()
                .filter(e -> e.getKey().toString().startsWith("events."))
                .mapToLong(e -> e.getValue().offset())
                .sum();
        if (committed >= atLeast) {
          assertThat(committed).as("the victim must die before it is done").isLessThan(EVENTS);
          // Half a commit interval on: the victim has processed and forwarded more than it
          // committed when it dies.
          Thread.sleep(500);
          return;
        }
        Thread.sleep(100);
      }
    }
    throw new AssertionError("the victim committed fewer than " + atLeast + " offsets in time");
  }
}
