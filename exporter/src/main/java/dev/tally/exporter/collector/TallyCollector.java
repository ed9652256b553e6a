package dev.tally.exporter.collector;

import dev.tally.exporter.collector.SkippedSeries.Reason;
import dev.tally.exporter.exposition.CatalogFamily;
import dev.tally.exporter.exposition.CatalogFamily.Sample;
import dev.tally.exporter.exposition.Names;
import dev.tally.streams.catalog.MetricCatalog;
import dev.tally.streams.catalog.MetricDefinition;
import dev.tally.streams.catalog.MetricType;
import dev.tally.streams.catalog.RatioDefinition;
import dev.tally.streams.catalog.SelfMetrics;
import dev.tally.streams.config.WindowSpec;
import dev.tally.streams.query.AggregateValue;
import dev.tally.streams.query.CumulativeValue;
import dev.tally.streams.query.Gauges;
import dev.tally.streams.query.MetricStores;
import dev.tally.streams.query.Ratios;
import dev.tally.streams.query.SeriesSelector;
import dev.tally.streams.series.SeriesKey;
import dev.tally.streams.topology.StoreNames;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.PrometheusNaming;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renders Tally's stores as Prometheus metric families, read fresh at every scrape: counters and
 * histograms from the cumulative store (with their created timestamps), gauges summed over their
 * live sources, and one gauge per derived ratio for the last closed window. Names, help, type and
 * unit come from the catalog.
 *
 * <p>A series that cannot be exposed (a NaN total, a histogram where the catalog says counter, a
 * metric the catalog no longer has) is left out and counted in {@code
 * tally_scrape_series_skipped_total}; it never fails the scrape. While the stores are not queryable
 * (rebalancing, restoring) the store-backed families are absent and {@code tally_stores_queryable}
 * is 0.
 *
 * <pre>{@code
 * PrometheusRegistry registry = new PrometheusRegistry();
 * registry.register(
 *     TallyCollector.builder()
 *         .stores(app.stores())
 *         .catalog(app.catalog())
 *         .config(app.config())
 *         .build());
 * }</pre>
 */
public final class TallyCollector implements MultiCollector {
  static final String STORES_QUERYABLE = "tally_stores_queryable";
  static final String STORE_ENTRIES = "tally_store_entries";
  static final String LIVE_SERIES = "tally_live_series";

  private static final Logger LOG = LoggerFactory.getLogger(TallyCollector.class);

  private final MetricStores stores;
  private final MetricCatalog catalog;
  private final Duration gaugeTtl;
  private final long seriesTtlMs;
  private final Duration windowGrace;
  private final List<WindowSpec> windows;
  private final Clock clock;
  private final Map<String, MetricDefinition> selfMetrics = new LinkedHashMap<>();
  private final Map<String, MetricDefinition> catalogMetrics = new LinkedHashMap<>();
  private final SkippedSeries skipped;
  private final BooleanSupplier ratiosComplete;

  private TallyCollector(Builder b) {
    this.stores = Objects.requireNonNull(b.stores, "stores");
    this.catalog = Objects.requireNonNull(b.catalog, "catalog");
    this.gaugeTtl = Objects.requireNonNull(b.gaugeTtl, "gaugeTtl");
    this.seriesTtlMs = b.seriesTtl.toMillis();
    this.windowGrace = Objects.requireNonNull(b.windowGrace, "windowGrace");
    this.windows = List.copyOf(b.windows);
    this.clock = Objects.requireNonNull(b.clock, "clock");
    this.skipped = new SkippedSeries(clock);
    this.ratiosComplete = b.ratiosComplete;
    SelfMetrics.all().forEach(m -> selfMetrics.put(m.name(), m));
    catalog.metrics().forEach(m -> catalogMetrics.put(m.name(), m));
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public MetricSnapshots collect() {
    return read().snapshots();
  }

  /**
   * Reads the stores once for one scrape; the result becomes client_java snapshots or, faster, is
   * written straight in the scrape's format ({@link ScrapeReading#catalog()}).
   */
  public ScrapeReading read() {
    Scrape scrape = new Scrape(clock.millis());
    boolean queryable;
    try {
      scrape.readStores();
      queryable = true;
    } catch (InvalidStateStoreException e) {
      // Rebalancing or restoring: nothing is exposed rather than a partial, misleading picture.
      queryable = false;
    } catch (RuntimeException e) {
      LOG.warn("Cannot read Tally's stores for this scrape; store-backed metrics are left out", e);
      queryable = false;
    }
    return scrape.reading(queryable);
  }

  /** The families and counts of one scrape; confined to the scraping thread. */
  private final class Scrape {
    private final long nowMs;
    private final Map<String, CatalogFamily> counters = new HashMap<>();
    private final Map<String, CatalogFamily> histograms = new HashMap<>();
    private final Map<String, CatalogFamily> gauges = new HashMap<>();
    private final List<CatalogFamily> ratios = new ArrayList<>();

    /** Tally's own counters, summed over the local tasks that count them. */
    private final Map<SeriesKey, SelfTotal> selfTotals = new LinkedHashMap<>();

    /** Series per metric; a hash map, as it is touched once per series. */
    private final Map<String, int[]> liveSeries = new HashMap<>();

    private final CountingStores counted = new CountingStores(stores);

    Scrape(long nowMs) {
      this.nowMs = nowMs;
    }

    void readStores() {
      counted.cumulative(SeriesSelector.ALL, this::addCumulative);
      Gauges.live(counted, catalog, gaugeTtl, nowMs).forEach(this::addGauge);
      // A ratio sums its numerator and denominator over every series partition: computed from a
      // share of them it would be wrong, so an instance that does not own them all exports none.
      if (ratiosComplete.getAsBoolean()) {
        for (RatioDefinition ratio : catalog.ratios()) {
          addRatio(ratio);
        }
      }
    }

    private void addCumulative(SeriesKey key, CumulativeValue cumulative) {
      if (seriesTtlMs > 0 && cumulative.seenMs() + seriesTtlMs < nowMs) {
        return; // idle past series.ttl: kept in the store, left out of the scrape
      }
      String metric = key.metric();
      if (selfMetrics.containsKey(metric)) {
        addSelf(key, cumulative);
        return;
      }
      liveSeries.computeIfAbsent(metric, m -> new int[1])[0]++;
      MetricDefinition definition = catalogMetrics.get(metric);
      if (definition == null) {
        skipped.skip(metric, Reason.UNKNOWN_METRIC, key.toString(), null);
        return;
      }
      try {
        AggregateValue aggregate = cumulative.value();
        if (definition.type() == MetricType.COUNTER && !aggregate.isHistogram()) {
          Points.checkLabelNames(key, false);
          Points.checkCounter(aggregate.total());
          add(
              counters.computeIfAbsent(metric, m -> family(definition)),
              new Sample(key, aggregate.total(), null, cumulative.createdMs()));
        } else if (definition.type() == MetricType.HISTOGRAM && aggregate.isHistogram()) {
          Points.checkLabelNames(key, true);
          Points.checkHistogram(aggregate.histogram());
          add(
              histograms.computeIfAbsent(metric, m -> family(definition)),
              new Sample(key, 0, aggregate.histogram(), cumulative.createdMs()));
        } else {
          skipped.skip(metric, Reason.TYPE_MISMATCH, key.toString(), null);
        }
      } catch (Points.InvalidValueException e) {
        skipped.skip(metric, Reason.INVALID_VALUE, key.toString(), e);
      } catch (RuntimeException e) {
        skipped.skip(metric, Reason.CONVERSION_ERROR, key.toString(), e);
      }
    }

    /** Tally's own counters may appear once per local task; the exposed value is their sum. */
    private void addSelf(SeriesKey key, CumulativeValue cumulative) {
      try {
        double total = cumulative.value().total();
        SelfTotal sum = selfTotals.computeIfAbsent(key, k -> new SelfTotal());
        sum.total += total;
        sum.createdMs = Math.min(sum.createdMs, cumulative.createdMs());
      } catch (RuntimeException e) {
        skipped.skip(key.metric(), Reason.CONVERSION_ERROR, key.toString(), e);
      }
    }

    private void addGauge(SeriesKey key, double value) {
      String metric = key.metric();
      liveSeries.computeIfAbsent(metric, m -> new int[1])[0]++;
      MetricDefinition definition = catalogMetrics.get(metric);
      if (definition == null) {
        skipped.skip(metric, Reason.UNKNOWN_METRIC, key.toString(), null);
        return;
      }
      if (definition.type() != MetricType.GAUGE) {
        skipped.skip(metric, Reason.TYPE_MISMATCH, key.toString(), null);
        return;
      }
      try {
        Points.checkLabelNames(key, false);
        Points.checkGauge(value);
        add(
            gauges.computeIfAbsent(metric, m -> family(definition)),
            new Sample(key, value, null, 0));
      } catch (Points.InvalidValueException e) {
        skipped.skip(metric, Reason.INVALID_VALUE, key.toString(), e);
      } catch (RuntimeException e) {
        skipped.skip(metric, Reason.CONVERSION_ERROR, key.toString(), e);
      }
    }

    private void addRatio(RatioDefinition ratio) {
      WindowSpec window =
          windows.stream().filter(w -> w.size().equals(ratio.window())).findFirst().orElse(null);
      if (window == null) {
        // The topology refuses such a catalog at start-up; a collector built by hand may not.
        skipped.skip(ratio.name(), Reason.UNKNOWN_METRIC, ratio.name(), null);
        return;
      }
      long startMs = Ratios.lastClosedWindowStart(window.size(), windowGrace, nowMs);
      CatalogFamily family = new CatalogFamily(ratio.name(), MetricType.GAUGE, ratio.help(), null);
      Ratios.compute(ratio, window, startMs, stores)
          .forEach(
              (key, value) -> {
                try {
                  Points.checkLabelNames(key, false);
                  Points.checkGauge(value);
                  add(family, new Sample(key, value, null, 0));
                } catch (Points.InvalidValueException e) {
                  skipped.skip(ratio.name(), Reason.INVALID_VALUE, key.toString(), e);
                } catch (RuntimeException e) {
                  skipped.skip(ratio.name(), Reason.CONVERSION_ERROR, key.toString(), e);
                }
              });
      ratios.add(family);
    }

    ScrapeReading reading(boolean queryable) {
      // Tally's own families come first: a catalog metric that happens to share a name loses.
      List<MetricSnapshot> own = new ArrayList<>();
      own.add(
          GaugeSnapshot.builder()
              .name(STORES_QUERYABLE)
              .help("1 when this instance could read its local stores for this scrape, else 0.")
              .dataPoint(point(Labels.EMPTY, queryable ? 1 : 0))
              .build());
      List<CatalogFamily> families = new ArrayList<>();
      if (queryable) {
        own.add(storeEntries());
        own.add(liveSeries());
        own.addAll(selfFamilies());
        own.removeIf(Objects::isNull);
        Set<String> taken = new HashSet<>();
        taken.add(Names.counterBaseName(SkippedSeries.NAME));
        own.forEach(f -> taken.add(f.getMetadata().getPrometheusName()));
        for (MetricDefinition definition : catalogMetrics.values()) {
          String name = definition.name();
          addUnlessTaken(counters.get(name), taken, families);
          addUnlessTaken(histograms.get(name), taken, families);
          addUnlessTaken(gauges.get(name), taken, families);
        }
        ratios.forEach(r -> addUnlessTaken(r, taken, families));
      }
      return new ScrapeReading(own, families, skipped);
    }

    private void addUnlessTaken(
        CatalogFamily family, Set<String> taken, List<CatalogFamily> families) {
      if (family == null || family.samples().isEmpty()) {
        return;
      }
      String name =
          family.type() == MetricType.COUNTER
              ? Names.counterBaseName(family.name())
              : family.name();
      Reason refused = null;
      RuntimeException cause = null;
      try {
        // The family's metadata as client_java would take it, checked here once so that every
        // format refuses the same families. The catalog only admits classic names, which the
        // text writer relies on.
        new MetricMetadata(name, family.help(), Names.unit(family.unit()));
        if (!PrometheusNaming.isValidLegacyMetricName(name)) {
          throw new IllegalArgumentException(name + " is not a classic Prometheus name");
        }
        if (!taken.add(name)) {
          refused = Reason.NAME_CLASH;
        }
      } catch (RuntimeException e) {
        refused = Reason.CONVERSION_ERROR;
        cause = e;
      }
      if (refused == null) {
        families.add(family);
        return;
      }
      for (Sample sample : family.samples()) {
        skipped.skip(family.name(), refused, sample.key().toString(), cause);
      }
    }

    private MetricSnapshot storeEntries() {
      return GaugeSnapshot.builder()
          .name(STORE_ENTRIES)
          .help("Entries this instance read from each local store during the scrape.")
          .dataPoint(point(Labels.of("store", StoreNames.CUMULATIVE), counted.cumulativeEntries()))
          .dataPoint(point(Labels.of("store", StoreNames.GAUGES), counted.gaugeEntries()))
          .build();
    }

    private MetricSnapshot liveSeries() {
      selfTotals
          .keySet()
          .forEach(k -> liveSeries.computeIfAbsent(k.metric(), m -> new int[1])[0]++);
      if (liveSeries.isEmpty()) {
        return null;
      }
      GaugeSnapshot.Builder family =
          GaugeSnapshot.builder()
              .name(LIVE_SERIES)
              .help(
                  "Series of each metric held by this instance: totals of counters and histograms,"
                      + " gauges reported within gauge.ttl.");
      // client_java sorts the points by label.
      liveSeries.forEach(
          (metric, count) -> family.dataPoint(point(Labels.of("metric", metric), count[0])));
      return family.build();
    }

    private List<MetricSnapshot> selfFamilies() {
      Map<String, CatalogFamily> families = new LinkedHashMap<>();
      selfMetrics
          .values()
          .forEach(
              m -> families.put(m.name(), new CatalogFamily(m.name(), m.type(), m.help(), null)));
      selfTotals.forEach(
          (key, sum) -> {
            try {
              Points.checkLabelNames(key, false);
              Points.checkCounter(sum.total);
              add(families.get(key.metric()), new Sample(key, sum.total, null, sum.createdMs));
            } catch (Points.InvalidValueException e) {
              skipped.skip(key.metric(), Reason.INVALID_VALUE, key.toString(), e);
            } catch (RuntimeException e) {
              skipped.skip(key.metric(), Reason.CONVERSION_ERROR, key.toString(), e);
            }
          });
      List<MetricSnapshot> built = new ArrayList<>();
      families.values().forEach(f -> built.add(Snapshots.of(f, skipped)));
      return built;
    }

    private GaugeDataPointSnapshot point(Labels labels, double value) {
      return new GaugeDataPointSnapshot(value, labels, null);
    }

    /** Adds a checked sample; a second series with the same labels is left out and counted. */
    private void add(CatalogFamily family, Sample sample) {
      if (!family.add(sample)) {
        skipped.skip(family.name(), Reason.DUPLICATE_SERIES, sample.key().toString(), null);
      }
    }

    private CatalogFamily family(MetricDefinition definition) {
      return new CatalogFamily(
          definition.name(), definition.type(), definition.help(), definition.unit());
    }
  }

  private static final class SelfTotal {
    private double total;
    private long createdMs = Long.MAX_VALUE;
  }

  /**
   * Builds a {@link TallyCollector}; {@link #config} fills the durations and windows from Tally's
   * configuration.
   */
  public static final class Builder {
    private MetricStores stores;
    private MetricCatalog catalog;
    private Duration gaugeTtl = Duration.ofMinutes(5);
    private Duration seriesTtl = Duration.ZERO;
    private Duration windowGrace = Duration.ofSeconds(30);
    private List<WindowSpec> windows = List.of();
    private Clock clock = Clock.systemUTC();
    private BooleanSupplier ratiosComplete = () -> true;

    private Builder() {}

    /**
     * Whether the stores hold every series partition, asked at each scrape: the derived ratios are
     * exported only then (default: always, for stores that hold everything).
     */
    public Builder ratiosWhen(BooleanSupplier ownsEverySeriesPartition) {
      this.ratiosComplete = Objects.requireNonNull(ownsEverySeriesPartition);
      return this;
    }

    public Builder stores(MetricStores stores) {
      this.stores = stores;
      return this;
    }

    public Builder catalog(MetricCatalog catalog) {
      this.catalog = catalog;
      return this;
    }

    /** Gauge TTL, window grace and windows from {@code config}. */
    public Builder config(dev.tally.streams.config.TallyConfig config) {
      return gaugeTtl(config.gaugeTtl())
          .seriesTtl(config.seriesTtl())
          .windowGrace(config.windowGrace())
          .windows(config.windows());
    }

    public Builder gaugeTtl(Duration gaugeTtl) {
      this.gaugeTtl = gaugeTtl;
      return this;
    }

    /** Series with no update for this long are left out of the scrape; 0 (default) keeps all. */
    public Builder seriesTtl(Duration seriesTtl) {
      this.seriesTtl = seriesTtl;
      return this;
    }

    public Builder windowGrace(Duration windowGrace) {
      this.windowGrace = windowGrace;
      return this;
    }

    public Builder windows(List<WindowSpec> windows) {
      this.windows = windows;
      return this;
    }

    /** The clock that decides gauge expiry and the last closed window. */
    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    public TallyCollector build() {
      return new TallyCollector(this);
    }
  }
}
