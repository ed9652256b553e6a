package dev.tally.streams.bench;

import dev.tally.loadgen.EventLoad;
import dev.tally.loadgen.GeneratedEvent;
import dev.tally.schemas.validation.EventParser;
import dev.tally.schemas.validation.ParseResult;
import dev.tally.streams.TallyApp;
import dev.tally.streams.config.TallyConfig;
import dev.tally.streams.query.LocalMetricStores;
import dev.tally.tools.kafka.LocalKafkaBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.errors.InvalidStateStoreException;

/**
 * Pipeline throughput, measured in one run on one broker and one topic set:
 *
 * <ul>
 *   <li>baseline: a plain consumer doing the same JSON parse and validation plus HashMap counting;
 *   <li>Tally with exactly_once_v2 (the default);
 *   <li>Tally with at_least_once.
 * </ul>
 *
 * The baseline is timed from start until every event is read; Tally from its first counted event
 * until every event is counted (start-up, i.e. group join and topic creation, is printed apart).
 * Run with {@code bench/pipeline.sh}; the ratios are what to compare across machines, not the
 * absolute rates. The last round's figures are also printed as {@code RESULT name value unit} lines
 * for {@code bench/all.sh}.
 */
public final class PipelineBenchmark {
  private PipelineBenchmark() {}

  public static void main(String[] args) throws Exception {
    int events = args.length > 0 ? Integer.parseInt(args[0]) : 300_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    // Third argument "profile": Tally with exactly-once only, for a profiler to look at.
    boolean profile = args.length > 2 && args[2].equals("profile");
    // The event times' spread: 8 minutes by default, a backlog over many 10 s windows, so few
    // updates share a partial; BENCH_EVENT_SPREAD_S=10 puts them in one or two windows, as live
    // traffic read as it arrives would be.
    Duration spread =
        Duration.ofSeconds(
            Long.parseLong(System.getenv().getOrDefault("BENCH_EVENT_SPREAD_S", "480")));
    try (LocalKafkaBroker broker = LocalKafkaBroker.builder().build().start()) {
      EventLoad load =
          EventLoad.builder()
              .seed(1)
              .startMs(System.currentTimeMillis() - Duration.ofMinutes(10).toMillis())
              .spreadMs(spread.toMillis())
              .build();
      load.topics().forEach(t -> broker.createTopic(t, 2));
      produce(broker.bootstrapServers(), load, events);
      System.out.printf(Locale.ROOT, "events: %d on %s%n", events, load.topics());
      if (profile) {
        System.out.printf(
            Locale.ROOT,
            "tally EOS %.0f ev/s%n",
            tally(broker.bootstrapServers(), events, "exactly_once_v2"));
        return;
      }
      for (int round = 1; round <= rounds; round++) {
        double baseline = baseline(broker.bootstrapServers(), events);
        double eos = tally(broker.bootstrapServers(), events, "exactly_once_v2");
        double alos = tally(broker.bootstrapServers(), events, "at_least_once");
        // The cost of deduplication (dedup.window): the same EOS run with it off.
        double eosNoDedup =
            tally(
                broker.bootstrapServers(), events, "exactly_once_v2", Map.of("dedup.window", "0"));
        System.out.printf(
            Locale.ROOT,
            "round %d: baseline %.0f ev/s, tally EOS %.0f ev/s, tally ALOS %.0f ev/s,"
                + " tally EOS without dedup %.0f ev/s; EOS/baseline %.2f, ALOS/baseline %.2f,"
                + " EOS/ALOS %.2f, EOS with/without dedup %.2f%n",
            round,
            baseline,
            eos,
            alos,
            eosNoDedup,
            eos / baseline,
            alos / baseline,
            eos / alos,
            eos / eosNoDedup);
        if (round == rounds) {
          result("pipeline_baseline", baseline, "ev/s");
          result("pipeline_eos", eos, "ev/s");
          result("pipeline_alos", alos, "ev/s");
          result("pipeline_eos_nodedup", eosNoDedup, "ev/s");
        }
      }
    }
  }

  private static void produce(String bootstrap, EventLoad load, int events) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < events; i++) {
        GeneratedEvent e = load.next();
        producer.send(new ProducerRecord<>(e.topic(), null, e.timestampMs(), null, e.json()));
      }
    }
  }

  /** A plain consumer: same parse and validation, counting per type and service in a HashMap. */
  private static double baseline(String bootstrap, int events) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "baseline-" + UUID.randomUUID());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    EventParser parser =
        new EventParser(
            dev.tally.schemas.validation.ValidationLimits.defaults(), Clock.systemUTC());
    Map<String, Long> counts = new HashMap<>();
    long start = System.nanoTime();
    long read = 0;
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(Pattern.compile("events\\..*"));
      while (read < events) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          ParseResult result = parser.parse(r.value());
          if (result instanceof ParseResult.Parsed parsed) {
            var env = parsed.event().envelope();
            counts.merge(env.type().wireName() + "|" + env.service(), 1L, Long::sum);
          }
          read++;
        }
      }
    }
    return events / seconds(start);
  }

  private static double tally(String bootstrap, int events, String guarantee) throws Exception {
    return tally(bootstrap, events, guarantee, Map.of());
  }

  private static double tally(
      String bootstrap, int events, String guarantee, Map<String, String> overrides)
      throws Exception {
    Path state = Files.createTempDirectory("tally-bench-");
    String appId = "tally-bench-" + UUID.randomUUID();
    // TALLY_* variables apply, so settings can be compared: TALLY_KAFKA_COMMIT_INTERVAL_MS=500.
    TallyConfig config =
        TallyConfig.load(Optional.empty(), System.getenv())
            .with(TallyConfig.BOOTSTRAP_SERVERS, bootstrap)
            .with(TallyConfig.APPLICATION_ID, appId)
            .with(TallyConfig.STATE_DIR, state.toString())
            .with(TallyConfig.DLQ_TOPIC, appId + ".dlq")
            .with(TallyConfig.PROCESSING_GUARANTEE, guarantee);
    for (Map.Entry<String, String> o : overrides.entrySet()) {
      config = config.with(o.getKey(), o.getValue());
    }
    long start = System.nanoTime();
    try (TallyApp app = TallyApp.create(config)) {
      app.start();
      LocalMetricStores stores = app.stores();
      long first = 0;
      long firstAt = 0;
      long counted;
      while ((counted = consumed(stores)) < events) {
        if (first == 0 && counted > 0) {
          first = counted;
          firstAt = System.nanoTime();
        }
        Thread.sleep(50);
      }
      double total = events / seconds(start);
      double steady = first == 0 ? total : (events - first) / seconds(firstAt);
      long partials = recordsWritten(bootstrap, appId + "-series-repartition");
      System.out.printf(
          Locale.ROOT,
          "  tally %s: %.0f ev/s from start, %.0f ev/s once counting (start-up %.1f s);"
              + " %d partials to the owners (%.2f per event)%n",
          guarantee,
          total,
          steady,
          first == 0 ? 0 : (firstAt - start) / 1e9,
          partials,
          (double) partials / events);
      return steady;
    }
  }

  /** Records ever written to {@code topic}: the sum of its partitions' end offsets. */
  private static long recordsWritten(String bootstrap, String topic) throws Exception {
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      int partitions =
          admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (int p = 0; p < partitions; p++) {
        latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
      }
      return admin.listOffsets(latest).all().get().values().stream()
          .mapToLong(ListOffsetsResultInfo::offset)
          .sum();
    }
  }

  private static long consumed(LocalMetricStores stores) {
    AtomicLong total = new AtomicLong();
    try {
      stores.cumulative(
          dev.tally.streams.query.SeriesSelector.ALL,
          (k, v) -> {
            if (k.metric().equals("tally_events_consumed_total")) {
              total.addAndGet((long) v.value().total());
            }
          });
    } catch (InvalidStateStoreException starting) {
      return 0;
    }
    return total.get();
  }

  private static void result(String name, double value, String unit) {
    System.out.printf(Locale.ROOT, "RESULT %s %.0f %s%n", name, value, unit);
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }
}
