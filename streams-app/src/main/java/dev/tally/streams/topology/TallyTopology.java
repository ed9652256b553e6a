package dev.tally.streams.topology;

import dev.tally.schemas.validation.EventParser;
import dev.tally.streams.catalog.GaugeMode;
import dev.tally.streams.catalog.MetricCatalog;
import dev.tally.streams.catalog.MetricDefinition;
import dev.tally.streams.commit.CommittedView;
import dev.tally.streams.config.Durations;
import dev.tally.streams.config.InvalidConfigException;
import dev.tally.streams.config.TallyConfig;
import dev.tally.streams.config.WindowSpec;
import dev.tally.streams.series.SeriesKey;
import dev.tally.streams.store.CommitBufferedStore;
import dev.tally.streams.store.DedupStore;
import dev.tally.streams.store.Partial;
import dev.tally.streams.store.StoreSerdes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

/**
 * Builds Tally's topology:
 *
 * <pre>
 * events.* ─▶ parse ─▶ map ─▶ route ─┬─ invalid ─▶ dead-letter ─▶ tally.dlq
 *                                    └─ valid ─┬─▶ pre-aggregate (dedup, lateness, caps, buffer;
 *                          invalid (counted) ──┘    stores pending, series-seen, source-clocks,
 *                                                   dedup)
 *   ─▶ series repartition ─▶ series-owner (stores cumulative, gauges, window-*, gauge-window-*)
 * </pre>
 *
 * <p>Parse and map are stateless and run once per record; the pre-aggregation writes nothing per
 * record: its buffer reaches its changelog once per commit ({@link CommitBufferedStore}).
 *
 * <p>Every processor, store and the repartition topic has a fixed name ({@link StoreNames}).
 */
public final class TallyTopology {
  private TallyTopology() {}

  /**
   *
   *
   * <pre>{@code
   * Topology topology = TallyTopology.build(config, catalog, parser);
   * new KafkaStreams(topology, config.streamsProperties()).start();
   * }</pre>
   */
  public static Topology build(TallyConfig config, MetricCatalog catalog, EventParser parser) {
    return build(config, catalog, parser, CommittedView.disabled());
  }

  /**
   * The topology whose owner stores report to {@code view}, so that readers see committed state
   * only; {@code view} must be the one the instance's {@link
   * dev.tally.streams.commit.CommitNotifyingClientSupplier} notifies.
   */
  public static Topology build(
      TallyConfig config, MetricCatalog catalog, EventParser parser, CommittedView view) {
    List<WindowSpec> windows = config.windows();
    EventMapper mapper = new EventMapper(catalog);
    checkRatioWindows(catalog, windows);
    StreamsBuilder builder = new StreamsBuilder();

    // The buffer holds partials as objects and writes each changed one to its changelog once per
    // commit; the changelog makes the buffer survive a crash under exactly-once.
    builder.addStateStore(
        CommitBufferedStore.builder(
            StoreNames.PENDING, StoreSerdes.pendingKey(), StoreSerdes.partial()));
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(StoreNames.SEEN),
                StoreSerdes.seriesKey(),
                Serdes.Long())
            .withCachingEnabled());
    builder.addStateStore(
        CommitBufferedStore.builder(StoreNames.SOURCE_CLOCKS, Serdes.String(), Serdes.Long()));
    Duration dedupWindow = config.dedupWindow();
    boolean dedup = !dedupWindow.isZero();
    if (dedup) {
      builder.addStateStore(DedupStore.builder(StoreNames.DEDUP, dedupWindow));
    }
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(StoreNames.CUMULATIVE),
                StoreSerdes.seriesKey(),
                StoreSerdes.cumulative())
            .withCachingEnabled());
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(StoreNames.GAUGES),
                StoreSerdes.gaugeKey(),
                StoreSerdes.gaugeSample())
            .withCachingEnabled());
    String[] ownerStores = new String[2 * windows.size() + 2];
    ownerStores[0] = StoreNames.CUMULATIVE;
    ownerStores[1] = StoreNames.GAUGES;
    for (int i = 0; i < windows.size(); i++) {
      WindowSpec spec = windows.get(i);
      builder.addStateStore(
          Stores.windowStoreBuilder(
                  Stores.persistentWindowStore(
                      StoreNames.window(spec), spec.retention(), spec.size(), false),
                  StoreSerdes.seriesKey(),
                  StoreSerdes.aggregate())
              .withCachingEnabled());
      ownerStores[i + 2] = StoreNames.window(spec);
      builder.addStateStore(
          Stores.windowStoreBuilder(
                  Stores.persistentWindowStore(
                      StoreNames.gaugeWindow(spec), spec.retention(), spec.size(), false),
                  StoreSerdes.seriesKey(),
                  StoreSerdes.gaugeWindow())
              .withCachingEnabled());
      ownerStores[windows.size() + i + 2] = StoreNames.gaugeWindow(spec);
    }

    KStream<byte[], byte[]> input =
        builder.stream(
            config.inputTopicPattern(),
            Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(StoreNames.SOURCE));

    long finestMs = windows.get(0).size().toMillis();
    Lateness lateness = new Lateness(windows, config.windowGrace(), config.eventMaxFutureSkew());
    List<String> preAggregateStores =
        new ArrayList<>(List.of(StoreNames.PENDING, StoreNames.SEEN, StoreNames.SOURCE_CLOCKS));
    if (dedup) {
      preAggregateStores.add(StoreNames.DEDUP);
    }
    KStream<byte[], Checked> checked =
        input
            .processValues(() -> new ParseStep(parser), Named.as(StoreNames.PARSE))
            .processValues(() -> new MapStep(mapper), Named.as(StoreNames.MAP));
    Map<String, KStream<byte[], Checked>> routes =
        checked
            .split(Named.as(StoreNames.ROUTE_SPLIT))
            .branch((key, value) -> value instanceof Checked.Invalid, Branched.as("dlq"))
            .defaultBranch(Branched.as("valid"));
    KStream<byte[], Checked> invalid = routes.get(StoreNames.ROUTE_SPLIT + "dlq");
    invalid
        .processValues(DeadLetters::new, Named.as(StoreNames.DEAD_LETTER))
        .to(
            config.dlqTopic(),
            Produced.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(StoreNames.DLQ_SINK));
    routes
        .get(StoreNames.ROUTE_SPLIT + "valid")
        // Rejected records reach the pre-aggregation too: they are counted there, like every
        // other consumed record.
        .merge(invalid, Named.as(StoreNames.COUNTED))
        .process(
            () ->
                new PreAggregator(
                    lateness,
                    finestMs,
                    config.flushInterval(),
                    dedupWindow,
                    config.gaugeTtl(),
                    config.seriesTtl()),
            Named.as(StoreNames.PRE_AGGREGATE),
            preAggregateStores.toArray(String[]::new))
        .repartition(
            Repartitioned.<SeriesKey, Partial>as(StoreNames.SERIES_REPARTITION)
                // Its own count, not derived from the input topics: Tally starts before any input
                // topic exists, and series keep their owner partition whatever topics come and go.
                .withNumberOfPartitions(config.seriesPartitions())
                .withStreamPartitioner(new SeriesPartitioner())
                .withKeySerde(StoreSerdes.seriesKey())
                .withValueSerde(StoreSerdes.partial()))
        .process(
            () ->
                new SeriesOwner(
                    windows,
                    config.gaugeTtl(),
                    config.seriesRetention(),
                    view,
                    metric ->
                        catalog
                            .metric(metric)
                            .map(MetricDefinition::gaugeMode)
                            .filter(mode -> mode == GaugeMode.DELTA)
                            .isPresent()),
            Named.as(StoreNames.OWNER),
            ownerStores);
    return builder.build();
  }

  private static void checkRatioWindows(MetricCatalog catalog, List<WindowSpec> windows) {
    catalog
        .ratios()
        .forEach(
            r -> {
              if (windows.stream().noneMatch(w -> w.size().equals(r.window()))) {
                throw new InvalidConfigException(
                    "catalog ratio '" + r.name() + "'",
                    "window "
                        + Durations.format(r.window())
                        + " is not one of the configured windows ("
                        + TallyConfig.WINDOWS
                        + ")");
              }
            });
  }
}
