package dev.tally.exporter.exposition;

import dev.tally.exporter.exposition.CatalogFamily.Sample;
import dev.tally.streams.histogram.HistogramLayout;
import dev.tally.streams.histogram.HistogramView;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes catalog families as OpenMetrics text or Prometheus text, byte for byte as client_java's
 * {@code OpenMetricsTextFormatWriter} and {@code PrometheusTextFormatWriter} write the same series
 * (a test holds it to that), but straight from the series read from the stores.
 *
 * <p>Why not client_java's writers: the snapshot model they take sorts and validates every label
 * set and native bucket list as it is built, and the writers go through a character encoder; at
 * 100k series that is most of a scrape's cost. Here each series' label set is escaped and encoded
 * once and reused for all its lines (a histogram has 16), bucket labels are encoded once per
 * layout, and numbers are written as ASCII digits into one reused buffer.
 *
 * <p>The names it gets are the catalog's, which are Prometheus' classic names (checked when the
 * catalog loads), so no name needs quoting or escaping; label values are escaped as both formats
 * require ({@code \\}, {@code \"}, {@code \n}).
 */
final class TextExposition {
  private static final byte[] TOTAL = ascii("_total");
  private static final byte[] CREATED = ascii("_created");
  private static final byte[] BUCKET = ascii("_bucket");
  private static final byte[] COUNT = ascii("_count");
  private static final byte[] SUM = ascii("_sum");

  private final Sink out;
  private final boolean openMetrics;
  private final Map<HistogramLayout, byte[][]> leLabels = new HashMap<>();

  /** The label set of the series being written: {@code {a="x",b="y"}} without the final brace. */
  private final Sink labels = new Sink(null, 256);

  TextExposition(OutputStream out, boolean openMetrics) {
    this.out = new Sink(out, 64 * 1024);
    this.openMetrics = openMetrics;
  }

  void write(List<CatalogFamily> families) throws IOException {
    try {
      writeAll(families);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  private void writeAll(List<CatalogFamily> families) throws IOException {
    for (CatalogFamily family : families) {
      if (!family.samples().isEmpty()) {
        switch (family.type()) {
          case COUNTER -> counter(family);
          case GAUGE -> gauge(family);
          case HISTOGRAM -> histogram(family);
        }
      }
    }
    out.flush();
  }

  private void counter(CatalogFamily family) throws IOException {
    byte[] base = ascii(Names.counterBaseName(family.name()));
    if (openMetrics) {
      metadata(base, "counter", family);
    } else {
      metadata(concat(base, TOTAL), "counter", family);
    }
    for (Sample sample : family.samples()) {
      labelSet(sample);
      out.bytes(base).bytes(TOTAL);
      closeLabels();
      out.number(sample.value()).newline();
      created(base, sample);
    }
  }

  private void gauge(CatalogFamily family) throws IOException {
    byte[] name = ascii(family.name());
    metadata(name, "gauge", family);
    for (Sample sample : family.samples()) {
      labelSet(sample);
      out.bytes(name);
      closeLabels();
      out.number(sample.value()).newline();
    }
  }

  private void histogram(CatalogFamily family) throws IOException {
    byte[] name = ascii(family.name());
    metadata(name, "histogram", family);
    for (Sample sample : family.samples()) {
      HistogramView histogram = sample.histogram();
      byte[][] le = leLabels.computeIfAbsent(histogram.layout(), l -> le(histogram));
      labelSet(sample);
      long[] counts = histogram.classicCounts();
      long cumulative = 0;
      for (int i = 0; i < counts.length; i++) {
        cumulative += counts[i];
        out.bytes(name).bytes(BUCKET);
        if (labels.len == 0) {
          out.ascii('{');
        } else {
          out.bytes(labels.buf, 0, labels.len).ascii(',');
        }
        out.bytes(le[i]).number(cumulative).newline();
      }
      out.bytes(name).bytes(COUNT);
      closeLabels();
      out.number(histogram.count()).newline();
      out.bytes(name).bytes(SUM);
      closeLabels();
      out.number(histogram.sum()).newline();
      created(name, sample);
    }
  }

  /** {@code le="0.005"} } and so on, one per classic bucket, +Inf last. */
  private static byte[][] le(HistogramView histogram) {
    double[] bounds = histogram.classicUpperBounds();
    byte[][] le = new byte[bounds.length][];
    for (int i = 0; i < bounds.length; i++) {
      Sink bound = new Sink(null, 32);
      bound.ascii("le=\"").number(bounds[i]).ascii("\"} ");
      le[i] = bound.toByteArray();
    }
    return le;
  }

  /** OpenMetrics: TYPE, UNIT, HELP of the base name; Prometheus text: HELP, TYPE. */
  private void metadata(byte[] name, String type, CatalogFamily family) throws IOException {
    String help = family.help() == null ? "" : family.help();
    if (openMetrics) {
      out.ascii("# TYPE ").bytes(name).ascii(' ').ascii(type).newline();
      if (family.unit() != null) {
        out.ascii("# UNIT ").bytes(name).ascii(' ').escaped(family.unit(), true).newline();
      }
      if (!help.isEmpty()) {
        out.ascii("# HELP ").bytes(name).ascii(' ').escaped(help, true).newline();
      }
    } else {
      if (!help.isEmpty()) {
        out.ascii("# HELP ").bytes(name).ascii(' ').escaped(help, false).newline();
      }
      out.ascii("# TYPE ").bytes(name).ascii(' ').ascii(type).newline();
    }
  }

  /** Encodes the sample's label set into {@link #labels}, once for all of its lines. */
  private void labelSet(Sample sample) {
    labels.len = 0;
    boolean first = true;
    for (Map.Entry<String, String> label : sample.key().labels().entrySet()) {
      labels.ascii(first ? '{' : ',').ascii(label.getKey()).ascii("=\"");
      labels.escaped(label.getValue(), true).ascii('"');
      first = false;
    }
  }

  /** The label set and the space before the value. */
  private void closeLabels() throws IOException {
    if (labels.len == 0) {
      out.ascii(' ');
    } else {
      out.bytes(labels.buf, 0, labels.len).ascii("} ");
    }
  }

  /** OpenMetrics only: Prometheus text has no created timestamps. */
  private void created(byte[] base, Sample sample) throws IOException {
    if (openMetrics && sample.createdMs() > 0) {
      out.bytes(base).bytes(CREATED);
      closeLabels();
      out.timestamp(sample.createdMs()).newline();
    }
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] c = new byte[a.length + b.length];
    System.arraycopy(a, 0, c, 0, a.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }

  /**
   * A growing (or, with a target stream, flushing) byte buffer with the few encoders the text
   * formats need. IOException only comes from the target stream.
   */
  private static final class Sink {
    private static final long NEGATIVE_ZERO = Double.doubleToRawLongBits(-0.0);

    private final OutputStream target;
    private byte[] buf;
    private int len;

    Sink(OutputStream target, int size) {
      this.target = target;
      this.buf = new byte[size];
    }

    /** Room for {@code n} more bytes: flushes to the target, or grows without one. */
    private void room(int n) {
      if (len + n <= buf.length) {
        return;
      }
      if (target != null && n <= buf.length) {
        flushUnchecked();
        return;
      }
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
    }

    Sink bytes(byte[] b) {
      return bytes(b, 0, b.length);
    }

    Sink bytes(byte[] b, int off, int n) {
      room(n);
      System.arraycopy(b, off, buf, len, n);
      len += n;
      return this;
    }

    Sink ascii(char c) {
      room(1);
      buf[len++] = (byte) c;
      return this;
    }

    /** Characters known to be ASCII: names, keywords. */
    Sink ascii(String s) {
      int n = s.length();
      room(n);
      for (int i = 0; i < n; i++) {
        buf[len++] = (byte) s.charAt(i);
      }
      return this;
    }

    Sink newline() {
      return ascii('\n');
    }

    /**
     * UTF-8 with {@code \\} and {@code \n} escaped, and {@code "} too when {@code quote} (label
     * values and OpenMetrics metadata; Prometheus text HELP leaves quotes alone).
     */
    Sink escaped(String s, boolean quote) {
      int n = s.length();
      for (int i = 0; i < n; i++) {
        char c = s.charAt(i);
        if (c >= 0x80) {
          return utf8(s, i, quote);
        }
        room(2);
        if (c == '\\') {
          buf[len++] = '\\';
          buf[len++] = '\\';
        } else if (c == '\n') {
          buf[len++] = '\\';
          buf[len++] = 'n';
        } else if (c == '"' && quote) {
          buf[len++] = '\\';
          buf[len++] = '"';
        } else {
          buf[len++] = (byte) c;
        }
      }
      return this;
    }

    /** The rest of {@code s} from {@code from}, which holds non-ASCII characters. */
    private Sink utf8(String s, int from, boolean quote) {
      String rest = s.substring(from).replace("\\", "\\\\").replace("\n", "\\n");
      if (quote) {
        rest = rest.replace("\"", "\\\"");
      }
      return bytes(rest.getBytes(StandardCharsets.UTF_8));
    }

    Sink number(long v) {
      if (v == Long.MIN_VALUE) {
        return ascii(Long.toString(v));
      }
      room(20);
      if (v < 0) {
        buf[len++] = '-';
        v = -v;
      }
      int digits = 1;
      for (long t = v; t >= 10; t /= 10) {
        digits++;
      }
      for (int i = len + digits - 1; i >= len; i--) {
        buf[i] = (byte) ('0' + v % 10);
        v /= 10;
      }
      len += digits;
      return this;
    }

    /**
     * As {@link Double#toString}, which client_java uses, with {@code +Inf} and {@code -Inf}; whole
     * numbers below 10^7 (most counters) skip the general conversion, which writes them the same.
     */
    Sink number(double d) {
      if (d == Math.rint(d)
          && Math.abs(d) < 1e7
          && Double.doubleToRawLongBits(d) != NEGATIVE_ZERO) {
        return number((long) d).ascii(".0");
      }
      if (d == Double.POSITIVE_INFINITY) {
        return ascii("+Inf");
      }
      if (d == Double.NEGATIVE_INFINITY) {
        return ascii("-Inf");
      }
      return ascii(Double.toString(d));
    }

    /** OpenMetrics seconds with milliseconds: {@code 1763892125.042}. */
    Sink timestamp(long ms) {
      number(ms / 1000).ascii('.');
      long frac = ms % 1000;
      if (frac < 100) {
        ascii('0');
      }
      if (frac < 10) {
        ascii('0');
      }
      return number(frac);
    }

    byte[] toByteArray() {
      return Arrays.copyOf(buf, len);
    }

    void flush() throws IOException {
      if (len > 0) {
        target.write(buf, 0, len);
        len = 0;
      }
    }

    private void flushUnchecked() {
      try {
        flush();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
