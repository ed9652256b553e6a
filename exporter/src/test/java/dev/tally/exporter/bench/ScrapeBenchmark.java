package dev.tally.exporter.bench;

import com.sun.net.httpserver.HttpServer;
import dev.tally.exporter.FakeMetricStores;
import dev.tally.exporter.TallyExporter;
import dev.tally.exporter.collector.ScrapeReading;
import dev.tally.exporter.collector.TallyCollector;
import dev.tally.exporter.exposition.Scrape;
import dev.tally.exporter.exposition.ScrapeFormat;
import dev.tally.streams.catalog.MetricCatalog;
import dev.tally.streams.catalog.MetricDefinition;
import dev.tally.streams.catalog.MetricType;
import dev.tally.streams.config.TallyConfig;
import dev.tally.streams.histogram.Histogram;
import dev.tally.streams.query.MetricStores;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusProtobufWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;

/**
 * Scrape cost of the exporter: the median of repeated scrapes (collect from the stores, then write
 * one exposition format) of 10k and 100k series held in memory. Not a test; run it with {@code
 * bench/scrape.sh} and record the figures in {@code docs/performance.md}.
 *
 * <p>Rows named {@code http ...} time whole scrapes through {@link TallyExporter} over loopback,
 * with Prometheus' own Accept headers and gzip, until the last byte has arrived.
 *
 * <p>The series mix: 60 % counters, 20 % histograms (about 100 populated native buckets each, 13
 * classic buckets), 20 % gauges, spread over the built-in catalog's metrics with realistic label
 * sets, every series distinct. The stores hand entries out in the byte order of their keys, as
 * RocksDB does, either as objects ({@code objects}: the exporter's own cost) or decoded from
 * Tally's store bytes on every scrape ({@code decoded}: what a scrape of the real stores also
 * pays).
 *
 * <pre>{@code
 * bench/scrape.sh                 # 10k and 100k series, 30 measured scrapes per format
 * bench/scrape.sh 50000 --runs 50
 * bench/scrape.sh 10000 --rows "decoded http openmetrics" --warmup-s 2   # rows matching a regex
 * }</pre>
 *
 * <p>Every row also prints a {@code RESULT scrape_<series>_<stores>_<format>_median_ms} line (the
 * format's spaces as underscores) for {@code bench/all.sh}.
 */
public final class ScrapeBenchmark {
  private static final long NOW = 1_763_892_125_000L;

  /** The Accept header Prometheus sends by default, and with native histograms enabled. */
  private static final String PROMETHEUS_TEXT_ACCEPT =
      "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;"
          + "q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

  private static final String PROMETHEUS_PROTOBUF_ACCEPT =
      "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited,"
          + "application/openmetrics-text;version=1.0.0;q=0.8,text/plain;version=0.0.4;q=0.2,"
          + "*/*;q=0.1";

  /** Warm-up per store kind and format: at least this many scrapes and this long. */
  private static final int WARMUP_SCRAPES = 20;

  private static long warmupNanos = 5_000_000_000L;

  /** Only rows whose name, "stores format", matches this regular expression. */
  private static Pattern rowFilter = Pattern.compile(".*");

  /** The series count of the rows being measured, for the RESULT lines. */
  private static int currentSize;

  private ScrapeBenchmark() {}

  public static void main(String[] args) throws IOException {
    List<Integer> sizes = new ArrayList<>();
    int runs = 30;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--runs")) {
        runs = Integer.parseInt(args[++i]);
      } else if (args[i].equals("--rows")) {
        rowFilter = Pattern.compile(args[++i]);
      } else if (args[i].equals("--warmup-s")) {
        warmupNanos = Long.parseLong(args[++i]) * 1_000_000_000L;
      } else if (args[i].equals("--serve")) {
        int size = Integer.parseInt(args[++i].replace("_", ""));
        boolean protobuf = i + 1 < args.length && args[i + 1].equals("--protobuf");
        serve(size, protobuf ? PROMETHEUS_PROTOBUF_ACCEPT : PROMETHEUS_TEXT_ACCEPT);
        return;
      } else {
        sizes.add(Integer.parseInt(args[i].replace("_", "")));
      }
    }
    if (sizes.isEmpty()) {
      sizes = List.of(10_000, 100_000);
    }
    System.out.printf(
        Locale.ROOT,
        "Java %s, %d cores, max heap %d MB%n",
        System.getProperty("java.version"),
        Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() >> 20);
    for (int size : sizes) {
      run(size, runs);
    }
  }

  private static void run(int size, int runs) throws IOException {
    currentSize = size;
    MetricCatalog catalog = MetricCatalog.builtin(Integer.MAX_VALUE);
    Load load = Load.build(catalog, size);
    System.out.printf(
        Locale.ROOT,
        "%n%,d series: %,d counters, %,d histograms (%.1f native buckets on average), %,d gauges%n",
        size,
        load.counters,
        load.histograms,
        load.histograms == 0 ? 0.0 : (double) load.nativeBuckets / load.histograms,
        load.gauges);
    Map<String, MetricStores> storeKinds = new LinkedHashMap<>();
    SerializedStores serialized = new SerializedStores(load.stores);
    storeKinds.put("objects", serialized.decodedOnce());
    storeKinds.put("decoded", serialized);
    Map<String, ExpositionFormatWriter> formats = new LinkedHashMap<>();
    formats.put("prometheus text", PrometheusTextFormatWriter.create());
    formats.put(
        "openmetrics text",
        OpenMetricsTextFormatWriter.builder().setCreatedTimestampsEnabled(true).build());
    formats.put("protobuf", new PrometheusProtobufWriter());
    Map<String, ScrapeFormat> directFormats = new LinkedHashMap<>();
    directFormats.put("prometheus text", ScrapeFormat.PROMETHEUS_TEXT);
    directFormats.put("openmetrics text", ScrapeFormat.OPENMETRICS);
    directFormats.put("protobuf", ScrapeFormat.PROTOBUF);
    for (Map.Entry<String, MetricStores> stores : storeKinds.entrySet()) {
      TallyCollector collector =
          TallyCollector.builder()
              .stores(stores.getValue())
              .catalog(catalog)
              .config(TallyConfig.fromMap(Map.of()))
              .clock(Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC))
              .build();
      System.out.printf(
          Locale.ROOT,
          "%-8s %-24s %10s %10s %10s %10s %12s%n",
          "stores",
          "format",
          "median ms",
          "p90 ms",
          "min ms",
          "collect ms",
          "bytes");
      for (Map.Entry<String, ExpositionFormatWriter> format : formats.entrySet()) {
        if (!selected(stores.getKey(), format.getKey())) {
          continue;
        }
        Scraper scraper = hint -> scrape(format.getValue(), collector, hint);
        measure(stores.getKey(), format.getKey(), scraper, runs);
      }
      for (Map.Entry<String, ScrapeFormat> format : directFormats.entrySet()) {
        if (!selected(stores.getKey(), "direct " + format.getKey())) {
          continue;
        }
        Scraper scraper = hint -> direct(format.getValue(), collector, hint);
        measure(stores.getKey(), "direct " + format.getKey(), scraper, runs);
      }
      measureHttp(stores.getKey(), stores.getValue(), catalog, runs);
    }
  }

  /**
   * Serves {@code size} series, decoded from store bytes on every scrape, on a free loopback port
   * until killed, for a real Prometheus to scrape ({@code bench/scrape-prometheus.sh}). Also serves
   * one such scrape, fetched once in the format {@code accept} asks for and gzipped, from memory on
   * a second port: what Prometheus takes to scrape that is its own share of a scrape. Prints {@code
   * tally <url>} and {@code static <url>}.
   */
  private static void serve(int size, String accept) throws IOException {
    MetricCatalog catalog = MetricCatalog.builtin(Integer.MAX_VALUE);
    MetricStores stores = new SerializedStores(Load.build(catalog, size).stores);
    TallyExporter exporter = startExporter(stores, catalog);
    URI metrics = exporter.url().resolve("metrics");
    HttpResponse<byte[]> once;
    try {
      once =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(metrics)
                      .header("Accept", accept)
                      .header("Accept-Encoding", "gzip")
                      .build(),
                  HttpResponse.BodyHandlers.ofByteArray());
    } catch (InterruptedException e) {
      throw new IOException(e);
    }
    HttpServer fixed =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    fixed.createContext(
        "/metrics",
        exchange -> {
          exchange
              .getResponseHeaders()
              .set("Content-Type", once.headers().firstValue("Content-Type").orElseThrow());
          exchange.getResponseHeaders().set("Content-Encoding", "gzip");
          exchange.sendResponseHeaders(200, once.body().length);
          try (var body = exchange.getResponseBody()) {
            body.write(once.body());
          }
        });
    fixed.start();
    System.out.println("tally " + metrics);
    System.out.println("static http://127.0.0.1:" + fixed.getAddress().getPort() + "/metrics");
    System.out.flush();
    try {
      Thread.sleep(Long.MAX_VALUE);
    } catch (InterruptedException e) {
      exporter.close();
      fixed.stop(0);
    }
  }

  /** The exporter over {@code stores} on a free loopback port, JVM metrics off. */
  private static TallyExporter startExporter(MetricStores stores, MetricCatalog catalog) {
    return TallyExporter.builder()
        .stores(stores)
        .catalog(catalog)
        .config(TallyConfig.fromMap(Map.of(TallyConfig.HTTP_PORT, "0")))
        .clock(Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC))
        .jvmMetrics(false)
        .bindAddress(InetAddress.getLoopbackAddress())
        .start();
  }

  /**
   * Whole scrapes as Prometheus makes them: over HTTP (loopback) through {@link TallyExporter},
   * with Prometheus' Accept headers and gzip, timed until the last byte has arrived.
   */
  private static void measureHttp(
      String storesName, MetricStores stores, MetricCatalog catalog, int runs) throws IOException {
    Map<String, String> accepts = new LinkedHashMap<>();
    accepts.put("http openmetrics", PROMETHEUS_TEXT_ACCEPT);
    accepts.put("http protobuf", PROMETHEUS_PROTOBUF_ACCEPT);
    // Prometheus with enable_compression: false in its scrape config.
    accepts.put("http openmetrics plain", PROMETHEUS_TEXT_ACCEPT);
    try (TallyExporter exporter = startExporter(stores, catalog)) {
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      for (Map.Entry<String, String> accept : accepts.entrySet()) {
        if (!selected(storesName, accept.getKey())) {
          continue;
        }
        boolean gzip = !accept.getKey().endsWith("plain");
        HttpRequest request =
            HttpRequest.newBuilder(exporter.url().resolve("metrics"))
                .header("Accept", accept.getValue())
                .header("Accept-Encoding", gzip ? "gzip" : "identity")
                .build();
        long warmupEnd = System.nanoTime() + warmupNanos;
        int bytes = 0;
        for (int i = 0; i < WARMUP_SCRAPES || System.nanoTime() < warmupEnd; i++) {
          bytes = send(client, request);
        }
        double[] total = new double[runs];
        for (int i = 0; i < runs; i++) {
          long start = System.nanoTime();
          bytes = send(client, request);
          total[i] = (System.nanoTime() - start) / 1e6;
        }
        Arrays.sort(total);
        System.out.printf(
            Locale.ROOT,
            "%-8s %-24s %10.1f %10.1f %10.1f %10s %,12d%s%n",
            storesName,
            accept.getKey(),
            median(total),
            total[(int) Math.ceil(runs * 0.9) - 1],
            total[0],
            "-",
            bytes,
            gzip ? " gzip" : "");
        result(storesName, accept.getKey() + (gzip ? " gzip" : ""), median(total));
      }
    }
  }

  private static int send(HttpClient client, HttpRequest request) throws IOException {
    try {
      HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
      if (response.statusCode() != 200) {
        throw new IOException("scrape answered " + response.statusCode());
      }
      return response.body().length;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  /** One in-process scrape into a buffer of about {@code hint} bytes. */
  private interface Scraper {
    Result scrape(int hint) throws IOException;
  }

  private static void measure(String stores, String name, Scraper scraper, int runs)
      throws IOException {
    int size = 1 << 20;
    long warmupEnd = System.nanoTime() + warmupNanos;
    for (int i = 0; i < WARMUP_SCRAPES || System.nanoTime() < warmupEnd; i++) {
      size = scraper.scrape(size).bytes;
    }
    double[] total = new double[runs];
    double[] collect = new double[runs];
    for (int i = 0; i < runs; i++) {
      Result r = scraper.scrape(size);
      total[i] = r.totalMs;
      collect[i] = r.collectMs;
      size = r.bytes;
    }
    Arrays.sort(total);
    Arrays.sort(collect);
    System.out.printf(
        Locale.ROOT,
        "%-8s %-24s %10.1f %10.1f %10.1f %10.1f %,12d%n",
        stores,
        name,
        median(total),
        total[(int) Math.ceil(runs * 0.9) - 1],
        total[0],
        median(collect),
        size);
    result(stores, name, median(total));
  }

  private static boolean selected(String stores, String row) {
    return rowFilter.matcher(stores + " " + row).matches();
  }

  /** The machine-readable line of one row, for {@code bench/all.sh}. */
  private static void result(String stores, String row, double medianMs) {
    System.out.printf(
        Locale.ROOT,
        "RESULT scrape_%d_%s_%s_median_ms %.1f ms%n",
        currentSize,
        stores,
        row.replace(' ', '_'),
        medianMs);
  }

  private record Result(double totalMs, double collectMs, int bytes) {}

  /** One scrape as the HTTP handler does it: collect, then write into a buffer. */
  private static Result scrape(ExpositionFormatWriter writer, TallyCollector collector, int hint)
      throws IOException {
    long start = System.nanoTime();
    MetricSnapshots snapshots = collector.collect();
    long collected = System.nanoTime();
    ByteArrayOutputStream out = new ByteArrayOutputStream(hint + 1024);
    writer.write(out, snapshots);
    long end = System.nanoTime();
    return new Result((end - start) / 1e6, (collected - start) / 1e6, out.size());
  }

  /**
   * One text scrape as {@code /metrics} serves it: read the stores once, client_java writes Tally's
   * own families, the catalog's series are written straight from what was read. {@code collect ms}
   * is the read.
   */
  private static Result direct(ScrapeFormat format, TallyCollector collector, int hint)
      throws IOException {
    long start = System.nanoTime();
    ScrapeReading reading = collector.read();
    long read = System.nanoTime();
    ByteArrayOutputStream out = new ByteArrayOutputStream(hint + 1024);
    format.write(out, new Scrape(reading.catalog(), reading.ownSnapshots()));
    long end = System.nanoTime();
    return new Result((end - start) / 1e6, (read - start) / 1e6, out.size());
  }

  private static double median(double[] sorted) {
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  /** The in-memory stores and what they hold. */
  private static final class Load {
    final FakeMetricStores stores = new FakeMetricStores();
    int counters;
    int histograms;
    int gauges;
    long nativeBuckets;

    static Load build(MetricCatalog catalog, int size) {
      Load load = new Load();
      Map<MetricType, List<MetricDefinition>> byType = new LinkedHashMap<>();
      for (MetricDefinition m : catalog.metrics()) {
        byType.computeIfAbsent(m.type(), t -> new ArrayList<>()).add(m);
      }
      Random random = new Random(7);
      for (int i = 0; i < size; i++) {
        int slot = i % 10;
        MetricType type =
            slot < 6 ? MetricType.COUNTER : slot < 8 ? MetricType.HISTOGRAM : MetricType.GAUGE;
        List<MetricDefinition> candidates = byType.get(type);
        MetricDefinition metric = candidates.get((i / 10) % candidates.size());
        String[] labels = labels(metric, i);
        long created = NOW - 86_400_000L + random.nextInt(86_400_000);
        switch (type) {
          case COUNTER -> {
            load.stores.counter(metric.name(), random.nextInt(1_000_000), created, labels);
            load.counters++;
          }
          case HISTOGRAM -> {
            Histogram h = Histogram.empty(metric.layout());
            double median = 0.005 + random.nextDouble() * 0.2;
            for (int k = 0; k < 400; k++) {
              h.observe(median * Math.exp(random.nextGaussian() * 0.3));
            }
            load.nativeBuckets += h.positiveBuckets().size();
            load.stores.histogram(metric.name(), h, created, labels);
            load.histograms++;
          }
          case GAUGE -> {
            load.stores.gauge(
                metric.name(), "svc/instance-1", random.nextInt(10_000), NOW - 1_000, labels);
            load.gauges++;
          }
        }
      }
      return load;
    }

    /** The metric's own label names; the first value makes the series unique. */
    private static String[] labels(MetricDefinition metric, int i) {
      List<String> names = metric.labelNames();
      String[] pairs = new String[names.size() * 2];
      for (int k = 0; k < names.size(); k++) {
        pairs[2 * k] = names.get(k);
        pairs[2 * k + 1] = k == 0 ? names.get(k) + "-" + i : names.get(k) + "-" + (i % 7);
      }
      return pairs;
    }
  }
}
