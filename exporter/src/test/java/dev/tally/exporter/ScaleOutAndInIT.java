package dev.tally.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.loadgen.GroundTruth;
import dev.tally.loadgen.LoadRunner;
import dev.tally.loadgen.Verify;
import dev.tally.streams.config.TallyConfig;
import dev.tally.tools.kafka.KafkaBrokerExtension;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scaling out and in under load, each instance a JVM of its own with {@code
 * num.standby.replicas=1}: one instance, then two, then three while a load runs; then the third is
 * killed with SIGKILL (two left).
 *
 * <ul>
 *   <li>Once the group has settled after each step, no series is exported by two instances.
 *   <li>{@code /api/v1/totals} (all {@code ack_timeouts_total}, asked every 250 ms of a live
 *       instance in turn) answers 200 or 503 with {@code Retry-After}, nothing else; the 200
 *       answers never go down from one to the next, never exceed the load's ground truth, and are
 *       exactly it once the load is counted.
 *   <li>The killed instance's series are served again (every series it exported is exported by a
 *       survivor, and the query API answers 200) within {@value #FAILOVER_BOUND_SECONDS} s.
 *   <li>In the end every series equals the ground truth, and no counter (scraped every second from
 *       every instance and summed) ever went backwards.
 * </ul>
 */
class ScaleOutAndInIT {
  private static final long EVENTS = 120_000;
  private static final double RATE = 2_000;
  private static final String METRIC = "ack_timeouts_total";
  private static final long FAILOVER_BOUND_SECONDS = 30;

  @RegisterExtension static KafkaBrokerExtension kafka = new KafkaBrokerExtension();

  @TempDir Path dir;

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  private final ObjectMapper json = new ObjectMapper();

  /** One answer of the query API: when, its status, and the total if 200. */
  private record Answer(long atNanos, int status, long value) {}

  @Test
  void shouldKeepTotalsExactAndSeriesSingleOwnedFromOneToThreeToTwoInstances() throws Exception {
    long begun = System.nanoTime();
    ReliabilityLoad load = ReliabilityLoad.create(kafka, "scale", 20261216);
    ChildTally a = new ChildTally("a", dir, settings(load, "a"));
    ChildTally b = new ChildTally("b", dir, settings(load, "b"));
    ChildTally c = new ChildTally("c", dir, settings(load, "c"));
    List<ChildTally> live = CounterWatch.instanceList(a);
    List<Answer> answers = new CopyOnWriteArrayList<>();
    AtomicInteger otherStatuses = new AtomicInteger();
    a.start();
    Thread asking = new Thread(() -> ask(live, answers, otherStatuses), "asking");
    try (CounterWatch watch = CounterWatch.every(Duration.ofSeconds(1), live)) {
      awaitSettled(live);
      asking.start();
      CompletableFuture<LoadRunner.Result> producing = load.send(EVENTS, RATE);

      // 1 -> 2 -> 3, each once a share of the load is counted; single owners once settled.
      int steps = 0;
      for (ChildTally joining : List.of(b, c)) {
        watch.awaitConsumed(EVENTS * (++steps) / 5, Duration.ofMinutes(2));
        joining.start();
        live.add(joining);
        awaitSettled(live);
        watch.awaitNextRound();
        assertThat(watch.exportedByMoreThanOne())
            .as("series exported by two of %d instances", live.size())
            .isEmpty();
      }

      // 3 -> 2: c dies. Its series must come back on a survivor.
      watch.awaitConsumed(EVENTS * 3 / 5, Duration.ofMinutes(2));
      Set<String> cSeries = awaitExporting(watch, c);
      assertThat(cSeries)
          .as("series c exported before it died (its last scrape: %s)", watch.lastAnswer(c))
          .isNotEmpty();
      live.remove(c);
      long killed = System.nanoTime();
      c.kill();
      long seriesBack = awaitExported(watch, cSeries, killed);
      long queryBack = awaitAnswer200(answers, killed);
      double failover = (Math.max(seriesBack, queryBack) - killed) / 1e9;
      assertThat(failover)
          .as("seconds until c's series were served again")
          .isLessThan(FAILOVER_BOUND_SECONDS);
      awaitSettled(live);
      watch.awaitNextRound();
      assertThat(watch.exportedByMoreThanOne()).as("series exported by two of 2").isEmpty();

      LoadRunner.Result sent = producing.get(5, TimeUnit.MINUTES);
      GroundTruth truth = sent.truth();
      List<Verify.Mismatch> wrong = ChildTally.awaitTruth(live, truth, Duration.ofMinutes(3));
      long expected =
          Math.round(
              truth.counters().entrySet().stream()
                  .filter(e -> e.getKey().startsWith(METRIC + "{"))
                  .mapToDouble(Map.Entry::getValue)
                  .sum());
      long exactAt = System.nanoTime();
      Thread.sleep(2_000);
      asking.interrupt();
      asking.join();

      assertThat(wrong).as("series that differ from the ground truth").isEmpty();
      assertThat(watch.backwardsCount())
          .as("series that went backwards, e.g. %s", watch.backwards())
          .isZero();
      assertThat(otherStatuses.get()).as("answers neither 200 nor 503").isZero();
      long previous = 0;
      for (Answer answer : answers) {
        if (answer.status() == 200) {
          assertThat(answer.value())
              .as("a total after %d", previous)
              .isGreaterThanOrEqualTo(previous);
          assertThat(answer.value()).as("a total").isLessThanOrEqualTo(expected);
          previous = answer.value();
          if (answer.atNanos() >= exactAt) {
            assertThat(answer.value()).as("a total once all was counted").isEqualTo(expected);
          }
        }
      }
      assertThat(previous).as("the last total").isEqualTo(expected);
      long unavailable = answers.stream().filter(x -> x.status() == 503).count();
      System.out.printf(
          "ScaleOutAndInIT: %,d records; after the kill c's %d series exported again in %.1f s,"
              + " query API 200 again in %.1f s; %d of %d query answers were 503; %,d series"
              + " exact; %d s in all%n",
          truth.events(),
          cSeries.size(),
          (seriesBack - killed) / 1e9,
          (queryBack - killed) / 1e9,
          unavailable,
          answers.size(),
          truth.series().size(),
          Duration.ofNanos(System.nanoTime() - begun).toSeconds());
    } finally {
      asking.interrupt();
      a.kill();
      b.kill();
      c.kill();
    }
  }

  /** Asks the live instances in turn, every 250 ms, for the total of {@link #METRIC}. */
  private void ask(List<ChildTally> live, List<Answer> answers, AtomicInteger otherStatuses) {
    for (int i = 0; !Thread.currentThread().isInterrupted(); i++) {
      List<ChildTally> now = List.copyOf(live);
      URI base = now.get(i % now.size()).url();
      if (base != null) {
        try {
          long at = System.nanoTime();
          HttpResponse<String> r =
              http.send(
                  HttpRequest.newBuilder(base.resolve("api/v1/totals?metric=" + METRIC + "&by="))
                      .timeout(Duration.ofSeconds(10))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
          if (r.statusCode() == 200) {
            answers.add(new Answer(at, 200, total(r.body())));
          } else if (r.statusCode() == 503 && r.headers().firstValue("Retry-After").isPresent()) {
            answers.add(new Answer(at, 503, -1));
          } else {
            otherStatuses.incrementAndGet();
            System.out.println("ScaleOutAndInIT: " + r.statusCode() + " " + r.body());
          }
        } catch (IOException e) {
          // The instance asked was just killed: ask the next.
        } catch (InterruptedException e) {
          return;
        }
      }
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private long total(String body) throws IOException {
    List<?> series = (List<?>) json.readValue(body, Map.class).get("series");
    if (series.isEmpty()) {
      return 0;
    }
    return ((Number) ((Map<?, ?>) series.get(0)).get("value")).longValue();
  }

  /**
   * Waits until every live instance is ready and {@code /api/v1/instances} lists exactly them, each
   * holding series partitions as an active task, and every series partition active on one of them.
   */
  private void awaitSettled(List<ChildTally> live) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (System.nanoTime() < deadline) {
      if (settled(live)) {
        return;
      }
      Thread.sleep(250);
    }
    throw new AssertionError(live.size() + " instances did not settle in 2 minutes");
  }

  @SuppressWarnings("unchecked")
  private boolean settled(List<ChildTally> live) throws InterruptedException {
    try {
      for (ChildTally instance : live) {
        if (get(instance.url().resolve("health/ready")).statusCode() != 200) {
          return false;
        }
      }
      Map<String, Object> body =
          json.readValue(get(live.get(0).url().resolve("api/v1/instances")).body(), Map.class);
      List<Map<String, Object>> instances = (List<Map<String, Object>>) body.get("instances");
      long active =
          instances.stream()
              .mapToLong(
                  i -> ((List<?>) ((Map<String, Object>) i.get("active")).get("partitions")).size())
              .sum();
      // Every instance owns series: the new one has taken its share, not just warm copies.
      boolean eachOwns =
          instances.stream()
              .allMatch(
                  i ->
                      !((List<?>) ((Map<String, Object>) i.get("active")).get("partitions"))
                          .isEmpty());
      return instances.size() == live.size() && active == 6 && eachOwns;
    } catch (IOException e) {
      return false;
    }
  }

  private HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /**
   * What {@code instance} exports once it exports series: an instance shows none of its stores'
   * series while Kafka Streams moves or restores a task of it (a rebalance may come at any time).
   */
  private static Set<String> awaitExporting(CounterWatch watch, ChildTally instance)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
    watch.awaitNextRound();
    while (watch.lastRound(instance).isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    return watch.lastRound(instance).keySet();
  }

  /** Waits until every one of {@code series} is exported by some live instance; returns when. */
  private static long awaitExported(CounterWatch watch, Set<String> series, long sinceNanos)
      throws InterruptedException {
    long deadline = sinceNanos + Duration.ofMinutes(2).toNanos();
    while (System.nanoTime() < deadline) {
      // A round begun before the kill may still hold what the killed instance exported.
      if (watch.lastRoundStartedNanos() > sinceNanos
          && watch.lastRoundSum().keySet().containsAll(series)) {
        return System.nanoTime();
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the killed instance's series were not exported again in 2 minutes");
  }

  /** Waits for a 200 answer of the query API asked after {@code sinceNanos}; returns when. */
  private static long awaitAnswer200(List<Answer> answers, long sinceNanos)
      throws InterruptedException {
    long deadline = sinceNanos + Duration.ofMinutes(2).toNanos();
    while (System.nanoTime() < deadline) {
      for (Answer answer : answers) {
        if (answer.atNanos() > sinceNanos && answer.status() == 200) {
          return answer.atNanos();
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the query API did not answer 200 within 2 minutes of the kill");
  }

  private Map<String, String> settings(ReliabilityLoad load, String instance) throws IOException {
    int port = freePort();
    Map<String, String> p = load.settings(instance, dir);
    p.put(TallyConfig.APPLICATION_SERVER, "127.0.0.1:" + port);
    p.put(TallyConfig.HTTP_PORT, Integer.toString(port));
    // A warm copy of every task on another instance, so that a dead one's tasks move at once.
    p.put("kafka.num.standby.replicas", "1");
    // A joining instance takes its share of tasks at once, restoring their stores, rather than
    // warming copies up first and taking over at a probing rebalance ten minutes later.
    p.put("kafka.acceptable.recovery.lag", Long.toString(Long.MAX_VALUE));
    return p;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
