package dev.tally.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.loadgen.EventLoad;
import dev.tally.loadgen.GeneratedEvent;
import dev.tally.loadgen.GroundTruth;
import dev.tally.streams.config.TallyConfig;
import dev.tally.tools.kafka.KafkaBrokerExtension;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
 *   <li>No counter, histogram count or bucket ever shows a value below one shown before, by any
 *       instance: a crash aborts the open transaction, and a value from it would come back lower.
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
  private static final Pattern PORT = Pattern.compile("(?m)^port (\\d+)$");
  // Families whose samples only grow: counters, histogram counts and buckets. Sums are left out
  // (a histogram of negative values may shrink) and so are Tally's runtime families.
  private static final Pattern MONOTONIC =
      Pattern.compile(
          "^(?!tally_streams_|tally_scrape_|jvm_|process_)\\w+(_total|_count|_bucket)\\{.*");

  @RegisterExtension static KafkaBrokerExtension kafka = new KafkaBrokerExtension();

  @TempDir Path dir;

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  @Test
  void shouldNeverShowACounterGoingBackwardsAcrossSigkills() throws Exception {
    String id = "k" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    String prefix = "events." + id + ".";
    List.of("im-gateway", "media-gateway", "event-observer", "late")
        .forEach(service -> kafka.createTopic(prefix + service, 3));
    Instance a = new Instance("a", config(id, "a"));
    Instance b = new Instance("b", config(id, "b"));
    a.start();
    b.start();
    Scraper scraper = new Scraper(List.of(a, b));
    Thread scraping = new Thread(scraper, "scraper");
    scraping.start();
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
      for (Instance victim : List.of(a, b, a)) {
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
      scraper.stop();
      scraping.join();
      SoftAssertions.assertSoftly(
          soft -> {
            soft.assertThat(scraper.backwards.size())
                .as("series that went backwards, e.g. %s", first(scraper.backwards, 10))
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
            soft.assertThat(scraper.rounds).as("scrape rounds").isGreaterThan(100);
            soft.assertThat(scraper.exportedByBoth())
                .as("series exported by both instances")
                .isEmpty();
          });
    } finally {
      scraper.stop();
      a.kill();
      b.kill();
    }
  }

  private static boolean reached(Map<String, Double> totals, GroundTruth expected) {
    return expected.counts().entrySet().stream()
        .allMatch(e -> e.getValue().equals(totals.get(e.getKey())));
  }

  private Path config(String id, String instance) throws IOException {
    Properties p = new Properties();
    p.setProperty(TallyConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
    p.setProperty(TallyConfig.APPLICATION_ID, "tally-crash-scrape-" + id);
    p.setProperty(TallyConfig.STATE_DIR, dir.resolve("state-" + instance).toString());
    p.setProperty(TallyConfig.INPUT_TOPIC_PATTERN, "events\\." + id + "\\..*");
    p.setProperty(TallyConfig.DLQ_TOPIC, "tally-crash-scrape-" + id + ".dlq");
    p.setProperty(TallyConfig.HTTP_PORT, "0");
    // A dead instance's partitions move after 6 s rather than the 45 s default.
    p.setProperty("kafka.session.timeout.ms", "6000");
    Path file = dir.resolve(instance + ".properties");
    try (var out = Files.newBufferedWriter(file)) {
      p.store(out, null);
    }
    return file;
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

  /** One Tally JVM that can be killed and started again on the same state directory. */
  private final class Instance {
    private final String name;
    private final Path config;
    private volatile Process process;
    private volatile URI metrics;
    private int starts;

    Instance(String name, Path config) {
      this.name = name;
      this.config = config;
    }

    void start() throws Exception {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Path log = dir.resolve(name + "-" + (++starts) + ".log");
      ProcessBuilder pb =
          new ProcessBuilder(
              java,
              "-Xmx384m",
              "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
              "-cp",
              System.getProperty("java.class.path"),
              TallyServerMain.class.getName(),
              config.toString());
      pb.redirectErrorStream(true);
      pb.redirectOutput(log.toFile());
      process = pb.start();
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (System.nanoTime() < deadline) {
        Matcher m = PORT.matcher(Files.readString(log));
        if (m.find()) {
          metrics = URI.create("http://127.0.0.1:" + m.group(1) + "/metrics");
          return;
        }
        assertThat(process.isAlive()).as("%s exited: %s", name, Files.readString(log)).isTrue();
        Thread.sleep(50);
      }
      throw new AssertionError(name + " did not start: " + Files.readString(log));
    }

    void kill() throws InterruptedException {
      Process p = process;
      metrics = null;
      if (p != null) {
        // Process.destroyForcibly is SIGKILL on Linux: no shutdown hook, no clean close.
        p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
    }
  }

  /** Scrapes every instance in rounds and checks each counter sample against all earlier ones. */
  private final class Scraper implements Runnable {
    private final List<Instance> instances;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Map<String, Double> highest = new HashMap<>();
    final Map<String, String> backwards = new ConcurrentHashMap<>();
    private volatile List<Map<String, Double>> lastRound = List.of();
    volatile int rounds;

    Scraper(List<Instance> instances) {
      this.instances = instances;
    }

    void stop() {
      running.set(false);
    }

    @Override
    public void run() {
      while (running.get()) {
        long started = System.nanoTime();
        List<Map<String, Double>> round = new ArrayList<>();
        for (Instance instance : instances) {
          Map<String, Double> samples = scrape(instance.metrics);
          round.add(samples);
          samples.forEach(
              (series, value) -> {
                Double before = highest.get(series);
                if (before != null && value < before) {
                  backwards.putIfAbsent(series, before + " then " + value + " on " + instance.name);
                }
              });
        }
        // Compared with earlier rounds only: within a round a series may move between the two.
        round.forEach(s -> s.forEach((k, v) -> highest.merge(k, v, Math::max)));
        lastRound = round;
        rounds++;
        long left = SCRAPE_EVERY.toNanos() - (System.nanoTime() - started);
        if (left > 0) {
          try {
            Thread.sleep(left / 1_000_000);
          } catch (InterruptedException e) {
            return;
          }
        }
      }
    }

    Map<String, Double> lastRoundSum() {
      Map<String, Double> sum = new HashMap<>();
      lastRound.forEach(s -> s.forEach((k, v) -> sum.merge(k, v, Double::sum)));
      return sum;
    }

    List<String> exportedByBoth() {
      List<Map<String, Double>> round = lastRound;
      return round.get(0).keySet().stream().filter(round.get(1)::containsKey).toList();
    }

    private Map<String, Double> scrape(URI uri) {
      Map<String, Double> samples = new HashMap<>();
      if (uri == null) {
        return samples;
      }
      try {
        HttpResponse<String> response =
            http.send(
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
          return samples;
        }
        response
            .body()
            .lines()
            .filter(line -> MONOTONIC.matcher(line).matches())
            .forEach(
                line -> {
                  int space = line.lastIndexOf(' ');
                  samples.put(
                      line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
                });
      } catch (IOException e) {
        // A killed instance does not answer: nothing observed this round.
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return samples;
    }
  }

  private static Map<String, String> first(Map<String, String> map, int n) {
    Map<String, String> first = new TreeMap<>();
    map.entrySet().stream().limit(n).forEach(e -> first.put(e.getKey(), e.getValue()));
    return first;
  }

  private static double sumOf(Map<String, Double> samples, String prefix) {
    return samples.entrySet().stream()
        .filter(e -> e.getKey().startsWith(prefix))
        .mapToDouble(Map.Entry::getValue)
        .sum();
  }
}
