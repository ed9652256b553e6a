package dev.tally.exporter;

import dev.tally.loadgen.ExpositionText;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;

/**
 * Scrapes every running instance in rounds, as Prometheus would, sums each series over the
 * instances of a round (a series is exported by its one owner; Prometheus users sum without {@code
 * instance}), and records every counter, histogram count or bucket whose sum comes out below one an
 * earlier round showed. An instance that is down or answers no 200 contributes nothing that round,
 * and a series absent from a round is not compared.
 *
 * <pre>{@code
 * try (CounterWatch watch = CounterWatch.every(Duration.ofSeconds(1), List.of(a, b))) {
 *   ... load, kills ...
 *   assertThat(watch.backwards()).isEmpty();
 *   Map<String, Double> totals = watch.lastRoundSum();
 * }
 * }</pre>
 */
final class CounterWatch implements AutoCloseable, Runnable {
  // Families whose samples only grow: counters, histogram counts and buckets. Sums are left out
  // (a histogram of negative values may shrink) and so are Tally's runtime families.
  private static final Pattern MONOTONIC =
      Pattern.compile("^(?!tally_streams_|tally_scrape_|jvm_|process_)\\w+(_total|_count|_bucket)");

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  private final List<ChildTally> instances;
  private final Duration every;
  private final Map<String, Double> highest = new HashMap<>();
  private final Map<String, String> backwards = new ConcurrentHashMap<>();
  private final Map<ChildTally, String> lastAnswer = new ConcurrentHashMap<>();
  private final Thread thread;
  private volatile boolean running = true;
  private volatile Map<ChildTally, Map<String, Double>> lastRound = Map.of();
  private volatile int rounds;
  private volatile long lastRoundStartedNanos;

  private CounterWatch(Duration every, List<ChildTally> instances) {
    this.every = every;
    this.instances = instances;
    this.thread = new Thread(this, "counter-watch");
  }

  /**
   * Starts scraping {@code instances} every {@code every}; the list may change while it runs
   * (instances added or removed for a scale-out or -in) if it is a concurrent one.
   */
  static CounterWatch every(Duration every, List<ChildTally> instances) {
    CounterWatch watch = new CounterWatch(every, instances);
    watch.thread.start();
    return watch;
  }

  /** A list of instances that {@link #every} may watch while the test changes it. */
  static List<ChildTally> instanceList(ChildTally... first) {
    return new CopyOnWriteArrayList<>(List.of(first));
  }

  @Override
  public void run() {
    while (running) {
      long started = System.nanoTime();
      Map<ChildTally, Map<String, Double>> round = new LinkedHashMap<>();
      for (ChildTally instance : instances) {
        round.put(instance, scrape(instance, instance.metrics()));
      }
      sum(round)
          .forEach(
              (series, value) -> {
                Double before = highest.get(series);
                if (before != null && value < before) {
                  backwards.putIfAbsent(series, before + " then " + value);
                }
                highest.merge(series, value, Math::max);
              });
      lastRound = round;
      lastRoundStartedNanos = started;
      rounds++;
      long tookNanos = System.nanoTime() - started;
      long left = every.toNanos() - tookNanos;
      if (left > 0) {
        try {
          Thread.sleep(left / 1_000_000);
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  /** Series whose summed value went below an earlier round's, with the two values; first ones. */
  Map<String, String> backwards() {
    Map<String, String> first = new TreeMap<>();
    backwards.entrySet().stream().limit(10).forEach(e -> first.put(e.getKey(), e.getValue()));
    return first;
  }

  /** How many series went backwards. */
  int backwardsCount() {
    return backwards.size();
  }

  int rounds() {
    return rounds;
  }

  /** Every monotonic series of the last round, summed over the instances that answered. */
  Map<String, Double> lastRoundSum() {
    return sum(lastRound);
  }

  /** When the last round began ({@link System#nanoTime()}). */
  long lastRoundStartedNanos() {
    return lastRoundStartedNanos;
  }

  /** What {@code instance} exported in the last round (empty if it did not answer). */
  Map<String, Double> lastRound(ChildTally instance) {
    return lastRound.getOrDefault(instance, Map.of());
  }

  /** How {@code instance} answered its last scrape: {@code HTTP 200}, another status, an error. */
  String lastAnswer(ChildTally instance) {
    return lastAnswer.getOrDefault(instance, "not scraped yet");
  }

  /** Series that more than one instance exported in the last round. */
  List<String> exportedByMoreThanOne() {
    Map<String, Integer> exporters = new HashMap<>();
    lastRound
        .values()
        .forEach(samples -> samples.keySet().forEach(s -> exporters.merge(s, 1, Integer::sum)));
    return exporters.entrySet().stream()
        .filter(e -> e.getValue() > 1)
        .map(Map.Entry::getKey)
        .toList();
  }

  /**
   * Waits until the instances have counted {@code records} input records ({@code
   * tally_events_consumed_total}, summed); returns how many they had.
   */
  long awaitConsumed(long records, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      long consumed =
          (long)
              lastRoundSum().entrySet().stream()
                  .filter(e -> e.getKey().startsWith("tally_events_consumed_total{"))
                  .mapToDouble(Map.Entry::getValue)
                  .sum();
      if (consumed >= records) {
        return consumed;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("fewer than " + records + " records counted within " + timeout);
  }

  /** Waits for one more whole round, so that {@link #lastRoundSum} is at least as new as now. */
  void awaitNextRound() throws InterruptedException {
    int seen = rounds;
    while (rounds < seen + 2 && thread.isAlive()) {
      Thread.sleep(20);
    }
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.interrupt();
    thread.join();
  }

  private static Map<String, Double> sum(Map<ChildTally, Map<String, Double>> round) {
    Map<String, Double> sum = new HashMap<>();
    round.values().forEach(samples -> samples.forEach((k, v) -> sum.merge(k, v, Double::sum)));
    return sum;
  }

  private Map<String, Double> scrape(ChildTally instance, URI uri) {
    Map<String, Double> samples = new HashMap<>();
    if (uri == null) {
      lastAnswer.put(instance, "not running");
      return samples;
    }
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build(),
              HttpResponse.BodyHandlers.ofString());
      lastAnswer.put(
          instance,
          "HTTP " + response.statusCode() + (response.statusCode() == 200 ? "" : response.body()));
      if (response.statusCode() == 200) {
        ExpositionText.parse(response.body())
            .forEach(
                (series, value) -> {
                  if (isMonotonic(series)) {
                    samples.put(series, value);
                  }
                });
      }
    } catch (IOException e) {
      // A killed instance does not answer: nothing observed this round.
      lastAnswer.put(instance, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return samples;
  }

  private static boolean isMonotonic(String series) {
    int brace = series.indexOf('{');
    // Label-less samples are each instance's own (tally_store_records_undecodable_total): they
    // leave the sum when an instance dies.
    return brace > 0 && MONOTONIC.matcher(series.substring(0, brace)).matches();
  }
}
