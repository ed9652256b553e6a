package dev.tally.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.loadgen.EventLoad;
import dev.tally.loadgen.GroundTruth;
import dev.tally.loadgen.LoadRunner;
import dev.tally.loadgen.Verify;
import dev.tally.streams.config.TallyConfig;
import dev.tally.tools.kafka.KafkaBrokerExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly-once across repeated crashes under load. One Tally instance in a JVM of its own counts a
 * load of 300,000 records (every event family, 1 % invalid, 1 % re-sent) while it is killed with
 * SIGKILL three times, at moments drawn from a fixed seed, and restarted on its state directory.
 * Its {@code /metrics} is scraped every second throughout.
 *
 * <ul>
 *   <li>In the end every series the load's ground truth ({@link GroundTruth}, worked out by hand
 *       from what was sent) decides equals it exactly: counters, histogram counts, buckets and
 *       sums, Tally's own consumed, rejected, duplicate and unmapped counters. Nothing lost,
 *       nothing counted twice.
 *   <li>No counter, histogram count or bucket ever showed a value below one shown before.
 * </ul>
 */
class CrashUnderLoadIT {
  private static final long EVENTS = 300_000;
  private static final double RATE = 6_000;
  private static final long SEED = 20261214;
  private static final Duration SCRAPE_EVERY = Duration.ofSeconds(1);

  @RegisterExtension static KafkaBrokerExtension kafka = new KafkaBrokerExtension();

  @TempDir Path dir;

  @Test
  void shouldCountEveryEventOnceAndNeverGoBackwardsAcrossThreeSigkills() throws Exception {
    long started = System.nanoTime();
    String id = "c" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    EventLoad load =
        EventLoad.builder()
            .seed(SEED)
            .topicPrefix("events." + id + ".")
            .badFraction(0.01)
            .duplicateFraction(0.01)
            .build();
    load.topics().forEach(topic -> kafka.createTopic(topic, 3));
    ChildTally tally = new ChildTally("tally", dir, settings(id));
    tally.start();
    List<String> kills = new ArrayList<>();
    try (CounterWatch watch = CounterWatch.every(SCRAPE_EVERY, List.of(tally))) {
      CompletableFuture<LoadRunner.Result> producing =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  // Live timestamps, as a running service stamps its events.
                  return LoadRunner.builder(kafka.bootstrapServers(), load)
                      .events(EVENTS)
                      .rate(RATE)
                      .build()
                      .run();
                } catch (InterruptedException e) {
                  throw new CompletionException(e);
                }
              });
      // Three moments of the load, drawn once from the seed: after a share of the records has
      // been counted, and up to a second later (a kill lands anywhere in the commit cycle).
      Random random = new Random(SEED);
      List<Double> shares = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        shares.add(0.1 + 0.7 * random.nextDouble());
      }
      shares.sort(null);
      for (double share : shares) {
        long counted = watch.awaitConsumed((long) (share * EVENTS), Duration.ofMinutes(3));
        Thread.sleep(random.nextInt(1_000));
        tally.kill();
        kills.add(String.format("%.0f%% (%,d counted)", share * 100, counted));
        Thread.sleep(1_000 + random.nextInt(2_000));
        tally.start();
      }
      LoadRunner.Result sent = producing.get(5, TimeUnit.MINUTES);
      assertThat(sent.errors()).as("records the broker did not take").isZero();
      GroundTruth truth = sent.truth();

      List<Verify.Mismatch> wrong =
          ChildTally.awaitTruth(List.of(tally), truth, Duration.ofMinutes(4));
      assertThat(wrong).as("series that differ from the ground truth").isEmpty();
      assertThat(watch.backwardsCount())
          .as("series that went backwards, e.g. %s", watch.backwards())
          .isZero();
      assertThat(watch.rounds()).as("scrape rounds").isGreaterThan(30);
      System.out.printf(
          "CrashUnderLoadIT: %,d records (%,d valid, %,d rejected, %,d re-sent) killed at %s;"
              + " %,d series exact, %d scrape rounds, none backwards, %d s in all%n",
          truth.events(),
          truth.valid(),
          truth.rejected(),
          truth.resent(),
          kills,
          truth.series().size(),
          watch.rounds(),
          Duration.ofNanos(System.nanoTime() - started).toSeconds());
    } finally {
      tally.kill();
    }
  }

  private Map<String, String> settings(String id) {
    Map<String, String> p = new HashMap<>();
    p.put(TallyConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
    p.put(TallyConfig.APPLICATION_ID, "tally-crash-load-" + id);
    p.put(TallyConfig.STATE_DIR, dir.resolve("state").toString());
    p.put(TallyConfig.INPUT_TOPIC_PATTERN, "events\\." + id + "\\..*");
    p.put(TallyConfig.DLQ_TOPIC, "tally-crash-load-" + id + ".dlq");
    p.put(TallyConfig.HTTP_PORT, "0");
    // The killed member leaves the group after 6 s rather than the 45 s default, so that its
    // restarted self gets the partitions back sooner.
    p.put("kafka.session.timeout.ms", "6000");
    return p;
  }
}
