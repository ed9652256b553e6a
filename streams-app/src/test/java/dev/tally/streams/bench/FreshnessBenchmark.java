package dev.tally.streams.bench;

import dev.tally.loadgen.EventLoad;
import dev.tally.loadgen.GeneratedEvent;
import dev.tally.streams.TallyApp;
import dev.tally.streams.config.TallyConfig;
import dev.tally.streams.query.LocalMetricStores;
import dev.tally.tools.kafka.LocalKafkaBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.errors.InvalidStateStoreException;

/**
 * Freshness: the time from producing an event to its series being readable in the stores that
 * {@code /metrics} renders at scrape time, under a steady background load. Each probe is an {@code
 * ack.received} event of a service name of its own, so its series appears exactly when that one
 * event has gone through the router, the repartition topic and the owner. Run with {@code
 * bench/freshness.sh}; {@code TALLY_*} variables apply. Also prints {@code RESULT name value unit}
 * lines for {@code bench/all.sh}.
 */
public final class FreshnessBenchmark {
  private FreshnessBenchmark() {}

  public static void main(String[] args) throws Exception {
    int probes = args.length > 0 ? Integer.parseInt(args[0]) : 100;
    int backgroundPerSecond = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
    try (LocalKafkaBroker broker = LocalKafkaBroker.builder().build().start()) {
      EventLoad load = EventLoad.builder().seed(3).build();
      load.topics().forEach(t -> broker.createTopic(t, 2));
      Path state = Files.createTempDirectory("tally-fresh-");
      String appId = "tally-fresh-" + UUID.randomUUID();
      TallyConfig config =
          TallyConfig.load(Optional.empty(), System.getenv())
              .with(TallyConfig.BOOTSTRAP_SERVERS, broker.bootstrapServers())
              .with(TallyConfig.APPLICATION_ID, appId)
              .with(TallyConfig.STATE_DIR, state.toString())
              .with(TallyConfig.DLQ_TOPIC, appId + ".dlq");
      Properties props = new Properties();
      props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
      props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
      try (TallyApp app = TallyApp.create(config);
          KafkaProducer<byte[], byte[]> producer =
              new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
        app.start();
        LocalMetricStores stores = app.stores();
        Thread background = background(producer, load, backgroundPerSecond);
        Thread.sleep(10_000); // warm-up: group joined, JIT warm, steady load flowing
        List<Double> latenciesMs = new ArrayList<>();
        for (int i = 0; i < probes; i++) {
          String service = "probe-" + UUID.randomUUID().toString().substring(0, 8);
          long sent = System.nanoTime();
          long now = System.currentTimeMillis();
          String json =
              "{\"type\":\"ack.received\",\"schema_version\":1,\"service\":\""
                  + service
                  + "\",\"instance\":\"p\",\"event_id\":\""
                  + service
                  + "\",\"timestamp\":"
                  + now
                  + ",\"latency_ms\":1}";
          producer.send(
              new ProducerRecord<>(
                  "events.im-gateway", null, now, null, json.getBytes(StandardCharsets.UTF_8)));
          while (!visible(stores, service)) {
            Thread.sleep(5);
          }
          latenciesMs.add((System.nanoTime() - sent) / 1e6);
          Thread.sleep(137); // probes land at different points of the flush and commit cycles
        }
        background.interrupt();
        latenciesMs.sort(Double::compare);
        System.out.printf(
            Locale.ROOT,
            "probes %d, background %d ev/s: p50 %.0f ms, p90 %.0f ms, p99 %.0f ms, max %.0f ms%n",
            probes,
            backgroundPerSecond,
            rank(latenciesMs, 0.5),
            rank(latenciesMs, 0.9),
            rank(latenciesMs, 0.99),
            latenciesMs.get(latenciesMs.size() - 1));
        System.out.printf(
            Locale.ROOT,
            "RESULT freshness_p50 %.0f ms%nRESULT freshness_p90 %.0f ms%n"
                + "RESULT freshness_p99 %.0f ms%nRESULT freshness_max %.0f ms%n",
            rank(latenciesMs, 0.5),
            rank(latenciesMs, 0.9),
            rank(latenciesMs, 0.99),
            latenciesMs.get(latenciesMs.size() - 1));
      }
    }
  }

  private static boolean visible(LocalMetricStores stores, String service) {
    Set<String> found = new HashSet<>();
    try {
      stores.cumulative(
          dev.tally.streams.query.SeriesSelector.ALL,
          (k, v) -> {
            if (k.metric().equals("ack_received_total")
                && service.equals(k.labels().get("service"))) {
              found.add(service);
            }
          });
    } catch (InvalidStateStoreException rebalancing) {
      return false;
    }
    return !found.isEmpty();
  }

  private static Thread background(
      KafkaProducer<byte[], byte[]> producer, EventLoad load, int perSecond) {
    Thread t =
        new Thread(
            () -> {
              long intervalNanos = 1_000_000_000L / perSecond;
              long next = System.nanoTime();
              while (!Thread.currentThread().isInterrupted()) {
                GeneratedEvent e = load.nextAt(System.currentTimeMillis());
                producer.send(
                    new ProducerRecord<>(e.topic(), null, e.timestampMs(), null, e.json()));
                next += intervalNanos;
                long sleep = next - System.nanoTime();
                if (sleep > 0) {
                  try {
                    Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
                  } catch (InterruptedException ex) {
                    return;
                  }
                }
              }
            },
            "background-load");
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static double rank(List<Double> sorted, double q) {
    return sorted.get((int) Math.ceil(q * sorted.size()) - 1);
  }
}
