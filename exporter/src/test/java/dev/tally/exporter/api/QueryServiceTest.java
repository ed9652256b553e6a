package dev.tally.exporter.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.exporter.FakeMetricStores;
import dev.tally.exporter.api.ParsedQuery.Endpoint;
import dev.tally.streams.catalog.MetricCatalog;
import dev.tally.streams.config.TallyConfig;
import dev.tally.streams.config.WindowSpec;
import dev.tally.streams.histogram.Histogram;
import dev.tally.streams.histogram.HistogramLayout;
import dev.tally.streams.store.Aggregate;
import dev.tally.streams.store.GaugeKey;
import dev.tally.streams.store.GaugeSample;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The query API's answers over hand-filled stores; every expected value is worked out by hand in
 * the test (sums, rates over 10 s windows, ranks of known observations), not by the code.
 */
class QueryServiceTest {
  /** 2026-11-30T12:00:00Z. */
  private static final long NOW = Instant.parse("2026-11-30T12:00:00Z").toEpochMilli();

  private static final WindowSpec TEN_SECONDS =
      new WindowSpec(Duration.ofSeconds(10), Duration.ofHours(2));

  private final FakeMetricStores stores = new FakeMetricStores();

  private QueryService service(Map<String, String> settings) {
    Map<String, String> all = new HashMap<>(Map.of("http.port", "0"));
    all.putAll(settings);
    TallyConfig config = TallyConfig.fromMap(all);
    return new QueryService(
        Cluster.single(stores, 6, "localhost:8080"),
        MetricCatalog.builtin(10_000),
        config,
        new PeerClient(null, new ObjectMapper()),
        Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC));
  }

  private QueryService service() {
    return service(Map.of());
  }

  private static Map<String, List<String>> params(String... pairs) {
    Map<String, List<String>> params = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      params.computeIfAbsent(pairs[i], k -> new java.util.ArrayList<>()).add(pairs[i + 1]);
    }
    return params;
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> series(Map<String, Object> answer) {
    return (List<Map<String, Object>>) answer.get("series");
  }

  @Test
  void counterTotalsPerSeriesGroupedAndFiltered() {
    stores
        .counter("ack_timeouts_total", 3, NOW, "service", "im-gateway")
        .counter("ack_timeouts_total", 4, NOW, "service", "media-gateway")
        // Tally's own counters and other metrics are not mixed in.
        .counter("ack_received_total", 100, NOW, "service", "im-gateway");

    var perSeries = service().answer(Endpoint.TOTALS, params("metric", "ack_timeouts_total"), null);
    assertThat(series(perSeries))
        .containsExactly(
            Map.of("labels", Map.of("service", "im-gateway"), "value", 3L),
            Map.of("labels", Map.of("service", "media-gateway"), "value", 4L));

    var summed =
        service().answer(Endpoint.TOTALS, params("metric", "ack_timeouts_total", "by", ""), null);
    assertThat(series(summed)).containsExactly(Map.of("labels", Map.of(), "value", 7L));

    var filtered =
        service()
            .answer(
                Endpoint.TOTALS,
                params("metric", "ack_timeouts_total", "match", "service!=im-gateway"),
                null);
    assertThat(series(filtered))
        .containsExactly(Map.of("labels", Map.of("service", "media-gateway"), "value", 4L));

    var regex =
        service()
            .answer(
                Endpoint.TOTALS,
                params("metric", "ack_timeouts_total", "match", "service=~im-.*"),
                null);
    assertThat(series(regex))
        .containsExactly(Map.of("labels", Map.of("service", "im-gateway"), "value", 3L));
  }

  @Test
  void histogramTotalsMergeTheCopiesOfASeriesBeforeTheQuantiles() {
    // 1 ms .. 100 ms, one observation each, split over two store entries of the same series (as
    // two partitions or instances would hold them).
    Histogram low = Histogram.empty(HistogramLayout.latencySeconds());
    Histogram high = Histogram.empty(HistogramLayout.latencySeconds());
    for (int ms = 1; ms <= 100; ms++) {
      (ms <= 50 ? low : high).observe(ms / 1000.0);
    }
    stores
        .histogram("delivery_latency_seconds", low, NOW, "service", "im-gateway")
        .histogram("delivery_latency_seconds", high, NOW, "service", "im-gateway");

    var answer =
        service()
            .answer(
                Endpoint.TOTALS,
                params("metric", "delivery_latency_seconds", "q", "0.5,0.99,0.999"),
                null);

    Map<String, Object> s = series(answer).get(0);
    assertThat(s.get("count")).isEqualTo(100L);
    // 0.001 + ... + 0.100 = 0.001 * 5050
    assertThat((double) s.get("sum")).isCloseTo(5.05, within(1e-9));
    @SuppressWarnings("unchecked")
    Map<String, Object> q = (Map<String, Object>) s.get("quantiles");
    // Rank ceil(q * 100): the 50th, 99th and 100th observation; ≤ 1 % relative error.
    assertThat((double) q.get("0.5")).isCloseTo(0.050, within(0.050 * 0.01));
    assertThat((double) q.get("0.99")).isCloseTo(0.099, within(0.099 * 0.01));
    assertThat((double) q.get("0.999")).isCloseTo(0.100, within(0.100 * 0.01));
  }

  @Test
  void gaugeTotalsSumTheLiveSources() {
    stores
        .gauge(
            new GaugeKey(
                FakeMetricStores.key("queue_depth", "service", "w", "queue", "jobs"), "w/1"),
            new GaugeSample(3, NOW, NOW - 1000))
        .gauge(
            new GaugeKey(
                FakeMetricStores.key("queue_depth", "service", "w", "queue", "jobs"), "w/2"),
            new GaugeSample(4, NOW, NOW - 1000))
        // Silent for longer than gauge.ttl (5 m): no longer counts.
        .gauge(
            new GaugeKey(
                FakeMetricStores.key("queue_depth", "service", "w", "queue", "jobs"), "w/3"),
            new GaugeSample(100, NOW, NOW - Duration.ofMinutes(6).toMillis()));

    var answer = service().answer(Endpoint.TOTALS, params("metric", "queue_depth"), null);
    assertThat(series(answer))
        .containsExactly(Map.of("labels", Map.of("queue", "jobs", "service", "w"), "value", 7L));
  }

  @Test
  void perWindowSumsCountsAndRatesWithEmptyWindowsAsZero() {
    long w0 = NOW - 30_000; // 11:59:30
    stores
        .windowCounter(TEN_SECONDS, w0, "ack_timeouts_total", 5, "service", "im")
        .windowCounter(TEN_SECONDS, w0 + 20_000, "ack_timeouts_total", 2, "service", "im")
        // Outside the range asked for.
        .windowCounter(TEN_SECONDS, w0 - 10_000, "ack_timeouts_total", 9, "service", "im");

    var sum =
        service()
            .answer(
                Endpoint.QUERY,
                params("metric", "ack_timeouts_total", "from", "-30s", "resolution", "10s"),
                null);
    assertThat(sum.get("from")).isEqualTo("2026-11-30T11:59:30Z");
    assertThat(sum.get("to")).isEqualTo("2026-11-30T12:00:00Z");
    assertThat(series(sum).get(0).get("points"))
        .isEqualTo(
            List.of(
                Map.of("start", "2026-11-30T11:59:30Z", "value", 5L),
                Map.of("start", "2026-11-30T11:59:40Z", "value", 0L),
                Map.of("start", "2026-11-30T11:59:50Z", "value", 2L)));

    var rate =
        service()
            .answer(
                Endpoint.QUERY,
                params("metric", "ack_timeouts_total", "from", "-30s", "agg", "rate"),
                null);
    // 5 events in 10 s = 0.5/s; 0; 2 in 10 s = 0.2/s.
    assertThat(series(rate).get(0).get("points"))
        .isEqualTo(
            List.of(
                Map.of("start", "2026-11-30T11:59:30Z", "value", 0.5),
                Map.of("start", "2026-11-30T11:59:40Z", "value", 0L),
                Map.of("start", "2026-11-30T11:59:50Z", "value", 0.2)));
  }

  @Test
  void perWindowHistogramQuantilesAndBuckets() {
    long w0 = NOW - 10_000;
    Aggregate a = Aggregate.histogram(HistogramLayout.latencySeconds());
    Aggregate b = Aggregate.histogram(HistogramLayout.latencySeconds());
    a.observe(0.002); // le 0.0025
    a.observe(0.004); // le 0.005
    b.observe(0.2); // le 0.25
    b.observe(3.0); // le 5
    stores
        .window(
            TEN_SECONDS, w0, FakeMetricStores.key("delivery_latency_seconds", "service", "a"), a)
        .window(
            TEN_SECONDS, w0, FakeMetricStores.key("delivery_latency_seconds", "service", "b"), b);

    var p99 =
        service()
            .answer(
                Endpoint.QUERY,
                params(
                    "metric", "delivery_latency_seconds", "from", "-10s", "agg", "p99", "by", ""),
                null);
    @SuppressWarnings("unchecked")
    var points = (List<Map<String, Object>>) series(p99).get(0).get("points");
    // Rank ceil(0.99 * 4) = 4: the largest observation, 3.0 (returned exactly as the maximum).
    assertThat(((Number) points.get(0).get("value")).doubleValue()).isCloseTo(3.0, within(0.03));

    var buckets =
        service()
            .answer(
                Endpoint.QUERY,
                params(
                    "metric",
                    "delivery_latency_seconds",
                    "from",
                    "-10s",
                    "agg",
                    "buckets",
                    "by",
                    ""),
                null);
    @SuppressWarnings("unchecked")
    var bucketPoints = (List<Map<String, Object>>) series(buckets).get(0).get("points");
    @SuppressWarnings("unchecked")
    Map<String, Long> le = (Map<String, Long>) bucketPoints.get(0).get("value");
    assertThat(le)
        .containsEntry("0.001", 0L)
        .containsEntry("0.0025", 1L)
        .containsEntry("0.005", 2L)
        .containsEntry("0.1", 2L)
        .containsEntry("0.25", 3L)
        .containsEntry("2.5", 3L)
        .containsEntry("5.0", 4L)
        .containsEntry("+Inf", 4L);

    var avg =
        service()
            .answer(
                Endpoint.QUERY,
                params("metric", "delivery_latency_seconds", "from", "-10s", "agg", "avg"),
                null);
    assertThat(series(avg))
        .<Object>extracting(s -> ((List<?>) s.get("points")).get(0))
        .containsExactly(
            (Object) Map.of("start", "2026-11-30T11:59:50Z", "value", 0.003), // (0.002 + 0.004) / 2
            Map.of("start", "2026-11-30T11:59:50Z", "value", 1.6)); // (0.2 + 3.0) / 2
  }

  @Test
  void gaugesPerWindowLastAndMaxSummedPerGroup() {
    long w0 = NOW - 20_000;
    var jobs = FakeMetricStores.key("queue_depth", "service", "w", "queue", "jobs");
    var mail = FakeMetricStores.key("queue_depth", "service", "w", "queue", "mail");
    stores
        .gaugeWindow(TEN_SECONDS, w0, jobs, new dev.tally.streams.store.GaugeWindow(4, w0 + 9, 9))
        .gaugeWindow(TEN_SECONDS, w0, mail, new dev.tally.streams.store.GaugeWindow(1, w0 + 5, 2));

    var last =
        service()
            .answer(
                Endpoint.QUERY,
                params("metric", "queue_depth", "from", "-20s", "match", "queue=jobs"),
                null);
    Map<String, Object> noValue = new LinkedHashMap<>();
    noValue.put("start", "2026-11-30T11:59:50Z");
    noValue.put("value", null);
    assertThat(series(last).get(0).get("points"))
        .isEqualTo(List.of(Map.of("start", "2026-11-30T11:59:40Z", "value", 4L), noValue));

    var max =
        service()
            .answer(
                Endpoint.QUERY,
                params("metric", "queue_depth", "from", "-20s", "agg", "max", "by", "service"),
                null);
    // Per group, the sum of its series' values: 9 + 2.
    assertThat(series(max).get(0).get("points"))
        .isEqualTo(
            List.of(
                Map.of("start", "2026-11-30T11:59:40Z", "value", 11L),
                new LinkedHashMap<>(noValue)));
  }

  @Test
  void ratioPerWindowOverItsTerms() {
    long w0 = NOW - 20_000;
    stores
        .windowCounter(TEN_SECONDS, w0, "ack_timeouts_total", 1, "service", "im")
        .windowCounter(TEN_SECONDS, w0, "ack_received_total", 3, "service", "im")
        .windowCounter(TEN_SECONDS, w0 + 10_000, "ack_received_total", 4, "service", "im");

    var answer =
        service()
            .answer(Endpoint.QUERY, params("metric", "ack_timeout_ratio", "from", "-30s"), null);
    // 1 / (1 + 3); then 0 / (0 + 4); the first window had no traffic: no value.
    List<Map<String, Object>> expected = new java.util.ArrayList<>();
    Map<String, Object> empty = new LinkedHashMap<>();
    empty.put("start", "2026-11-30T11:59:30Z");
    empty.put("value", null);
    expected.add(empty);
    expected.add(Map.of("start", "2026-11-30T11:59:40Z", "value", 0.25));
    expected.add(Map.of("start", "2026-11-30T11:59:50Z", "value", 0L));
    assertThat(series(answer)).hasSize(1);
    assertThat(series(answer).get(0).get("labels")).isEqualTo(Map.of("service", "im"));
    assertThat(series(answer).get(0).get("points")).isEqualTo(expected);
  }

  @Test
  void seriesListsLiveLabelSetsOnly() {
    stores
        .counter("cache_hits_total", 1, NOW, "service", "api", "cache", "users")
        .counter("cache_hits_total", 1, NOW, "service", "api", "cache", "sessions")
        .cumulative(
            FakeMetricStores.key("cache_hits_total", "service", "old", "cache", "x"),
            new dev.tally.streams.store.Cumulative(
                NOW, NOW, NOW - Duration.ofHours(2).toMillis(), Aggregate.count(1)));
    var answer = service().answer(Endpoint.SERIES, params("metric", "cache_hits_total"), null);
    assertThat(series(answer))
        .containsExactly(
            Map.of("labels", Map.of("cache", "sessions", "service", "api")),
            Map.of("labels", Map.of("cache", "users", "service", "api")));
  }

  /** docs/api.md: the live label sets of a metric; a ratio's are its {@code by} labels' values. */
  @Test
  void seriesOfARatioAreItsByLabelsAmongItsCountersOnly() {
    stores
        .counter("ack_timeouts_total", 1, NOW, "service", "a")
        .counter("ack_received_total", 4, NOW, "service", "b")
        .counter("cache_hits_total", 1, NOW, "service", "c", "cache", "users")
        .counter("tally_late_events_total", 1, NOW, "metric", "ack_timeouts_total");
    var answer = service().answer(Endpoint.SERIES, params("metric", "ack_timeout_ratio"), null);
    assertThat(series(answer))
        .containsExactly(
            Map.of("labels", Map.of("service", "a")), Map.of("labels", Map.of("service", "b")));
    var matched =
        service()
            .answer(
                Endpoint.SERIES, params("metric", "ack_timeout_ratio", "match", "service=b"), null);
    assertThat(series(matched)).containsExactly(Map.of("labels", Map.of("service", "b")));
  }

  @Test
  void badRequestsNameTheParameter() {
    QueryService s = service(Map.of("api.max.series", "1", "api.max.points", "100"));
    stores
        .counter("ack_timeouts_total", 3, NOW, "service", "a")
        .counter("ack_timeouts_total", 4, NOW, "service", "b");
    assertError(s, Endpoint.TOTALS, params("metric", "no_such_metric"), 404, "metric");
    assertError(s, Endpoint.TOTALS, params(), 400, "metric");
    assertError(
        s,
        Endpoint.TOTALS,
        params("metric", "ack_timeouts_total", "match", "service"),
        400,
        "match");
    assertError(
        s,
        Endpoint.TOTALS,
        params("metric", "ack_timeouts_total", "match", "route=x"),
        400,
        "match");
    assertError(
        s,
        Endpoint.TOTALS,
        params("metric", "ack_timeouts_total", "match", "service=~("),
        400,
        "match");
    assertError(
        s, Endpoint.TOTALS, params("metric", "ack_timeouts_total", "by", "route"), 400, "by");
    // Control characters are part of the name, not blanks around it.
    assertError(
        s, Endpoint.TOTALS, params("metric", "ack_timeouts_total", "by", "\u0000"), 400, "by");
    assertError(
        s,
        Endpoint.TOTALS,
        params("metric", "ack_timeouts_total", "by", "service\u0000"),
        400,
        "by");
    assertError(s, Endpoint.TOTALS, params("metric", "ack_timeouts_total", "q", "1.5"), 400, "q");
    assertError(
        s, Endpoint.TOTALS, params("metric", "ack_timeouts_total", "mtach", "x=y"), 400, "mtach");
    // Two series, the limit is one.
    assertError(s, Endpoint.TOTALS, params("metric", "ack_timeouts_total"), 400, "match");
    assertError(
        s,
        Endpoint.QUERY,
        params("metric", "ack_timeouts_total", "from", "-1m", "to", "-2m"),
        400,
        "from");
    assertError(
        s,
        Endpoint.QUERY,
        params("metric", "ack_timeouts_total", "from", "yesterday"),
        400,
        "from");
    // 1 h at 10 s is 360 windows; the limit is 100.
    assertError(
        s,
        Endpoint.QUERY,
        params("metric", "ack_timeouts_total", "from", "-1h"),
        400,
        "resolution");
    assertError(
        s,
        Endpoint.QUERY,
        params("metric", "ack_timeouts_total", "resolution", "7s"),
        400,
        "resolution");
    assertError(
        s,
        Endpoint.QUERY,
        params("metric", "ack_timeouts_total", "from", "-1m", "agg", "p99"),
        400,
        "agg");
    assertError(
        s,
        Endpoint.QUERY,
        params("metric", "tally_events_consumed_total", "from", "-1m"),
        400,
        "metric");
    assertError(
        s,
        Endpoint.QUERY,
        params("metric", "queue_depth", "from", "-1m", "agg", "sum"),
        400,
        "agg");
    assertError(s, Endpoint.TOTALS, params("metric", "ack_timeout_ratio"), 400, "metric");
    assertError(
        s,
        Endpoint.TOTALS,
        params("metric", "ack_timeouts_total", "allowStale", "yes"),
        400,
        "allowStale");
  }

  private static void assertError(
      QueryService s,
      Endpoint endpoint,
      Map<String, List<String>> params,
      int status,
      String parameter) {
    assertThatThrownBy(() -> s.answer(endpoint, params, null))
        .as(params.toString())
        .isInstanceOfSatisfying(
            QueryException.class,
            e -> {
              assertThat(e.status()).isEqualTo(status);
              assertThat(e.parameter()).isEqualTo(parameter);
              assertThat(e.getMessage()).isNotBlank();
            });
  }

  private QueryService service(Cluster cluster, Map<String, String> settings) {
    Map<String, String> all = new HashMap<>(Map.of("http.port", "0"));
    all.putAll(settings);
    return new QueryService(
        cluster,
        MetricCatalog.builtin(10_000),
        TallyConfig.fromMap(all),
        new PeerClient(null, new ObjectMapper()),
        Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC));
  }

  @Test
  void aPartitionWithoutAnActiveOwnerIsA503NotAPartialSum() {
    stores.counter("ack_timeouts_total", 3, NOW, "service", "a");
    FakeCluster moving = new FakeCluster(stores);
    moving.active.remove(4);
    QueryService s = service(moving, Map.of());
    assertThatThrownBy(
            () -> s.answer(Endpoint.TOTALS, params("metric", "ack_timeouts_total"), null))
        .isInstanceOfSatisfying(
            QueryException.class,
            e -> {
              assertThat(e.status()).isEqualTo(503);
              assertThat(e.headers()).containsEntry("Retry-After", "1");
              @SuppressWarnings("unchecked")
              var unavailable = (List<Map<String, Object>>) e.body().get("unavailable");
              assertThat(unavailable).extracting(u -> u.get("partition")).containsExactly(4);
            });
  }

  @Test
  void allowStaleReadsAStandbyCopyAndSaysHowFarBehindItIs() {
    stores.counter("ack_timeouts_total", 3, NOW, "service", "a");
    FakeCluster moving = new FakeCluster(stores);
    moving.active.remove(4);
    moving.standby.put(4, List.of("elsewhere:8080", FakeCluster.SELF));
    moving.lags.put(4, 17L);
    var answer =
        service(moving, Map.of())
            .answer(
                Endpoint.TOTALS,
                params("metric", "ack_timeouts_total", "allowStale", "true"),
                null);
    assertThat(answer.get("stale")).isEqualTo(List.of(Map.of("partition", 4, "offsetLag", 17L)));
    assertThat(series(answer)).hasSize(1);
  }

  @Test
  void aPeerThatNeverAnswersCostsTheTimeBudgetAndGivesA503() throws Exception {
    stores.counter("ack_timeouts_total", 3, NOW, "service", "a");
    // Accepts connections and never answers.
    try (java.net.ServerSocket silent =
        new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      FakeCluster cluster = new FakeCluster(stores);
      cluster.active.put(3, "127.0.0.1:" + silent.getLocalPort());
      QueryService s = service(cluster, Map.of("api.timeout", "1s"));
      long started = System.nanoTime();
      assertThatThrownBy(
              () -> s.answer(Endpoint.TOTALS, params("metric", "ack_timeouts_total"), null))
          .isInstanceOfSatisfying(
              QueryException.class,
              e -> {
                assertThat(e.status()).isEqualTo(503);
                @SuppressWarnings("unchecked")
                var unavailable = (List<Map<String, Object>>) e.body().get("unavailable");
                assertThat(unavailable)
                    .singleElement()
                    .satisfies(
                        u -> {
                          assertThat(u.get("partition")).isEqualTo(3);
                          assertThat(u.get("instance"))
                              .isEqualTo("127.0.0.1:" + silent.getLocalPort());
                        });
              });
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    }
  }

  @Test
  void aRegexThatRunsPastTheTimeBudgetEndsInA503() {
    stores.counter(
        "ack_timeouts_total", 3, NOW, "service", "im-gateway-with-a-rather-long-instance-name");
    String slow = "(.*)".repeat(20) + "X";
    QueryService s = service(Map.of("api.timeout", "1s"));
    long started = System.nanoTime();
    assertThatThrownBy(
            () ->
                s.answer(
                    Endpoint.TOTALS,
                    params("metric", "ack_timeouts_total", "match", "service=~" + slow),
                    null))
        .isInstanceOfSatisfying(
            QueryException.class,
            e -> {
              assertThat(e.status()).isEqualTo(503);
              assertThat(e.getMessage()).contains("api.timeout");
            });
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
  }
}
