package dev.tally.exporter.exposition;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.exporter.FakeMetricStores;
import dev.tally.exporter.collector.TallyCollector;
import dev.tally.exporter.collector.TallyCollectorTest;
import dev.tally.streams.histogram.Histogram;
import dev.tally.streams.histogram.NativeBuckets;
import io.prometheus.metrics.expositionformats.PrometheusProtobufWriter;
import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_36_2.Metrics;
import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_36_2.Metrics.BucketSpan;
import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_36_2.Metrics.MetricFamily;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The protobuf exposition (the format that carries native histograms) parsed back with the
 * generated Prometheus classes must hold exactly what the stores hold.
 */
class ProtobufExpositionTest {
  private static final long NOW = TallyCollectorTest.NOW;
  private static final long CREATED = TallyCollectorTest.CREATED;

  @Test
  void shouldCarryNativeBucketsZeroBucketAndSpansExactly() throws IOException {
    Histogram latency = TallyCollectorTest.latencies();
    for (int i = 1; i <= 300; i++) {
      latency.observe(i * 0.0007); // ~100 native buckets between 0.7 ms and 210 ms
    }
    latency.observe(0.0);
    latency.observe(0.0);
    latency.observe(-0.25);
    latency.observe(-4);
    latency.observe(42); // a lone far bucket: a gap in the spans
    FakeMetricStores stores =
        new FakeMetricStores()
            .histogram("ack_latency_seconds", latency, CREATED, "service", "im-gateway")
            .counter("ack_received_total", 17, CREATED, "service", "im-gateway");

    Map<String, MetricFamily> families = scrape(stores);

    Metrics.Histogram h = families.get("ack_latency_seconds").getMetric(0).getHistogram();
    assertThat(families.get("ack_latency_seconds").getType())
        .isEqualTo(Metrics.MetricType.HISTOGRAM);
    assertThat(h.getSampleCount()).isEqualTo(latency.count()).isEqualTo(305);
    assertThat(h.getSampleSum()).isEqualTo(latency.sum());
    assertThat(h.getSchema()).isEqualTo(latency.schema());
    assertThat(h.getZeroThreshold()).isEqualTo(latency.zeroThreshold());
    assertThat(h.getZeroCount()).isEqualTo(2);
    assertThat(latency.positiveBuckets().size()).isGreaterThan(90);
    assertThat(decode(h.getPositiveSpanList(), h.getPositiveDeltaList()))
        .isEqualTo(asMap(latency.positiveBuckets()));
    assertThat(decode(h.getNegativeSpanList(), h.getNegativeDeltaList()))
        .isEqualTo(asMap(latency.negativeBuckets()))
        .hasSize(2);
    assertThat(h.getPositiveSpanCount()).isGreaterThan(1);
    // client_java 1.8.0 writes created timestamps into protobuf for counters only; histograms
    // carry theirs in OpenMetrics text (see TallyCollectorTest).

    long[] cumulative = latency.classicCumulativeCounts();
    double[] bounds = latency.classicUpperBounds();
    assertThat(h.getBucketCount()).isEqualTo(bounds.length);
    for (int i = 0; i < bounds.length; i++) {
      assertThat(h.getBucket(i).getUpperBound()).isEqualTo(bounds[i]);
      assertThat(h.getBucket(i).getCumulativeCount()).isEqualTo(cumulative[i]);
    }

    Metrics.Metric counter = families.get("ack_received_total").getMetric(0);
    assertThat(counter.getCounter().getValue()).isEqualTo(17.0);
    assertThat(counter.getCounter().getCreatedTimestamp().getSeconds()).isEqualTo(CREATED / 1000);
    assertThat(counter.getLabel(0).getName()).isEqualTo("service");
    assertThat(counter.getLabel(0).getValue()).isEqualTo("im-gateway");
  }

  @Test
  void shouldMarkAnEmptyHistogramAsNative() throws IOException {
    FakeMetricStores stores =
        new FakeMetricStores()
            .histogram(
                "ack_latency_seconds", TallyCollectorTest.latencies(), CREATED, "service", "idle");

    Metrics.Histogram h = scrape(stores).get("ack_latency_seconds").getMetric(0).getHistogram();

    assertThat(h.getSampleCount()).isZero();
    assertThat(h.getSchema()).isEqualTo(TallyCollectorTest.latencies().schema());
    // Prometheus reads a protobuf histogram as native when it has a zero threshold, a zero count
    // or spans; without any of them an idle series would flip between classic and native.
    assertThat(h.getZeroThreshold() > 0 || h.getPositiveSpanCount() > 0).isTrue();
  }

  private static Map<String, MetricFamily> scrape(FakeMetricStores stores) throws IOException {
    TallyCollector collector =
        TallyCollector.builder()
            .stores(stores)
            .catalog(TallyCollectorTest.CATALOG)
            .config(TallyCollectorTest.CONFIG)
            .clock(Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC))
            .build();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new PrometheusProtobufWriter().write(out, collector.collect());
    Map<String, MetricFamily> families = new HashMap<>();
    InputStream in = new ByteArrayInputStream(out.toByteArray());
    MetricFamily family;
    while ((family = MetricFamily.parseDelimitedFrom(in)) != null) {
      families.put(family.getName(), family);
    }
    return families;
  }

  /** Spans (offset from the previous span's end) and deltas back to index → count. */
  private static Map<Integer, Long> decode(List<BucketSpan> spans, List<Long> deltas) {
    Map<Integer, Long> buckets = new TreeMap<>();
    int index = 0;
    int d = 0;
    long count = 0;
    for (int s = 0; s < spans.size(); s++) {
      index += spans.get(s).getOffset();
      for (int i = 0; i < spans.get(s).getLength(); i++) {
        count += deltas.get(d++);
        if (count != 0) {
          buckets.put(index, count);
        }
        index++;
      }
    }
    assertThat(d).as("every delta belongs to a span").isEqualTo(deltas.size());
    return buckets;
  }

  private static Map<Integer, Long> asMap(NativeBuckets buckets) {
    Map<Integer, Long> map = new TreeMap<>();
    for (int i = 0; i < buckets.size(); i++) {
      map.put(buckets.index(i), buckets.count(i));
    }
    return map;
  }
}
