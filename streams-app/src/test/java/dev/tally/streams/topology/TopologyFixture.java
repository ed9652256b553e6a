package dev.tally.streams.topology;

import dev.tally.loadgen.GeneratedEvent;
import dev.tally.streams.TallyApp;
import dev.tally.streams.catalog.MetricCatalog;
import dev.tally.streams.config.TallyConfig;
import dev.tally.streams.config.WindowSpec;
import dev.tally.streams.query.AggregateValue;
import dev.tally.streams.query.CumulativeValue;
import dev.tally.streams.query.MetricStores;
import dev.tally.streams.query.SeriesSelector;
import dev.tally.streams.series.SeriesKey;
import dev.tally.streams.store.Aggregate;
import dev.tally.streams.store.Cumulative;
import dev.tally.streams.store.GaugeKey;
import dev.tally.streams.store.GaugeSample;
import dev.tally.streams.store.GaugeWindow;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.BiConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;

/** A {@link TopologyTestDriver} around Tally's topology with helpers to feed and inspect it. */
final class TopologyFixture implements AutoCloseable {
  static final Instant START = Instant.parse("2026-11-23T10:00:00Z");

  final TallyConfig config;
  private long wallClock = START.toEpochMilli();
  final MetricCatalog catalog;
  final TopologyTestDriver driver;
  private final Map<String, TestInputTopic<byte[], byte[]>> inputs = new HashMap<>();
  final TestOutputTopic<byte[], byte[]> dlq;

  TopologyFixture(Path stateDir, Map<String, String> overrides, Optional<Path> catalogFile) {
    Map<String, String> settings = new HashMap<>(overrides);
    settings.put(TallyConfig.STATE_DIR, stateDir.toString());
    settings.put(TallyConfig.APPLICATION_ID, "tally-test");
    settings.put(TallyConfig.BOOTSTRAP_SERVERS, "unused:9092");
    this.config = TallyConfig.fromMap(settings);
    this.catalog = MetricCatalog.load(catalogFile, config.seriesCap());
    // The parser's clock sits well after the generated events so none is "in the future".
    Clock clock = Clock.fixed(START.plus(Duration.ofHours(2)), ZoneOffset.UTC);
    Properties props = config.streamsProperties();
    this.driver =
        new TopologyTestDriver(
            TallyTopology.build(config, catalog, TallyApp.parser(config, clock)), props, START);
    this.dlq =
        driver.createOutputTopic(
            config.dlqTopic(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  TopologyFixture(Path stateDir) {
    this(stateDir, Map.of(), Optional.empty());
  }

  /** Pipes events in event-time order, flushing the pre-aggregation every {@code batch} events. */
  void pipeInOrder(List<GeneratedEvent> events, int batch) {
    List<GeneratedEvent> sorted =
        events.stream().sorted(Comparator.comparingLong(GeneratedEvent::timestampMs)).toList();
    int n = 0;
    for (GeneratedEvent e : sorted) {
      pipe(e.topic(), e.json(), e.timestampMs());
      if (++n % batch == 0) {
        flush();
      }
    }
    flush();
  }

  void pipe(String topic, byte[] value, long timestampMs) {
    inputs
        .computeIfAbsent(
            topic,
            t -> driver.createInputTopic(t, new ByteArraySerializer(), new ByteArraySerializer()))
        .pipeInput(null, value, timestampMs);
  }

  void pipe(String topic, String json, long timestampMs) {
    pipe(topic, json.getBytes(StandardCharsets.UTF_8), timestampMs);
  }

  /** Tally's (the driver's) wall clock now, epoch ms. */
  long wallClockMs() {
    return wallClock;
  }

  /** Moves Tally's wall clock on by {@code by}, running the punctuations that fall due. */
  void advanceWallClock(Duration by) {
    wallClock += by.toMillis();
    driver.advanceWallClockTime(by);
  }

  /** Lets the wall-clock punctuation forward every buffered partial to the owners. */
  void flush() {
    wallClock += config.flushInterval().toMillis();
    driver.advanceWallClockTime(config.flushInterval());
  }

  Map<String, Cumulative> cumulative() {
    KeyValueStore<SeriesKey, Cumulative> store = driver.getKeyValueStore(StoreNames.CUMULATIVE);
    Map<String, Cumulative> result = new HashMap<>();
    try (KeyValueIterator<SeriesKey, Cumulative> all = store.all()) {
      all.forEachRemaining(kv -> result.put(kv.key.toString(), kv.value));
    }
    return result;
  }

  Map<String, Double> counterTotals(String metricPrefix) {
    Map<String, Double> result = new HashMap<>();
    cumulative()
        .forEach(
            (key, value) -> {
              if (key.startsWith(metricPrefix) && !value.aggregate().isHistogram()) {
                result.put(key, value.aggregate().total());
              }
            });
    return result;
  }

  /** Every window of a resolution as (series, window start) → aggregate. */
  Map<KeyValue<String, Long>, Aggregate> windows(String storeName) {
    WindowStore<SeriesKey, Aggregate> store = driver.getWindowStore(storeName);
    Map<KeyValue<String, Long>, Aggregate> result = new HashMap<>();
    try (KeyValueIterator<Windowed<SeriesKey>, Aggregate> all = store.all()) {
      all.forEachRemaining(
          kv ->
              result.put(
                  KeyValue.pair(kv.key.key().toString(), kv.key.window().start()), kv.value));
    }
    return result;
  }

  Map<GaugeKey, GaugeSample> gauges() {
    KeyValueStore<GaugeKey, GaugeSample> store = driver.getKeyValueStore(StoreNames.GAUGES);
    Map<GaugeKey, GaugeSample> result = new HashMap<>();
    try (KeyValueIterator<GaugeKey, GaugeSample> all = store.all()) {
      all.forEachRemaining(kv -> result.put(kv.key, kv.value));
    }
    return result;
  }

  /** The stores behind the query interface the exporter and the API use. */
  MetricStores stores() {
    return new MetricStores() {
      @Override
      public void cumulative(
          SeriesSelector selector, BiConsumer<SeriesKey, CumulativeValue> visitor) {
        KeyValueStore<SeriesKey, Cumulative> store = driver.getKeyValueStore(StoreNames.CUMULATIVE);
        try (KeyValueIterator<SeriesKey, Cumulative> all = store.all()) {
          all.forEachRemaining(
              kv -> {
                if (selector.matches(kv.key)) {
                  visitor.accept(kv.key, CumulativeValue.of(kv.value));
                }
              });
        }
      }

      @Override
      public void gauges(SeriesSelector selector, BiConsumer<GaugeKey, GaugeSample> visitor) {
        TopologyFixture.this
            .gauges()
            .forEach(
                (key, sample) -> {
                  if (selector.matches(key.series())) {
                    visitor.accept(key, sample);
                  }
                });
      }

      @Override
      public void gaugeWindows(
          WindowSpec spec,
          long fromStartMs,
          long toStartMs,
          SeriesSelector selector,
          GaugeWindowVisitor visitor) {
        WindowStore<SeriesKey, GaugeWindow> store =
            driver.getWindowStore(StoreNames.gaugeWindow(spec));
        try (KeyValueIterator<Windowed<SeriesKey>, GaugeWindow> all = store.all()) {
          all.forEachRemaining(
              kv -> {
                long start = kv.key.window().start();
                if (start >= fromStartMs && start <= toStartMs && selector.matches(kv.key.key())) {
                  visitor.accept(kv.key.key(), start, kv.value);
                }
              });
        }
      }

      @Override
      public void windows(
          WindowSpec spec,
          long fromStartMs,
          long toStartMs,
          SeriesSelector selector,
          WindowVisitor visitor) {
        WindowStore<SeriesKey, Aggregate> store = driver.getWindowStore(StoreNames.window(spec));
        try (KeyValueIterator<Windowed<SeriesKey>, Aggregate> all = store.all()) {
          all.forEachRemaining(
              kv -> {
                long start = kv.key.window().start();
                if (start >= fromStartMs && start <= toStartMs && selector.matches(kv.key.key())) {
                  visitor.accept(kv.key.key(), start, AggregateValue.of(kv.value));
                }
              });
        }
      }
    };
  }

  @Override
  public void close() {
    driver.close();
  }
}
