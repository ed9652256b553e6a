package dev.tally.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.loadgen.GroundTruth;
import dev.tally.loadgen.LoadRunner;
import dev.tally.loadgen.Verify;
import dev.tally.tools.kafka.KafkaBrokerExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
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
    ReliabilityLoad load = ReliabilityLoad.create(kafka, "crash", SEED);
    ChildTally tally = new ChildTally("tally", dir, load.settings("tally", dir));
    tally.start();
    List<String> kills = new ArrayList<>();
    try (CounterWatch watch = CounterWatch.every(SCRAPE_EVERY, List.of(tally))) {
      CompletableFuture<LoadRunner.Result> producing = load.send(EVENTS, RATE);
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
}
