package dev.tally.exporter.exposition;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.exporter.ExpositionText;
import dev.tally.exporter.FakeMetricStores;
import dev.tally.exporter.collector.ScrapeReading;
import dev.tally.exporter.collector.TallyCollector;
import dev.tally.exporter.collector.TallyCollectorTest;
import dev.tally.streams.catalog.MetricCatalog;
import dev.tally.streams.catalog.MetricDefinition;
import dev.tally.streams.catalog.MetricType;
import dev.tally.streams.config.TallyConfig;
import dev.tally.streams.config.WindowSpec;
import dev.tally.streams.histogram.Histogram;
import dev.tally.streams.query.Ratios;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusProtobufWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_36_2.Metrics.MetricFamily;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link TextExposition} against client_java's own text writers: for the same scrape, Tally's
 * direct writer plus client_java's writer for Tally's own families must give exactly the lines
 * client_java writes for all the snapshots, in both text formats. Only the order differs
 * (client_java sorts families and series; Tally writes them in catalog and store order), so both
 * texts are put in one order before comparing.
 */
class DirectExpositionTest {
  private static final long NOW = TallyCollectorTest.NOW;
  private static final TallyConfig CONFIG = TallyConfig.fromMap(Map.of());

  /** Label values that need escaping or are not ASCII, and some plain ones. */
  private static final String[] VALUES = {
    "im-gateway",
    "",
    "a \"quoted\" value",
    "back\\slash",
    "two\nlines",
    "trailing\\",
    "caf\u00e9",
    "\u65e5\u672c",
    "emoji \ud83d\ude80",
    "spaces and } braces {",
    "le=\"0.5\"",
  };

  /** Values whose text form differs between the integer shortcut and Double.toString. */
  private static final double[] NUMBERS = {
    0,
    1,
    42,
    9_999_999,
    10_000_000,
    123_456_789,
    1.5,
    0.1 + 0.2,
    1e-3,
    9.99e-4,
    1e-7,
    2e22,
    Math.pow(2, 53),
    Double.MIN_VALUE,
    Double.MAX_VALUE,
  };

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3})
  void shouldWriteWhatClientJavaWritesInOpenMetrics(long seed) throws IOException {
    ScrapeReading reading = reading(seed);

    String tally = tallyText(reading, ScrapeFormat.OPENMETRICS);
    String clientJava = write(openMetrics(), reading.snapshots());

    assertThat(sampleLines(tally)).isGreaterThan(2_000);
    assertThat(ExpositionText.inOneOrder(tally)).isEqualTo(ExpositionText.inOneOrder(clientJava));
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3})
  void shouldWriteWhatClientJavaWritesInPrometheusText(long seed) throws IOException {
    ScrapeReading reading = reading(seed);
    PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    String tally = tallyText(reading, ScrapeFormat.PROMETHEUS_TEXT);
    String clientJava = write(writer, reading.snapshots());

    assertThat(sampleLines(tally)).isGreaterThan(2_000);
    assertThat(tally).doesNotContain("_created");
    assertThat(ExpositionText.inOneOrder(tally)).isEqualTo(ExpositionText.inOneOrder(clientJava));
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3})
  void shouldWriteWhatClientJavaWritesInProtobuf(long seed) throws IOException {
    ScrapeReading reading = reading(seed);
    PrometheusProtobufWriter writer = new PrometheusProtobufWriter();
    ByteArrayOutputStream tally = new ByteArrayOutputStream();
    ScrapeFormat.PROTOBUF.write(tally, scrape(reading));
    ByteArrayOutputStream clientJava = new ByteArrayOutputStream();
    writer.write(clientJava, reading.snapshots());

    Map<String, MetricFamily> mine = ExpositionText.protobufFamilies(tally.toByteArray());
    Map<String, MetricFamily> theirs = ExpositionText.protobufFamilies(clientJava.toByteArray());

    assertThat(mine.values().stream().mapToInt(MetricFamily::getMetricCount).sum())
        .isGreaterThan(1_000);
    assertThat(mine.keySet()).isEqualTo(theirs.keySet());
    mine.forEach((name, family) -> assertThat(family).as(name).isEqualTo(theirs.get(name)));
  }

  /** What the {@code /metrics} endpoint writes: the catalog's text, then client_java's. */
  private static String tallyText(ScrapeReading reading, ScrapeFormat format) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    format.write(body, scrape(reading));
    String text = body.toString(StandardCharsets.UTF_8);
    if (format == ScrapeFormat.OPENMETRICS) {
      assertThat(text).endsWith("# EOF\n");
      assertThat(text.indexOf("# EOF")).as("one # EOF, the last line").isEqualTo(text.length() - 6);
    }
    return text;
  }

  private static Scrape scrape(ScrapeReading reading) {
    return new Scrape(reading.catalog(), reading.ownSnapshots());
  }

  /**
   * Random series of every catalog metric and type, with label values that need escaping, values on
   * both sides of the number formats' edges, and a few series that cannot be exposed.
   */
  private ScrapeReading reading(long seed) throws IOException {
    MetricCatalog catalog = catalog();
    Random random = new Random(seed);
    FakeMetricStores stores = new FakeMetricStores();
    WindowSpec minute = CONFIG.windows().get(1);
    long windowStart = Ratios.lastClosedWindowStart(minute.size(), CONFIG.windowGrace(), NOW);
    int n = 0;
    for (MetricDefinition metric : catalog.metrics()) {
      for (int i = 0; i < 40; i++, n++) {
        String[] labels = labels(metric, random, n);
        long created = i % 10 == 0 ? 0 : NOW - random.nextInt(86_400_000);
        switch (metric.type()) {
          case COUNTER -> stores.counter(metric.name(), number(random, i), created, labels);
          case GAUGE ->
              stores.gauge(metric.name(), "svc/i-" + i, signed(random, i), NOW - 1_000, labels);
          case HISTOGRAM ->
              stores.histogram(metric.name(), histogram(metric, random), created, labels);
        }
        if (metric.type() == MetricType.COUNTER && i % 3 == 0) {
          stores.windowCounter(minute, windowStart, metric.name(), 1 + i, labels);
        }
      }
    }
    // Left out of both: not exposable.
    stores.counter("odd_help_total", Double.NaN, NOW, "service", "nan");
    stores.gauge("plain_gauge", "svc/x", Double.POSITIVE_INFINITY, NOW - 1_000, "s", "inf");
    return TallyCollector.builder()
        .stores(stores)
        .catalog(catalog)
        .config(CONFIG)
        .clock(Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC))
        .build()
        .read();
  }

  /** The built-in metrics, plus metrics whose help and unit need escaping, and a ratio. */
  private MetricCatalog catalog() throws IOException {
    Path file = dir.resolve("catalog.yaml");
    Files.writeString(
        file,
        """
        metrics:
          - name: odd_help_total
            type: counter
            help: "Help with \\"quotes\\", a back\\\\slash,\\na newline and caf\\u00e9."
            labels: [service]
            from: [{event: http.request}]
          - name: payload_size_bytes
            type: histogram
            unit: bytes
            help: Payload sizes.
            buckets: [0.5, 1, 1000, 1.0e7, 1.5e7]
            labels: [service]
            from: [{event: http.request, value: duration_ms}]
          - name: plain_gauge
            type: gauge
            help: Active pool connections.
            from: [{event: pool.sample, value: active}]
        ratios:
          - name: odd_help_share
            help: "Share of \\"odd\\" events."
            numerator: [odd_help_total]
            denominator: [odd_help_total]
            window: 1m
        """);
    return MetricCatalog.load(Optional.of(file), 10_000);
  }

  private static String[] labels(MetricDefinition metric, Random random, int n) {
    List<String> names = metric.labelNames();
    if (n % 17 == 0) {
      return new String[0]; // no labels at all: {le="..."} alone on histograms
    }
    String[] pairs = new String[names.size() * 2];
    for (int k = 0; k < names.size(); k++) {
      pairs[2 * k] = names.get(k);
      pairs[2 * k + 1] =
          k == 0 ? VALUES[random.nextInt(VALUES.length)] + "#" + n : "v" + random.nextInt(3);
    }
    return pairs;
  }

  private static double number(Random random, int i) {
    return i < NUMBERS.length ? NUMBERS[i] : random.nextInt(1_000_000) * (i % 2 == 0 ? 1 : 0.25);
  }

  private static double signed(Random random, int i) {
    return i % 4 == 1 ? -number(random, i) : number(random, i);
  }

  private static Histogram histogram(MetricDefinition metric, Random random) {
    Histogram h = Histogram.empty(metric.layout());
    int observations = random.nextInt(50);
    for (int k = 0; k < observations; k++) {
      double v = Math.exp(random.nextGaussian() * 3);
      h.observe(k % 9 == 0 ? -v : k % 11 == 0 ? 0 : v);
    }
    return h;
  }

  private static String write(ExpositionFormatWriter writer, MetricSnapshots snapshots)
      throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    writer.write(out, snapshots);
    return out.toString(StandardCharsets.UTF_8);
  }

  private static long sampleLines(String text) {
    return text.lines().filter(l -> !l.startsWith("#")).count();
  }

  private static OpenMetricsTextFormatWriter openMetrics() {
    return OpenMetricsTextFormatWriter.builder().setCreatedTimestampsEnabled(true).build();
  }
}
