package dev.tally.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.loadgen.GroundTruth;
import dev.tally.loadgen.LoadRunner;
import dev.tally.loadgen.Verify;
import dev.tally.tools.kafka.KafkaBrokerExtension;
import dev.tally.tools.kafka.LocalKafkaBroker;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker outage in the middle of a load. One Tally instance in a JVM of its own counts a steady
 * load; the KRaft broker is stopped for {@value #OUTAGE_SECONDS} s and started again on the same
 * data directory and port, while Tally keeps running.
 *
 * <ul>
 *   <li>{@code /health/ready}, asked every 200 ms, answers 503 from {@value #DETECT_SECONDS} s
 *       after the broker stopped until it is started again, and 200 again within {@value
 *       #RECOVER_SECONDS} s after that, without Tally being restarted.
 *   <li>In the end every series equals the load's ground truth exactly, and no counter, histogram
 *       count or bucket (scraped every second) ever went backwards.
 * </ul>
 */
class BrokerRestartIT {
  private static final long EVENTS = 75_000;
  private static final double RATE = 3_000;
  private static final long OUTAGE_SECONDS = 10;
  private static final long DETECT_SECONDS = 2;
  private static final long RECOVER_SECONDS = 60;

  @RegisterExtension
  static KafkaBrokerExtension kafka = KafkaBrokerExtension.dedicated(LocalKafkaBroker.builder());

  @TempDir Path dir;

  /** One answer of {@code /health/ready}: when it was asked (System.nanoTime) and its status. */
  private record Probe(long atNanos, int status) {}

  @Test
  void shouldSay503WhileTheBrokerIsDownAndRecoverByItselfWithExactTotals() throws Exception {
    long begun = System.nanoTime();
    ReliabilityLoad load = ReliabilityLoad.create(kafka, "broker", 20261215);
    ChildTally tally = new ChildTally("tally", dir, load.settings("tally", dir));
    tally.start();
    List<Probe> probes = new CopyOnWriteArrayList<>();
    Thread prober = new Thread(() -> probe(tally.url().resolve("health/ready"), probes), "prober");
    try (CounterWatch watch = CounterWatch.every(Duration.ofSeconds(1), List.of(tally))) {
      prober.start();
      awaitReadyAfter(probes, begun, Duration.ofSeconds(90));
      CompletableFuture<LoadRunner.Result> producing = load.send(EVENTS, RATE);
      watch.awaitConsumed(EVENTS / 3, Duration.ofMinutes(2));

      LocalKafkaBroker broker = kafka.broker();
      long stopping = System.nanoTime();
      broker.stop();
      long stopped = System.nanoTime();
      Thread.sleep(OUTAGE_SECONDS * 1_000);
      long starting = System.nanoTime();
      broker.start();
      long started = System.nanoTime();

      long readyAgain = awaitReadyAfter(probes, started, Duration.ofSeconds(RECOVER_SECONDS));
      LoadRunner.Result sent = producing.get(5, TimeUnit.MINUTES);
      GroundTruth truth = sent.truth();
      List<Verify.Mismatch> wrong =
          ChildTally.awaitTruth(List.of(tally), truth, Duration.ofMinutes(3));
      prober.interrupt();
      prober.join();

      List<Probe> duringOutage =
          probes.stream()
              .filter(
                  p ->
                      p.atNanos() >= stopped + TimeUnit.SECONDS.toNanos(DETECT_SECONDS)
                          && p.atNanos() < starting)
              .toList();
      long unready = probes.stream().filter(p -> p.status() != 200).count();
      assertThat(duringOutage)
          .as("answers while the broker was down")
          .hasSizeGreaterThanOrEqualTo(5);
      assertThat(duringOutage)
          .as("/health/ready while the broker was down")
          .allSatisfy(p -> assertThat(p.status()).isEqualTo(503));
      long first503 =
          probes.stream()
              .filter(p -> p.atNanos() >= stopping && p.status() == 503)
              .mapToLong(Probe::atNanos)
              .findFirst()
              .orElseThrow();
      assertThat(wrong).as("series that differ from the ground truth").isEmpty();
      assertThat(watch.backwardsCount())
          .as("series that went backwards, e.g. %s", watch.backwards())
          .isZero();
      System.out.printf(
          "BrokerRestartIT: %,d records (%,d not taken by the broker), broker down %.1f s;"
              + " first 503 %.1f s after stop() was called, ready again %.1f s after the broker"
              + " was back; %d of %d probes not 200; %,d series exact; %d s in all%n",
          truth.events(),
          sent.errors(),
          seconds(starting - stopping),
          seconds(first503 - stopping),
          seconds(readyAgain - started),
          unready,
          probes.size(),
          truth.series().size(),
          Duration.ofNanos(System.nanoTime() - begun).toSeconds());
    } finally {
      prober.interrupt();
      tally.kill();
    }
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }

  /** Asks {@code ready} every 200 ms until interrupted, recording each answer (0: no answer). */
  private static void probe(URI ready, List<Probe> probes) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    while (!Thread.currentThread().isInterrupted()) {
      long at = System.nanoTime();
      int status;
      try {
        status =
            http.send(
                    HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding())
                .statusCode();
      } catch (IOException e) {
        status = 0;
      } catch (InterruptedException e) {
        return;
      }
      probes.add(new Probe(at, status));
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private static long awaitReadyAfter(List<Probe> probes, long afterNanos, Duration timeout)
      throws InterruptedException {
    long deadline = afterNanos + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      for (Probe p : probes) {
        if (p.atNanos() >= afterNanos && p.status() == 200) {
          return p.atNanos();
        }
      }
      Thread.sleep(200);
    }
    throw new AssertionError("/health/ready not 200 within " + timeout);
  }
}
