package dev.tally.streams.bench;

import dev.tally.streams.TallyApp;
import dev.tally.streams.config.TallyConfig;
import dev.tally.streams.query.LocalMetricStores;
import dev.tally.streams.query.SeriesSelector;
import dev.tally.tools.kafka.LocalKafkaBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.errors.InvalidStateStoreException;

/**
 * What 100k live series cost Tally: heap after a forced GC and bytes of the state directory.
 *
 * <p>This JVM runs the local broker and pre-loads a topic with events that make {@code series}
 * distinct catalog series: a fifth of the series count in services that each send {@code
 * ack.received} events ({@code ack_received_total} and {@code ack_latency_seconds}, a counter and a
 * histogram per service, {@code perHistogram} log-normal latencies each), the rest {@code
 * cache.hit} events of distinct (service, cache) pairs ({@code cache_hits_total}): 80 % counters,
 * 20 % histograms. Tally then runs in a child JVM of its own ({@code -Xmx2g}, so the heap figure is
 * Tally's alone, not the broker's), with {@code series.cap} raised above the series count (default
 * 10,000 per metric). Once every event is counted and every series is readable through the
 * committed view, the child forces a GC and reads the heap in use; then it closes Tally (RocksDB
 * flushes its memtables, Kafka Streams writes its checkpoints) and sums the files of the state
 * directory. Prints {@code RESULT} lines for {@code bench/all.sh}.
 *
 * <p>Usage: {@code StateFootprintBenchmark [series=100000] [perHistogram=5]}.
 */
public final class StateFootprintBenchmark {
  private static final String TOPIC = "events.footprint";
  private static final long TIMEOUT_MS = 15 * 60_000L;

  private StateFootprintBenchmark() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("--child")) {
      child(args[1], Paths.get(args[2]), Long.parseLong(args[3]), Integer.parseInt(args[4]));
      return;
    }
    int series = args.length > 0 ? Integer.parseInt(args[0].replace("_", "")) : 100_000;
    int perHistogram = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    try (LocalKafkaBroker broker = LocalKafkaBroker.builder().build().start()) {
      broker.createTopic(TOPIC, 2);
      long events = produce(broker.bootstrapServers(), series, perHistogram);
      System.out.printf(Locale.ROOT, "events: %,d making %,d series%n", events, series);
      Path state = Files.createTempDirectory("tally-footprint-");
      List<String> command = new ArrayList<>();
      command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
      command.add("-Xmx2g");
      command.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=error");
      command.add("-cp");
      command.add(System.getProperty("java.class.path"));
      command.add(StateFootprintBenchmark.class.getName());
      command.add("--child");
      command.add(broker.bootstrapServers());
      command.add(state.toString());
      command.add(Long.toString(events));
      command.add(Integer.toString(series));
      Process tally = new ProcessBuilder(command).inheritIO().start();
      int exit = tally.waitFor();
      deleteTree(state);
      if (exit != 0) {
        throw new IllegalStateException("the Tally JVM exited with " + exit);
      }
    }
  }

  private static long produce(String bootstrap, int series, int perHistogram) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    SplittableRandom random = new SplittableRandom(5);
    int ackServices = series / 5;
    int cachePairs = series - 2 * ackServices;
    long now = System.currentTimeMillis();
    long sent = 0;
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < cachePairs; i++) {
        String service = "svc-" + (i % 1000);
        send(
            producer,
            service,
            now,
            "\"type\":\"cache.hit\",\"service\":\""
                + service
                + "\",\"cache\":\"cache-"
                + (i / 1000)
                + "\"");
        sent++;
      }
      for (int i = 0; i < ackServices; i++) {
        String service = "ack-" + i;
        for (int k = 0; k < perHistogram; k++) {
          double u = 1.0 - random.nextDouble();
          double latencyMs =
              50
                  * Math.exp(
                      Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble()));
          send(
              producer,
              service,
              now,
              String.format(
                  Locale.ROOT,
                  "\"type\":\"ack.received\",\"service\":\"%s\",\"latency_ms\":%.3f",
                  service,
                  latencyMs));
          sent++;
        }
      }
    }
    return sent;
  }

  private static void send(
      KafkaProducer<byte[], byte[]> producer, String service, long now, String fields) {
    String json =
        "{"
            + fields
            + ",\"schema_version\":1,\"instance\":\"i-1\",\"event_id\":\""
            + UUID.randomUUID()
            + "\",\"timestamp\":"
            + now
            + "}";
    producer.send(
        new ProducerRecord<>(
            TOPIC,
            null,
            now,
            service.getBytes(StandardCharsets.UTF_8),
            json.getBytes(StandardCharsets.UTF_8)));
  }

  /** Tally in this JVM: count everything, then measure heap and state directory. */
  private static void child(String bootstrap, Path state, long events, int series)
      throws Exception {
    String appId = "tally-footprint-" + UUID.randomUUID();
    TallyConfig config =
        TallyConfig.load(Optional.empty(), System.getenv())
            .with(TallyConfig.BOOTSTRAP_SERVERS, bootstrap)
            .with(TallyConfig.APPLICATION_ID, appId)
            .with(TallyConfig.STATE_DIR, state.toString())
            .with(TallyConfig.DLQ_TOPIC, appId + ".dlq")
            // Above the benchmark's series count: otherwise each metric stops at 10,000 live
            // series and the rest goes to its overflow series.
            .with(TallyConfig.SERIES_CAP, Integer.toString(Math.max(10_000, 2 * series)));
    long start = System.nanoTime();
    long deadline = System.currentTimeMillis() + TIMEOUT_MS;
    long counted = 0;
    long live = 0;
    try (TallyApp app = TallyApp.create(config)) {
      app.start();
      LocalMetricStores stores = app.stores();
      while (counted < events || live < series) {
        if (System.currentTimeMillis() > deadline) {
          throw new IllegalStateException(
              "timed out: " + counted + " of " + events + " events, " + live + " series");
        }
        Thread.sleep(1000); // each look reads every series; not too often, it shares the CPU
        long[] c = count(stores);
        counted = c[0];
        live = c[1];
      }
      System.out.printf(
          Locale.ROOT,
          "tally: %,d events counted, %,d catalog series live, in %.1f s%n",
          counted,
          live,
          (System.nanoTime() - start) / 1e9);
      for (int i = 0; i < 3; i++) {
        System.gc();
      }
      long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
      long running = treeBytes(state);
      System.out.printf(
          Locale.ROOT,
          "heap used after a forced GC: %.1f MB (Tally's JVM only); state dir while running: %.1f"
              + " MB%n",
          heap / 1048576.0,
          running / 1048576.0);
      System.out.printf(Locale.ROOT, "RESULT footprint_series %d series%n", live);
      System.out.printf(Locale.ROOT, "RESULT footprint_heap_mb %.1f MB%n", heap / 1048576.0);
    }
    long total = treeBytes(state);
    Map<String, Long> byStore = new TreeMap<>();
    try (Stream<Path> files = Files.walk(state)) {
      files
          .filter(Files::isRegularFile)
          .forEach(f -> byStore.merge(storeOf(state, f), size(f), Long::sum));
    }
    System.out.printf(
        Locale.ROOT,
        "state dir after close: %.1f MB for %,d series, %.2f MB per 10k series%n",
        total / 1048576.0,
        live,
        total / 1048576.0 / (live / 10_000.0));
    byStore.forEach(
        (store, bytes) ->
            System.out.printf(Locale.ROOT, "  %-40s %10.2f MB%n", store, bytes / 1048576.0));
    System.out.printf(Locale.ROOT, "RESULT footprint_state_mb %.1f MB%n", total / 1048576.0);
    System.out.printf(
        Locale.ROOT,
        "RESULT footprint_state_mb_per_10k %.2f MB%n",
        total / 1048576.0 / (live / 10_000.0));
  }

  /** Events counted ({@code tally_events_consumed_total}) and live catalog series. */
  private static long[] count(LocalMetricStores stores) {
    AtomicLong consumed = new AtomicLong();
    AtomicLong series = new AtomicLong();
    try {
      stores.cumulative(
          SeriesSelector.ALL,
          (k, v) -> {
            if (k.metric().equals("tally_events_consumed_total")) {
              consumed.addAndGet((long) v.value().total());
            } else if (!k.metric().startsWith("tally_")) {
              series.incrementAndGet();
            }
          });
    } catch (InvalidStateStoreException starting) {
      return new long[] {0, 0};
    }
    return new long[] {consumed.get(), series.get()};
  }

  /**
   * The store a file belongs to: {@code <app>/<task>/rocksdb/<store>/...} for key-value stores,
   * {@code <app>/<task>/<store>/<segment>/...} for segmented (window) stores; files directly in a
   * task directory are Kafka Streams' checkpoint and lock files.
   */
  private static String storeOf(Path state, Path file) {
    Path relative = state.relativize(file);
    if (relative.getNameCount() <= 3) {
      return "(checkpoints, locks, metadata)";
    }
    String first = relative.getName(2).toString();
    return first.equals("rocksdb") ? relative.getName(3).toString() : first;
  }

  private static long treeBytes(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(StateFootprintBenchmark::size).sum();
    }
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException gone) {
      return 0; // RocksDB removed it while we walked
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
