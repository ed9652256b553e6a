package dev.tally.exporter.reliability;

import dev.tally.streams.config.TallyConfig;
import dev.tally.tools.kafka.KafkaBrokerExtension;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, cardinality attack: every event of one producer carries a new value of a label taken
 * from the event ({@code cache_misses_total{service, cache}}, fed by {@code cache.miss}'s {@code
 * cache} field). The metric keeps {@code series.cap} live series (one input partition: README,
 * "Cardinality guard"), every further update goes to the {@code __overflow__} series and is counted
 * in {@code tally_series_overflow_total}, nothing is lost from the total, and the heap and {@code
 * /metrics} stay bounded.
 *
 * <p>CI sends the million distinct values issue 14 names; {@code -Dtally.cardinality.events=N}
 * sends another number (docs/reliability.md has the runs' figures).
 */
class CardinalityAttackIT {
  private static final int EVENTS = Integer.getInteger("tally.cardinality.events", 1_000_000);
  private static final int CAP = Integer.getInteger("tally.cardinality.cap", 10_000);
  private static final String SERVICE = "attack";
  // Heap retained by the pipeline after the attack, over what it held before (after a full GC):
  // the cap's admitted series and the stores' caches, not anything per label value sent.
  private static final long MAX_HEAP_GROWTH_BYTES = 128L * 1024 * 1024;
  // A scrape of cap live series of the metric (and its ratio) is well under this.
  private static final long MAX_SCRAPE_BYTES = 8L * 1024 * 1024;
  // How long the backlog may take to be counted: at 2,000 events a second, under half the slowest
  // rate seen on the loaded 2-core VM (4,400), and never less than 5 minutes.
  private static final Duration MAX_COUNTING = Duration.ofSeconds(Math.max(300, EVENTS / 2_000));

  @RegisterExtension static KafkaBrokerExtension kafka = new KafkaBrokerExtension();

  @TempDir Path stateDir;

  @Test
  void shouldHoldTheMetricAtItsCapAndCountEveryOverflowingUpdate() throws Exception {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    // Re-sent events are not part of this attack: without the dedup store (RocksDB, off-heap) the
    // pipeline runs about twice as fast (docs/operations.md, Sizing).
    Map<String, String> settings =
        Map.of(TallyConfig.DEDUP_WINDOW, "0", TallyConfig.SERIES_CAP, Integer.toString(CAP));
    try (RunningTally tally = RunningTally.start(kafka, stateDir, settings)) {
      String topic = tally.createTopic(SERVICE, 1);
      tally.awaitScrape(
          s -> s.containsKey("tally_streams_state{state=\"RUNNING\"}"), Duration.ofMinutes(1));
      long heapBefore = heapAfterGc(memory);
      long started = System.nanoTime();

      produce(tally, topic);
      double producedSeconds = (System.nanoTime() - started) / 1e9;

      // Scrapes while Tally works through the backlog: each stays bounded.
      long[] largestScrape = {0};
      long[] slowestScrapeMs = {0};
      Map<String, Double> scraped = Map.of();
      long deadline = System.nanoTime() + MAX_COUNTING.toNanos();
      while (System.nanoTime() < deadline) {
        long t = System.nanoTime();
        HttpResponse<String> response = tally.get("metrics");
        slowestScrapeMs[0] = Math.max(slowestScrapeMs[0], (System.nanoTime() - t) / 1_000_000);
        largestScrape[0] =
            Math.max(largestScrape[0], response.body().getBytes(StandardCharsets.UTF_8).length);
        scraped = RunningTally.parse(response.body());
        if (total(scraped) == EVENTS && overflowCounter(scraped) == EVENTS - CAP) {
          break;
        }
        Thread.sleep(1_000);
      }
      double countedSeconds = (System.nanoTime() - started) / 1e9;
      long heapAfter = heapAfterGc(memory);
      long liveSeries =
          scraped.keySet().stream()
              .filter(k -> k.startsWith("cache_misses_total{"))
              .filter(k -> !k.contains("__overflow__"))
              .count();

      String test = "CardinalityAttackIT";
      RunningTally.figure(test, "events (distinct label values)", EVENTS);
      RunningTally.figure(test, "series.cap", CAP);
      RunningTally.figure(test, "produced in (s)", fmt(producedSeconds));
      RunningTally.figure(test, "all counted after (s)", fmt(countedSeconds));
      RunningTally.figure(
          test, "events per second, produce to counted", fmt(EVENTS / countedSeconds));
      RunningTally.figure(test, "live series exported", liveSeries);
      RunningTally.figure(
          test,
          "tally_live_series{metric=cache_misses_total}",
          scraped.get("tally_live_series{metric=\"cache_misses_total\"}"));
      RunningTally.figure(test, "largest /metrics (bytes)", largestScrape[0]);
      RunningTally.figure(test, "slowest /metrics (ms)", slowestScrapeMs[0]);
      RunningTally.figure(test, "heap after GC before (MiB)", heapBefore >> 20);
      RunningTally.figure(test, "heap after GC after (MiB)", heapAfter >> 20);
      RunningTally.figure(test, "max heap (MiB)", memory.getHeapMemoryUsage().getMax() >> 20);

      SoftAssertions soft = new SoftAssertions();
      soft.assertThat(total(scraped))
          .as("every event counted, overflow included")
          .isEqualTo(EVENTS);
      soft.assertThat(liveSeries).as("live series of the metric").isEqualTo(CAP);
      soft.assertThat(
              scraped.get("cache_misses_total{cache=\"__overflow__\",service=\"__overflow__\"}"))
          .as("the overflow series")
          .isEqualTo((double) EVENTS - CAP);
      soft.assertThat(overflowCounter(scraped))
          .as("tally_series_overflow_total")
          .isEqualTo((double) EVENTS - CAP);
      soft.assertThat(scraped.get("tally_live_series{metric=\"cache_misses_total\"}"))
          .as("tally_live_series: the cap and the overflow series")
          .isLessThanOrEqualTo(CAP + 1.0);
      soft.assertThat(largestScrape[0])
          .as("largest /metrics in bytes")
          .isLessThan(MAX_SCRAPE_BYTES);
      soft.assertThat(heapAfter - heapBefore)
          .as("heap retained by the attack, bytes")
          .isLessThan(MAX_HEAP_GROWTH_BYTES);
      soft.assertAll();

      tally.awaitNoLag(List.of(topic), Duration.ofMinutes(1));
      tally.assertHealthy(tally.scrape());
    }
  }

  /**
   * Sends {@link #EVENTS} cache misses, each with a cache name never seen before, as fast as the
   * producer batches them.
   */
  private static void produce(RunningTally tally, String topic) throws Exception {
    long now = System.currentTimeMillis();
    AtomicLong failed = new AtomicLong();
    try (KafkaProducer<byte[], byte[]> producer = tally.producer()) {
      for (int i = 0; i < EVENTS; i++) {
        String json =
            "{\"type\":\"cache.miss\",\"schema_version\":1,\"service\":\""
                + SERVICE
                + "\",\"instance\":\"attack-1\",\"event_id\":\"e"
                + i
                + "\",\"timestamp\":"
                + (now - 60_000 + i % 60_000)
                + ",\"cache\":\"user-"
                + Integer.toString(i, 36)
                + "\"}";
        producer.send(
            new ProducerRecord<>(topic, json.getBytes(StandardCharsets.UTF_8)),
            (md, e) -> {
              if (e != null) {
                failed.incrementAndGet();
              }
            });
      }
      producer.flush();
    }
    if (failed.get() > 0) {
      throw new AssertionError(failed.get() + " sends failed");
    }
  }

  private static double total(Map<String, Double> scraped) {
    return RunningTally.sum(scraped, "cache_misses_total{");
  }

  private static double overflowCounter(Map<String, Double> scraped) {
    return scraped.getOrDefault("tally_series_overflow_total{metric=\"cache_misses_total\"}", 0.0);
  }

  private static long heapAfterGc(MemoryMXBean memory) {
    System.gc();
    System.gc();
    return memory.getHeapMemoryUsage().getUsed();
  }

  private static String fmt(double value) {
    return String.format(Locale.ROOT, "%.1f", value);
  }
}
