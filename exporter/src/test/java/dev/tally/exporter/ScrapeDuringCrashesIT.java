package dev.tally.exporter;

import dev.tally.loadgen.EventLoad;
import dev.tally.loadgen.GeneratedEvent;
import dev.tally.loadgen.GroundTruth;
import dev.tally.streams.config.TallyConfig;
import dev.tally.tools.kafka.KafkaBrokerExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a scraper sees while instances crash. Two Tally instances (one application id, each in its
 * own JVM) count a steady load; both are scraped every 200 ms, as Prometheus would scrape them,
 * while they are killed with SIGKILL three times at random moments and restarted.
 *
 * <ul>
 *   <li>No counter, histogram count or bucket, summed over the instances, ever shows a value below
 *       one shown before: a crash aborts the open transaction, and a value from it would come back
 *       lower.
 *   <li>In the end every total is exact, and the only late events counted are the ones produced
 *       late: the backlog an instance replays after a crash is not late.
 *   <li>Events re-sent two seconds later (same record, same partition), across the kills, count
 *       once and show in {@code tally_events_duplicate_total}.
 *   <li>At rest, no series is exported by both instances.
 * </ul>
 */
class ScrapeDuringCrashesIT {
  private static final int EVENTS_PER_SECOND = 2_500;
  private static final Duration LOAD = Duration.ofSeconds(40);
  private static final Duration SCRAPE_EVERY = Duration.ofMillis(200);

  @RegisterExtension static KafkaBrokerExtension kafka = new KafkaBrokerExtension();

  @TempDir Path dir;

  @Test
  void shouldNeverShowACounterGoingBackwardsAcrossSigkills() throws Exception {
    String id = "k" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    String prefix = "events." + id + ".";
    List.of("im-gateway", "media-gateway", "event-observer", "late")
        .forEach(service -> kafka.createTopic(prefix + service, 3));
    ChildTally a = new ChildTally("a", dir, config(id, "a"));
    ChildTally b = new ChildTally("b", dir, config(id, "b"));
    a.start();
    b.start();
    CounterWatch scraper = CounterWatch.every(SCRAPE_EVERY, List.of(a, b));
    Random random = new Random(20261130);
    GroundTruth expected;
    long lateExpected;
    long resentExpected;
    try {
      Producing producing = new Producing(prefix);
      Thread producer = new Thread(producing, "producer");
      producer.start();
      // Three kills at random moments of the load, alternating instances; each restarts after a
      // pause on its own state directory, as a pod with a volume would.
      long loadMs = LOAD.toMillis();
      for (ChildTally victim : List.of(a, b, a)) {
        Thread.sleep(loadMs / 5 + random.nextInt((int) (loadMs / 10)));
        victim.kill();
        Thread.sleep(2_000 + random.nextInt(2_000));
        victim.start();
      }
      producer.join();
      expected = producing.expected;
      lateExpected = producing.late;
      resentExpected = producing.resent;

      Map<String, Double> totals = Map.of();
      long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
      while (System.nanoTime() < deadline) {
        totals = scraper.lastRoundSum();
        if (reached(totals, expected)) {
          break;
        }
        Thread.sleep(500);
      }
      Map<String, Double> scraped = totals;
      scraper.close();
      SoftAssertions.assertSoftly(
          soft -> {
            soft.assertThat(scraper.backwardsCount())
                .as("series that went backwards, e.g. %s", scraper.backwards())
                .isZero();
            expected
                .counts()
                .forEach(
                    (series, value) ->
                        soft.assertThat(scraped.get(series)).as(series).isEqualTo(value));
            soft.assertThat(sumOf(scraped, "tally_events_rejected_total{"))
                .isEqualTo(expected.rejected());
            soft.assertThat(sumOf(scraped, "tally_events_consumed_total{"))
                .isEqualTo(expected.events());
            soft.assertThat(scraped.get("tally_late_events_total{metric=\"ack_timeouts_total\"}"))
                .isEqualTo((double) lateExpected);
            soft.assertThat(sumOf(scraped, "tally_late_events_total{"))
                .as("late events other than the ones produced late")
                .isEqualTo((double) lateExpected);
            soft.assertThat(resentExpected).as("events re-sent").isGreaterThan(800);
            soft.assertThat(sumOf(scraped, "tally_events_duplicate_total{"))
                .isEqualTo((double) resentExpected);
            soft.assertThat(scraper.rounds()).as("scrape rounds").isGreaterThan(100);
            soft.assertThat(scraper.exportedByMoreThanOne())
                .as("series exported by both instances")
                .isEmpty();
          });
    } finally {
      scraper.close();
      a.kill();
      b.kill();
    }
  }

  private static boolean reached(Map<String, Double> totals, GroundTruth expected) {
    return expected.counts().entrySet().stream()
        .allMatch(e -> e.getValue().equals(totals.get(e.getKey())));
  }

  private Map<String, String> config(String id, String instance) {
    Map<String, String> p = new HashMap<>();
    p.put(TallyConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
    p.put(TallyConfig.APPLICATION_ID, "tally-crash-scrape-" + id);
    p.put(TallyConfig.STATE_DIR, dir.resolve("state-" + instance).toString());
    p.put(TallyConfig.INPUT_TOPIC_PATTERN, "events\\." + id + "\\..*");
    p.put(TallyConfig.DLQ_TOPIC, "tally-crash-scrape-" + id + ".dlq");
    p.put(TallyConfig.HTTP_PORT, "0");
    // A dead instance's partitions move after 6 s rather than the 45 s default.
    p.put("kafka.session.timeout.ms", "6000");
    return p;
  }

  /**
   * Produces the load at a steady rate, every source's events in time order, stamped with the time
   * they are sent; and on the {@code late} topic one source whose every 20th event is stamped a
   * minute before its latest (late by the contract: its 10 s window closed 20 s ago or more).
   */
  private static final class Producing implements Runnable {
    private final String prefix;
    final GroundTruth expected = new GroundTruth();
    long late;
    long resent;

    Producing(String prefix) {
      this.prefix = prefix;
    }

    @Override
    public void run() {
      EventLoad load = EventLoad.builder().seed(7).topicPrefix(prefix).badFraction(0.01).build();
      long total = EVENTS_PER_SECOND * LOAD.toSeconds();
      long started = System.currentTimeMillis();
      long lateClock = 0;
      Map<Long, GeneratedEvent> resends = new HashMap<>();
      Map<Long, Integer> resendPartitions = new HashMap<>();
      try (KafkaProducer<byte[], byte[]> producer = producer()) {
        for (long i = 0; i < total; i++) {
          long due = started + i * 1000 / EVENTS_PER_SECOND;
          long now = System.currentTimeMillis();
          if (due > now) {
            Thread.sleep(due - now);
          }
          now = System.currentTimeMillis();
          GeneratedEvent e = load.nextAt(now);
          expected.add(e);
          // Every 100th valid event goes to a fixed partition and is sent again 5,000 events
          // (2 s) later, as a producer re-sends after a timeout.
          Integer partition = e.valid() && i % 100 == 7 ? (int) (i % 3) : null;
          producer.send(new ProducerRecord<>(e.topic(), partition, now, null, e.json()));
          if (partition != null) {
            resends.put(i + 5_000, e.again());
            resendPartitions.put(i + 5_000, partition);
          }
          GeneratedEvent again = resends.remove(i);
          if (again != null) {
            producer.send(
                new ProducerRecord<>(
                    again.topic(), resendPartitions.remove(i), null, null, again.json()));
            resent++;
            expected.add(again);
          }
          if (i % 50 == 0) {
            long ts = now;
            if (i % 1000 == 0 && lateClock > 0) {
              ts = lateClock - 60_000;
              late++;
            }
            lateClock = Math.max(lateClock, ts);
            String json =
                "{\"type\":\"ack.timeout\",\"schema_version\":1,\"service\":\"late-svc\","
                    + "\"instance\":\"late-1\",\"event_id\":\"l"
                    + i
                    + "\",\"timestamp\":"
                    + ts
                    + "}";
            byte[] value = json.getBytes(StandardCharsets.UTF_8);
            // Late by the contract, and still in the totals.
            expected.add(
                new GeneratedEvent(
                    prefix + "late",
                    "ack.timeout",
                    "late-svc",
                    "late-1",
                    ts,
                    Map.of(),
                    value,
                    null));
            // One partition for the late source, so its order is the order it was sent in.
            producer.send(new ProducerRecord<>(prefix + "late", 0, now, null, value));
          }
        }
        producer.flush();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static KafkaProducer<byte[], byte[]> producer() {
    return new KafkaProducer<>(
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            kafka.bootstrapServers(),
            ProducerConfig.LINGER_MS_CONFIG,
            5),
        new ByteArraySerializer(),
        new ByteArraySerializer());
  }

  private static double sumOf(Map<String, Double> samples, String prefix) {
    return samples.entrySet().stream()
        .filter(e -> e.getKey().startsWith(prefix))
        .mapToDouble(Map.Entry::getValue)
        .sum();
  }
}
