package dev.tally.streams.store;

import dev.tally.streams.histogram.ExactSum;
import dev.tally.streams.histogram.Histogram;
import dev.tally.streams.histogram.HistogramSerde;
import dev.tally.streams.series.SeriesKey;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/** Serdes of every key and value Tally keeps in stores and sends through internal topics. */
public final class StoreSerdes {
  private static final int VERSION = 1;
  private static final int COUNTER = 0;
  private static final int HISTOGRAM = 1;
  private static final int WINDOW_PARTIAL = 0;
  private static final int GAUGE_PARTIAL = 1;
  private static final int SEEN_PARTIAL = 2;
  private static final HistogramSerde HISTOGRAMS = new HistogramSerde();

  private StoreSerdes() {}

  public static Serde<SeriesKey> seriesKey() {
    return serde(StoreSerdes::writeSeries, StoreSerdes::readSeries);
  }

  public static Serde<Aggregate> aggregate() {
    return serde(StoreSerdes::writeAggregate, StoreSerdes::readAggregate);
  }

  public static Serde<Cumulative> cumulative() {
    return serde(
        (w, c) -> {
          w.writeZigZag(c.createdMs()).writeZigZag(c.updatedMs()).writeZigZag(c.seenMs());
          writeAggregate(w, c.aggregate());
        },
        r -> new Cumulative(r.readZigZag(), r.readZigZag(), r.readZigZag(), readAggregate(r)));
  }

  public static Serde<GaugeKey> gaugeKey() {
    return serde(
        (w, k) -> {
          writeSeries(w, k.series());
          w.writeString(k.source());
        },
        r -> new GaugeKey(readSeries(r), r.readString()));
  }

  public static Serde<GaugeSample> gaugeSample() {
    return serde(
        (w, s) -> w.writeDouble(s.value()).writeZigZag(s.eventTimeMs()).writeZigZag(s.seenMs()),
        r -> new GaugeSample(r.readDouble(), r.readZigZag(), r.readZigZag()));
  }

  public static Serde<GaugeWindow> gaugeWindow() {
    return serde(
        (w, g) -> w.writeDouble(g.last()).writeZigZag(g.lastEventTimeMs()).writeDouble(g.max()),
        r -> new GaugeWindow(r.readDouble(), r.readZigZag(), r.readDouble()));
  }

  public static Serde<PendingKey> pendingKey() {
    return serde(
        (w, k) -> {
          writeSeries(w, k.series());
          w.writeZigZag(k.windowStartMs()).writeVarLong(k.windows()).writeString(k.source());
        },
        r -> new PendingKey(readSeries(r), r.readZigZag(), readWindows(r), r.readString()));
  }

  public static Serde<Partial> partial() {
    return serde(StoreSerdes::writePartial, StoreSerdes::readPartial);
  }

  private static void writePartial(Codec.Writer w, Partial p) {
    if (p instanceof Partial.Window win) {
      w.writeByte(WINDOW_PARTIAL)
          .writeZigZag(win.windowStartMs())
          .writeZigZag(win.eventTimeMs())
          .writeVarLong(win.windows());
      writeAggregate(w, win.aggregate());
    } else if (p instanceof Partial.Gauge g) {
      w.writeByte(GAUGE_PARTIAL)
          .writeString(g.source())
          .writeByte(g.delta() ? 1 : 0)
          .writeDouble(g.value())
          .writeZigZag(g.eventTimeMs())
          .writeZigZag(g.seenMs());
    } else {
      Partial.Seen seen = (Partial.Seen) p;
      w.writeByte(SEEN_PARTIAL).writeString(seen.source()).writeZigZag(seen.seenMs());
    }
  }

  private static Partial readPartial(Codec.Reader r) {
    int tag = r.readByte();
    return switch (tag) {
      case WINDOW_PARTIAL ->
          new Partial.Window(r.readZigZag(), r.readZigZag(), readWindows(r), readAggregate(r));
      case GAUGE_PARTIAL ->
          new Partial.Gauge(
              r.readString(), r.readByte() == 1, r.readDouble(), r.readZigZag(), r.readZigZag());
      case SEEN_PARTIAL -> new Partial.Seen(r.readString(), r.readZigZag());
      default -> throw new SerializationException("unknown partial tag " + tag);
    };
  }

  private static int readWindows(Codec.Reader r) {
    long windows = r.readVarLong();
    if (windows < 0 || windows > Integer.MAX_VALUE) {
      throw new SerializationException("implausible window set " + windows);
    }
    return (int) windows;
  }

  static void writeSeries(Codec.Writer w, SeriesKey key) {
    w.writeString(key.metric()).writeVarLong(key.labels().size());
    key.labels()
        .forEach(
            (name, value) -> {
              w.writeString(name);
              w.writeString(value);
            });
  }

  static SeriesKey readSeries(Codec.Reader r) {
    String metric = r.readString();
    long n = r.readVarLong();
    if (n < 0 || n > 1024) {
      throw new SerializationException("implausible label count " + n);
    }
    TreeMap<String, String> labels = new TreeMap<>();
    for (long i = 0; i < n; i++) {
      labels.put(r.readString(), r.readString());
    }
    return new SeriesKey(metric, labels);
  }

  static void writeAggregate(Codec.Writer w, Aggregate a) {
    if (a.isHistogram()) {
      w.writeByte(HISTOGRAM).writeVarLong(a.events());
      w.writeBytes(HISTOGRAMS.serializer().serialize(null, a.histogram()));
    } else {
      w.writeByte(COUNTER).writeVarLong(a.events());
      writeExactSum(w, a.exactTotal());
    }
  }

  static Aggregate readAggregate(Codec.Reader r) {
    int kind = r.readByte();
    return switch (kind) {
      case COUNTER -> Aggregate.counter(r.readVarLong(), readExactSum(r));
      case HISTOGRAM -> {
        long events = r.readVarLong();
        Histogram h = HISTOGRAMS.deserializer().deserialize(null, r.readBytes());
        yield Aggregate.histogram(events, h);
      }
      default -> throw new SerializationException("unknown aggregate kind " + kind);
    };
  }

  /** An exact sum as its lowest digit position, digit count and digits (see {@link ExactSum}). */
  private static void writeExactSum(Codec.Writer w, ExactSum sum) {
    long[] digits = sum.digits();
    w.writeVarLong(sum.low()).writeVarLong(digits.length);
    for (long digit : digits) {
      w.writeZigZag(digit);
    }
  }

  private static ExactSum readExactSum(Codec.Reader r) {
    long low = r.readVarLong();
    long count = r.readVarLong();
    if (low < 0 || low > ExactSum.MAX_DIGITS || count < 0 || count > ExactSum.MAX_DIGITS) {
      throw new SerializationException("implausible exact sum " + low + "/" + count);
    }
    long[] digits = new long[(int) count];
    for (int k = 0; k < digits.length; k++) {
      digits[k] = r.readZigZag();
    }
    try {
      return ExactSum.fromDigits((int) low, digits);
    } catch (IllegalArgumentException e) {
      throw new SerializationException(e.getMessage());
    }
  }

  private interface Write<T> {
    void write(Codec.Writer w, T value);
  }

  private static <T> Serde<T> serde(Write<T> write, Function<Codec.Reader, T> read) {
    Serializer<T> serializer =
        (topic, value) -> {
          if (value == null) {
            return null;
          }
          Codec.Writer w = new Codec.Writer(64).writeByte(VERSION);
          write.write(w, value);
          return w.toByteArray();
        };
    Deserializer<T> deserializer =
        (topic, bytes) -> {
          if (bytes == null) {
            return null;
          }
          Codec.Reader r = new Codec.Reader(bytes);
          int version = r.readByte();
          if (version != VERSION) {
            throw new SerializationException("unsupported record version " + version);
          }
          T value = read.apply(r);
          r.expectEnd();
          return value;
        };
    return Serdes.serdeFrom(serializer, deserializer);
  }
}
