package dev.tally.exporter.collector;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.exporter.FakeMetricStores;
import dev.tally.streams.catalog.MetricCatalog;
import dev.tally.streams.config.TallyConfig;
import dev.tally.streams.config.WindowSpec;
import dev.tally.streams.histogram.Histogram;
import dev.tally.streams.query.Ratios;
import dev.tally.streams.store.Aggregate;
import dev.tally.streams.store.Cumulative;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.junit.jupiter.api.Test;

/** Golden OpenMetrics text for every kind of family the collector builds from the stores. */
public class TallyCollectorTest {
  public static final long NOW = 1_763_892_125_000L; // 2025-11-23T10:02:05Z
  public static final long CREATED = 1_763_892_000_000L; // 2025-11-23T10:00:00Z
  public static final TallyConfig CONFIG = TallyConfig.fromMap(Map.of());
  public static final MetricCatalog CATALOG = MetricCatalog.builtin(10_000);

  private final FakeMetricStores stores = new FakeMetricStores();

  @Test
  void shouldExposeCounterWithItsCreatedTimestamp() {
    stores
        .counter("ack_received_total", 3, CREATED, "service", "im-gateway")
        .counter("ack_received_total", 12, CREATED + 1_500, "service", "media-gateway");

    assertThat(render("ack_received"))
        .isEqualTo(
            """
            # TYPE ack_received counter
            # HELP ack_received ACKs received from clients.
            ack_received_total{service="im-gateway"} 3.0
            ack_received_created{service="im-gateway"} 1763892000.000
            ack_received_total{service="media-gateway"} 12.0
            ack_received_created{service="media-gateway"} 1763892001.500
            # EOF
            """);
  }

  @Test
  void shouldLeaveOutSeriesIdleForLongerThanTheSeriesTtl() {
    Aggregate one = Aggregate.counter();
    one.add(1);
    long seriesTtl = CONFIG.seriesTtl().toMillis();
    stores
        .cumulative(
            FakeMetricStores.key("ack_received_total", "service", "fresh"),
            new Cumulative(CREATED, CREATED, NOW - seriesTtl, one))
        .cumulative(
            FakeMetricStores.key("ack_received_total", "service", "idle"),
            new Cumulative(CREATED, CREATED, NOW - seriesTtl - 1, one.copy()));

    String text = render("ack_received");
    assertThat(text).contains("service=\"fresh\"").doesNotContain("service=\"idle\"");
  }

  @Test
  void shouldExposeGaugesSummedOverLiveSourcesOnly() {
    long fresh = NOW - 1_000;
    long expired = NOW - Duration.ofMinutes(6).toMillis(); // gauge.ttl is 5m
    stores
        .gauge("queue_depth", "worker/w-1", 7, fresh, "service", "worker", "queue", "jobs")
        .gauge("queue_depth", "worker/w-2", 5, fresh, "service", "worker", "queue", "jobs")
        .gauge("queue_depth", "worker/w-3", 100, expired, "service", "worker", "queue", "jobs")
        .gauge("connections_active", "gw/gw-1", 4, fresh, "service", "gw")
        .gauge("connections_active", "gw/gw-2", -2, fresh, "service", "gw")
        .gauge("cache_size_bytes", "gw/gw-1", 1024, fresh, "service", "gw", "cache", "redis");

    assertThat(render("queue_depth", "connections_active", "cache_size_bytes"))
        .isEqualTo(
            """
            # TYPE cache_size_bytes gauge
            # UNIT cache_size_bytes bytes
            # HELP cache_size_bytes Size of the cache as last reported by each instance, summed.
            cache_size_bytes{cache="redis",service="gw"} 1024.0
            # TYPE connections_active gauge
            # HELP connections_active Open connections (opened minus closed per instance, never negative), summed.
            connections_active{service="gw"} 4.0
            # TYPE queue_depth gauge
            # HELP queue_depth Jobs waiting in a queue (also the offline-message backlog), summed over instances.
            queue_depth{queue="jobs",service="worker"} 12.0
            # EOF
            """);
  }

  @Test
  void shouldExposeHistogramWithClassicBucketsSumCountAndCreated() {
    Histogram latency = latencies(0.004, 0.012, 0.012, 0.3, 7.5, 42);
    stores.histogram("ack_latency_seconds", latency, CREATED, "service", "im-gateway");

    assertThat(render("ack_latency_seconds"))
        .isEqualTo(
            """
            # TYPE ack_latency_seconds histogram
            # UNIT ack_latency_seconds seconds
            # HELP ack_latency_seconds Time from delivery to ACK.
            ack_latency_seconds_bucket{service="im-gateway",le="0.001"} 0
            ack_latency_seconds_bucket{service="im-gateway",le="0.0025"} 0
            ack_latency_seconds_bucket{service="im-gateway",le="0.005"} 1
            ack_latency_seconds_bucket{service="im-gateway",le="0.01"} 1
            ack_latency_seconds_bucket{service="im-gateway",le="0.025"} 3
            ack_latency_seconds_bucket{service="im-gateway",le="0.05"} 3
            ack_latency_seconds_bucket{service="im-gateway",le="0.1"} 3
            ack_latency_seconds_bucket{service="im-gateway",le="0.25"} 3
            ack_latency_seconds_bucket{service="im-gateway",le="0.5"} 4
            ack_latency_seconds_bucket{service="im-gateway",le="1.0"} 4
            ack_latency_seconds_bucket{service="im-gateway",le="2.5"} 4
            ack_latency_seconds_bucket{service="im-gateway",le="5.0"} 4
            ack_latency_seconds_bucket{service="im-gateway",le="10.0"} 5
            ack_latency_seconds_bucket{service="im-gateway",le="+Inf"} 6
            ack_latency_seconds_count{service="im-gateway"} 6
            ack_latency_seconds_sum{service="im-gateway"} 49.828
            ack_latency_seconds_created{service="im-gateway"} 1763892000.000
            # EOF
            """);
  }

  @Test
  void shouldExposeEachRatioForTheLastClosedWindow() {
    WindowSpec minute = minuteWindow();
    long closed = Ratios.lastClosedWindowStart(minute.size(), CONFIG.windowGrace(), NOW);
    long open = closed + minute.size().toMillis();
    stores
        .windowCounter(minute, closed, "ack_timeouts_total", 1, "service", "im-gateway")
        .windowCounter(minute, closed, "ack_received_total", 3, "service", "im-gateway")
        .windowCounter(minute, open, "ack_timeouts_total", 50, "service", "im-gateway")
        .windowCounter(minute, closed, "ack_received_total", 9, "service", "quiet")
        .windowCounter(minute, closed, "cache_hits_total", 9, "service", "gw", "cache", "redis")
        .windowCounter(minute, closed, "cache_misses_total", 1, "service", "gw", "cache", "redis");

    assertThat(render("ack_timeout_ratio", "cache_hit_ratio"))
        .isEqualTo(
            """
            # TYPE ack_timeout_ratio gauge
            # HELP ack_timeout_ratio Share of ACKs that timed out, per closed 1-minute window.
            ack_timeout_ratio{service="im-gateway"} 0.25
            ack_timeout_ratio{service="quiet"} 0.0
            # TYPE cache_hit_ratio gauge
            # HELP cache_hit_ratio Share of cache lookups that hit, per closed 1-minute window.
            cache_hit_ratio{cache="redis",service="gw"} 0.9
            # EOF
            """);
  }

  /**
   * With several instances each holds a share of the series partitions: a ratio computed from a
   * share (the timeouts here, the received ACKs on another instance) would be wrong, so none is
   * exported; the counters still are.
   */
  @Test
  void shouldExportNoRatioFromStoresThatHoldOnlyAShareOfTheSeries() {
    WindowSpec minute = minuteWindow();
    long closed = Ratios.lastClosedWindowStart(minute.size(), CONFIG.windowGrace(), NOW);
    stores
        .windowCounter(minute, closed, "ack_timeouts_total", 1, "service", "im-gateway")
        .counter("ack_timeouts_total", 1, CREATED, "service", "im-gateway");
    String partial =
        render(
            builder().ratiosWhen(() -> false).build().collect(),
            "ack_timeout_ratio",
            "ack_timeouts");
    assertThat(partial).doesNotContain("ack_timeout_ratio").contains("ack_timeouts_total{");
    String whole = render(builder().build().collect(), "ack_timeout_ratio");
    assertThat(whole).contains("ack_timeout_ratio{service=\"im-gateway\"} 1.0");
  }

  @Test
  void shouldSkipBrokenSeriesCountThemAndKeepTheRest() {
    Aggregate nan = Aggregate.counter();
    nan.add(Double.NaN);
    Aggregate negative = Aggregate.counter();
    negative.add(-1);
    stores
        .counter("ack_received_total", 3, CREATED, "service", "ok")
        .cumulative(
            FakeMetricStores.key("ack_received_total", "service", "nan"),
            new Cumulative(CREATED, CREATED, Long.MAX_VALUE / 4, nan))
        .cumulative(
            FakeMetricStores.key("ack_received_total", "service", "negative"),
            new Cumulative(CREATED, CREATED, Long.MAX_VALUE / 4, negative))
        .cumulative(
            FakeMetricStores.key("ack_received_total", "service", "no-aggregate"),
            new Cumulative(CREATED, CREATED, Long.MAX_VALUE / 4, null))
        .histogram("ack_received_total", latencies(0.1), CREATED, "service", "histogram")
        .counter("dropped_from_catalog_total", 5, CREATED, "service", "ok");

    TallyCollector collector = collector();
    collector.collect();
    String text = render(collector.collect(), "ack_received", "tally_scrape_series_skipped");

    assertThat(text)
        .isEqualTo(
            """
            # TYPE ack_received counter
            # HELP ack_received ACKs received from clients.
            ack_received_total{service="ok"} 3.0
            ack_received_created{service="ok"} 1763892000.000
            # TYPE tally_scrape_series_skipped counter
            # HELP tally_scrape_series_skipped Series left out of a scrape because they could not be exposed, by reason.
            tally_scrape_series_skipped_total{metric="ack_received_total",reason="conversion_error"} 2.0
            tally_scrape_series_skipped_created{metric="ack_received_total",reason="conversion_error"} 1763892125.000
            tally_scrape_series_skipped_total{metric="ack_received_total",reason="invalid_value"} 4.0
            tally_scrape_series_skipped_created{metric="ack_received_total",reason="invalid_value"} 1763892125.000
            tally_scrape_series_skipped_total{metric="ack_received_total",reason="type_mismatch"} 2.0
            tally_scrape_series_skipped_created{metric="ack_received_total",reason="type_mismatch"} 1763892125.000
            tally_scrape_series_skipped_total{metric="dropped_from_catalog_total",reason="unknown_metric"} 2.0
            tally_scrape_series_skipped_created{metric="dropped_from_catalog_total",reason="unknown_metric"} 1763892125.000
            # EOF
            """);
  }

  @Test
  void shouldSumTallysOwnCountersOverLocalTasksWithTheEarliestCreated() {
    stores
        .counter("tally_events_consumed_total", 40, CREATED + 5_000, "topic", "events.im")
        .counter("tally_events_consumed_total", 2, CREATED, "topic", "events.im")
        .counter("tally_events_consumed_total", 7, CREATED, "topic", "events.media");

    assertThat(render("tally_events_consumed"))
        .isEqualTo(
            """
            # TYPE tally_events_consumed counter
            # HELP tally_events_consumed Records read from the input topics.
            tally_events_consumed_total{topic="events.im"} 42.0
            tally_events_consumed_created{topic="events.im"} 1763892000.000
            tally_events_consumed_total{topic="events.media"} 7.0
            tally_events_consumed_created{topic="events.media"} 1763892000.000
            # EOF
            """);
  }

  @Test
  void shouldCountLiveSeriesPerMetricAndStoreEntries() {
    long fresh = NOW - 1_000;
    stores
        .counter("ack_received_total", 1, CREATED, "service", "a")
        .counter("ack_received_total", 1, CREATED, "service", "b")
        .counter("tally_events_consumed_total", 1, CREATED, "topic", "events.a")
        .counter("tally_events_consumed_total", 1, CREATED, "topic", "events.a")
        .gauge("queue_depth", "w/1", 1, fresh, "service", "w", "queue", "q")
        .gauge("queue_depth", "w/2", 1, fresh, "service", "w", "queue", "q");

    assertThat(render("tally_live_series", "tally_store_entries", "tally_stores_queryable"))
        .isEqualTo(
            """
            # TYPE tally_live_series gauge
            # HELP tally_live_series Series of each metric held by this instance: totals of counters and histograms, gauges reported within gauge.ttl.
            tally_live_series{metric="ack_received_total"} 2.0
            tally_live_series{metric="queue_depth"} 1.0
            tally_live_series{metric="tally_events_consumed_total"} 1.0
            # TYPE tally_store_entries gauge
            # HELP tally_store_entries Entries this instance read from each local store during the scrape.
            tally_store_entries{store="cumulative"} 4.0
            tally_store_entries{store="gauges"} 2.0
            # TYPE tally_stores_queryable gauge
            # HELP tally_stores_queryable 1 when this instance could read its local stores for this scrape, else 0.
            tally_stores_queryable 1.0
            # EOF
            """);
  }

  @Test
  void shouldExposeOnlyQueryableZeroWhileStoresAreNotQueryable() {
    stores.counter("ack_received_total", 3, CREATED, "service", "im-gateway");
    stores.failWith(new InvalidStateStoreException("rebalancing"));

    MetricSnapshots snapshots = collector().collect();

    assertThat(render(snapshots, n -> true))
        .isEqualTo(
            """
            # TYPE tally_stores_queryable gauge
            # HELP tally_stores_queryable 1 when this instance could read its local stores for this scrape, else 0.
            tally_stores_queryable 0.0
            # EOF
            """);
  }

  @Test
  void shouldExposeNothingReadBeforeAStoreClosedPartWayThroughTheScrape() {
    stores
        .counter("ack_received_total", 3, CREATED, "service", "im-gateway")
        .counter("ack_received_total", 4, CREATED, "service", "media-gateway");
    // The first series is read, then the task moves away and its store closes under the reader.
    stores.failPartWay(
        1,
        new org.apache.kafka.streams.errors.StateStoreMigratedException(
            "tally-cumulative may have migrated to another instance"));

    assertThat(render(collector().collect(), n -> true))
        .isEqualTo(
            """
            # TYPE tally_stores_queryable gauge
            # HELP tally_stores_queryable 1 when this instance could read its local stores for this scrape, else 0.
            tally_stores_queryable 0.0
            # EOF
            """);
  }

  @Test
  void shouldKeepTheFirstOfTwoCatalogSeriesWithTheSameLabels() {
    stores
        .counter("ack_received_total", 3, CREATED, "service", "im-gateway")
        .counter("ack_received_total", 4, CREATED, "service", "im-gateway");

    String text = render(collector().collect(), "ack_received", "tally_scrape_series_skipped");

    assertThat(text)
        .contains("ack_received_total{service=\"im-gateway\"} 3.0\n")
        .doesNotContain("4.0")
        .contains(
            "tally_scrape_series_skipped_total{metric=\"ack_received_total\","
                + "reason=\"duplicate_series\"} 1.0\n");
  }

  @Test
  void shouldNotFailTheScrapeWhenAStoreCannotBeRead() {
    stores.counter("ack_received_total", 3, CREATED, "service", "im-gateway");
    stores.failWith(new org.apache.kafka.common.errors.SerializationException("corrupt record"));

    assertThat(render(collector().collect(), n -> true))
        .contains("tally_stores_queryable 0.0\n")
        .doesNotContain("ack_received");
  }

  @Test
  void shouldKeepTallysOwnFamilyWhenACatalogMetricHasTheSameName() throws IOException {
    Path file = Files.createTempFile("catalog", ".yaml");
    Files.writeString(
        file,
        """
        metrics:
          - name: tally_live_series
            type: gauge
            help: A user metric with a name Tally uses itself.
            labels: [service]
            from: [{event: queue.depth, value: depth}]
        """);
    MetricCatalog catalog = MetricCatalog.load(Optional.of(file), 10_000);
    stores.gauge("tally_live_series", "w/1", 5, NOW, "service", "w");

    TallyCollector collector = builder().catalog(catalog).build();
    String text = render(collector.collect(), "tally_live_series", "tally_scrape_series_skipped");

    assertThat(text).contains("tally_live_series{metric=\"tally_live_series\"} 1.0");
    assertThat(text).doesNotContain("service=\"w\"");
    assertThat(text)
        .contains(
            "tally_scrape_series_skipped_total{metric=\"tally_live_series\",reason=\"name_clash\"}"
                + " 1.0");
    Files.delete(file);
  }

  public static Histogram latencies(double... seconds) {
    Histogram histogram =
        Histogram.empty(CATALOG.metric("ack_latency_seconds").orElseThrow().layout());
    for (double s : seconds) {
      histogram.observe(s);
    }
    return histogram;
  }

  static WindowSpec minuteWindow() {
    return CONFIG.windows().stream()
        .filter(w -> w.size().equals(Duration.ofMinutes(1)))
        .findFirst()
        .orElseThrow();
  }

  private TallyCollector.Builder builder() {
    return TallyCollector.builder()
        .stores(stores)
        .catalog(CATALOG)
        .config(CONFIG)
        .clock(Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC));
  }

  private TallyCollector collector() {
    return builder().build();
  }

  private String render(String... names) {
    return render(collector().collect(), names);
  }

  private static String render(MetricSnapshots snapshots, String... names) {
    Set<String> wanted = Set.of(names);
    return render(snapshots, wanted::contains);
  }

  static String render(MetricSnapshots snapshots, Predicate<String> names) {
    MetricSnapshots selected =
        new MetricSnapshots(
            snapshots.stream()
                .filter(s -> names.test(s.getMetadata().getPrometheusName()))
                .toList());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      OpenMetricsTextFormatWriter.builder()
          .setCreatedTimestampsEnabled(true)
          .build()
          .write(out, selected);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
