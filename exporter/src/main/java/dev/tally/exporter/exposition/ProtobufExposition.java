package dev.tally.exporter.exposition;

import dev.tally.exporter.exposition.CatalogFamily.Sample;
import dev.tally.streams.histogram.HistogramView;
import dev.tally.streams.histogram.NativeBuckets;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Writes catalog families in the Prometheus protobuf format (length-delimited {@code
 * io.prometheus.client.MetricFamily} messages, the format that carries native histograms), with the
 * same fields client_java's {@code PrometheusProtobufWriter} sets for the same series (a test holds
 * it to that), but encoded straight from the series read from the stores.
 *
 * <p>Why not client_java's writer: it builds a protobuf object tree per scrape from snapshots that
 * sort and validate every label set and native bucket list as they are built; at 100k series that
 * is most of a scrape's cost. The encoding itself is small: varints, fixed 64-bit doubles and
 * length-delimited fields, written by number as protobuf orders them.
 */
final class ProtobufExposition {
  // Wire types.
  private static final int VARINT = 0;
  private static final int FIXED64 = 1;
  private static final int LEN = 2;

  // io.prometheus.client.MetricType
  private static final int COUNTER = 0;
  private static final int GAUGE = 1;
  private static final int HISTOGRAM = 4;

  private final OutputStream out;
  private final Proto family = new Proto(64 * 1024);
  private final Proto metric = new Proto(4 * 1024);
  private final Proto value = new Proto(4 * 1024);
  private final Proto scratch = new Proto(64);
  private final Spans spans = new Spans();

  ProtobufExposition(OutputStream out) {
    this.out = out;
  }

  void write(List<CatalogFamily> families) throws IOException {
    for (CatalogFamily f : families) {
      if (f.samples().isEmpty()) {
        continue;
      }
      family.len = 0;
      switch (f.type()) {
        case COUNTER -> {
          header(Names.counterBaseName(f.name()) + "_total", f.help(), COUNTER);
          f.samples().forEach(this::counter);
        }
        case GAUGE -> {
          header(f.name(), f.help(), GAUGE);
          f.samples().forEach(this::gauge);
        }
        case HISTOGRAM -> {
          header(f.name(), f.help(), HISTOGRAM);
          f.samples().forEach(this::histogram);
        }
      }
      scratch.len = 0;
      scratch.varint(family.len);
      out.write(scratch.buf, 0, scratch.len);
      out.write(family.buf, 0, family.len);
    }
  }

  /** MetricFamily: name (1), help (2), type (3); the metrics (4) follow. */
  private void header(String name, String help, int type) {
    family.string(1, name);
    if (help != null) {
      family.string(2, help);
    }
    family.tag(3, VARINT).varint(type);
  }

  /** Counter: value (1), created_timestamp (3) when known. */
  private void counter(Sample sample) {
    value.len = 0;
    value.doubleField(1, sample.value());
    if (sample.createdMs() > 0) {
      timestamp(value, 3, sample.createdMs());
    }
    metric(sample, 3);
  }

  /** Gauge: value (1). */
  private void gauge(Sample sample) {
    value.len = 0;
    value.doubleField(1, sample.value());
    metric(sample, 2);
  }

  /**
   * Histogram: sample_count (1), sample_sum (2), the classic buckets (3), then the native part:
   * schema (5), zero_threshold (6), zero_count (7), negative spans and deltas (9, 10), positive
   * spans and deltas (12, 13).
   */
  private void histogram(Sample sample) {
    HistogramView h = sample.histogram();
    value.len = 0;
    value.tag(1, VARINT).varint(h.count());
    value.doubleField(2, h.sum());
    double[] bounds = h.classicUpperBounds();
    long[] counts = h.classicCounts();
    long cumulative = 0;
    for (int i = 0; i < counts.length; i++) {
      cumulative += counts[i];
      // Bucket: cumulative_count (1), upper_bound (2).
      value.tag(3, LEN).varint(1 + Proto.varintSize(cumulative) + 1 + 8);
      value.tag(1, VARINT).varint(cumulative);
      value.doubleField(2, bounds[i]);
    }
    value.tag(5, VARINT).varint(zigZag(h.schema()));
    value.doubleField(6, h.zeroThreshold());
    value.tag(7, VARINT).varint(h.zeroCount());
    nativeBuckets(h.negativeBuckets(), 9, 10);
    nativeBuckets(h.positiveBuckets(), 12, 13);
    metric(sample, 7);
  }

  /**
   * Spans and deltas as client_java derives them: a gap of up to two empty buckets continues the
   * span with zero-count buckets, a wider one starts a new span.
   */
  private void nativeBuckets(NativeBuckets buckets, int spanField, int deltaField) {
    if (buckets.size() == 0) {
      return;
    }
    spans.reset(buckets.size());
    int offset = buckets.index(0);
    int length = 0;
    int previousIndex = offset;
    long previousCount = 0;
    for (int i = 0; i < buckets.size(); i++) {
      int index = buckets.index(i);
      if (index > previousIndex + 1) {
        if (index <= previousIndex + 3) {
          while (index > previousIndex + 1) {
            length++;
            previousIndex++;
            spans.delta(-previousCount);
            previousCount = 0;
          }
        } else {
          spans.span(offset, length);
          offset = index - (previousIndex + 1);
          length = 0;
        }
      }
      length++;
      previousIndex = index;
      spans.delta(buckets.count(i) - previousCount);
      previousCount = buckets.count(i);
    }
    spans.span(offset, length);
    for (int s = 0; s < spans.spanCount; s++) {
      // BucketSpan: offset (1, sint32), length (2, uint32).
      long zigOffset = zigZag(spans.offsets[s]);
      value
          .tag(spanField, LEN)
          .varint(2 + Proto.varintSize(zigOffset) + Proto.varintSize(spans.lengths[s]));
      value.tag(1, VARINT).varint(zigOffset);
      value.tag(2, VARINT).varint(spans.lengths[s]);
    }
    for (int d = 0; d < spans.deltaCount; d++) {
      value.tag(deltaField, VARINT).varint(zigZag(spans.deltas[d]));
    }
  }

  /** Metric: labels (1), then the value message in {@code valueField}; appended to the family. */
  private void metric(Sample sample, int valueField) {
    metric.len = 0;
    for (Map.Entry<String, String> label : sample.key().labels().entrySet()) {
      // LabelPair: name (1), value (2).
      scratch.len = 0;
      scratch.string(1, label.getKey());
      scratch.string(2, label.getValue());
      metric.tag(1, LEN).varint(scratch.len).bytes(scratch.buf, scratch.len);
    }
    metric.tag(valueField, LEN).varint(value.len).bytes(value.buf, value.len);
    family.tag(4, LEN).varint(metric.len).bytes(metric.buf, metric.len);
  }

  /** google.protobuf.Timestamp (proto3: zero fields are left out): seconds (1), nanos (2). */
  private static void timestamp(Proto to, int field, long ms) {
    long seconds = ms / 1000;
    long nanos = ms % 1000 * 1_000_000;
    int size =
        (seconds != 0 ? 1 + Proto.varintSize(seconds) : 0)
            + (nanos != 0 ? 1 + Proto.varintSize(nanos) : 0);
    to.tag(field, LEN).varint(size);
    if (seconds != 0) {
      to.tag(1, VARINT).varint(seconds);
    }
    if (nanos != 0) {
      to.tag(2, VARINT).varint(nanos);
    }
  }

  private static long zigZag(long v) {
    return (v << 1) ^ (v >> 63);
  }

  /** The spans and deltas of one side of a native histogram, reused from series to series. */
  private static final class Spans {
    private int[] offsets = new int[16];
    private int[] lengths = new int[16];
    private long[] deltas = new long[256];
    private int spanCount;
    private int deltaCount;

    void reset(int buckets) {
      spanCount = 0;
      deltaCount = 0;
      // A bucket adds at most three deltas (two for the gap before it) and one span.
      if (deltas.length < 3 * buckets) {
        deltas = new long[3 * buckets];
      }
      if (offsets.length < buckets + 1) {
        offsets = new int[buckets + 1];
        lengths = new int[buckets + 1];
      }
    }

    void span(int offset, int length) {
      offsets[spanCount] = offset;
      lengths[spanCount++] = length;
    }

    void delta(long delta) {
      deltas[deltaCount++] = delta;
    }
  }

  /** A growing buffer of protobuf fields. */
  private static final class Proto {
    private byte[] buf;
    private int len;

    Proto(int size) {
      buf = new byte[size];
    }

    private void room(int n) {
      if (len + n > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
      }
    }

    Proto tag(int field, int wireType) {
      return varint((field << 3) | wireType);
    }

    Proto varint(long v) {
      room(10);
      while ((v & ~0x7FL) != 0) {
        buf[len++] = (byte) ((v & 0x7F) | 0x80);
        v >>>= 7;
      }
      buf[len++] = (byte) v;
      return this;
    }

    static int varintSize(long v) {
      int n = 1;
      while ((v & ~0x7FL) != 0) {
        n++;
        v >>>= 7;
      }
      return n;
    }

    Proto doubleField(int field, double d) {
      tag(field, FIXED64);
      room(8);
      long bits = Double.doubleToRawLongBits(d);
      for (int i = 0; i < 8; i++) {
        buf[len++] = (byte) (bits >>> (8 * i));
      }
      return this;
    }

    /** A string field in UTF-8; ASCII, the usual case, without an intermediate array. */
    Proto string(int field, String s) {
      tag(field, LEN);
      int n = s.length();
      for (int i = 0; i < n; i++) {
        if (s.charAt(i) >= 0x80) {
          byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
          return varint(utf8.length).bytes(utf8, utf8.length);
        }
      }
      varint(n);
      room(n);
      for (int i = 0; i < n; i++) {
        buf[len++] = (byte) s.charAt(i);
      }
      return this;
    }

    Proto bytes(byte[] b, int n) {
      room(n);
      System.arraycopy(b, 0, buf, len, n);
      len += n;
      return this;
    }
  }
}
