package dev.tally.streams.bench;

import dev.tally.loadgen.EventLoad;
import dev.tally.loadgen.GeneratedEvent;
import dev.tally.schemas.Event;
import dev.tally.schemas.validation.EventParser;
import dev.tally.schemas.validation.ParseResult;
import dev.tally.streams.catalog.MetricCatalog;
import dev.tally.streams.catalog.MetricType;
import dev.tally.streams.histogram.Histogram;
import dev.tally.streams.histogram.HistogramLayout;
import dev.tally.streams.histogram.HistogramSerde;
import dev.tally.streams.store.Aggregate;
import dev.tally.streams.store.Partial;
import dev.tally.streams.store.PendingKey;
import dev.tally.streams.topology.EventMapper;
import dev.tally.streams.topology.SeriesUpdate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * JMH micro-benchmarks of the per-event hot paths, each on realistic input: the events of the
 * shared {@link EventLoad} (every event family, log-normal latencies), cycled through so that no
 * single event stays hot in the caches. Run by {@link MicroBenchmarks}; average time per operation.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class HotPaths {
  private static final int EVENTS = 4096;

  /** Load-generator events as bytes, parsed, and mapped to series updates. */
  @State(Scope.Thread)
  public static class Events {
    final EventParser parser = EventParser.withDefaults();
    EventMapper mapper;
    byte[][] json;
    Event[] parsed;
    SeriesUpdate[] updates;
    int next;

    @Setup
    public void setUp() {
      // Recent timestamps: the parser rejects events too far in the past or future.
      EventLoad load = EventLoad.builder().seed(7).startMs(System.currentTimeMillis()).build();
      mapper = new EventMapper(MetricCatalog.builtin(10_000));
      List<byte[]> bytes = new ArrayList<>();
      List<Event> events = new ArrayList<>();
      List<SeriesUpdate> mapped = new ArrayList<>();
      while (events.size() < EVENTS) {
        GeneratedEvent e = load.next();
        if (parser.parse(e.json()) instanceof ParseResult.Parsed p) {
          bytes.add(e.json());
          events.add(p.event());
          mapped.addAll(mapper.map(p.event()));
        }
      }
      json = bytes.toArray(byte[][]::new);
      parsed = events.toArray(Event[]::new);
      updates =
          mapped.stream()
              .filter(u -> u.metric().type() != MetricType.GAUGE)
              .toArray(SeriesUpdate[]::new);
    }

    int next(int length) {
      int i = next;
      next = i + 1 == length ? 0 : i + 1;
      return i;
    }
  }

  /** JSON bytes → validated event record ({@code EventParser.parse}). */
  @Benchmark
  public ParseResult parse(Events s) {
    return s.parser.parse(s.json[s.next(s.json.length)]);
  }

  /** Event → the series updates the built-in catalog makes of it ({@code EventMapper.map}). */
  @Benchmark
  public List<SeriesUpdate> map(Events s) {
    return s.mapper.map(s.parsed[s.next(s.parsed.length)]);
  }

  /**
   * The router's pre-aggregation add path, rebuilt from the public store classes: look up the
   * series' pending partial for its finest window in a hash map, add the counter value or observe
   * the histogram value into its {@link Aggregate}, and put the new {@link Partial.Window} back.
   * The buffer is emptied every 4,096 updates, as a flush would.
   */
  @State(Scope.Thread)
  public static class Buffer {
    final Map<PendingKey, Partial> pending = new HashMap<>();
    int added;
  }

  @Benchmark
  public Partial preAggregate(Events s, Buffer b) {
    SeriesUpdate update = s.updates[s.next(s.updates.length)];
    if (++b.added == EVENTS) {
      b.pending.clear();
      b.added = 0;
    }
    long windowStart = Math.floorDiv(update.eventTimeMs(), 10_000L) * 10_000L;
    PendingKey key = new PendingKey(update.series(), windowStart, 0b111, "");
    Partial.Window existing = (Partial.Window) b.pending.get(key);
    Aggregate aggregate;
    long eventTime = update.eventTimeMs();
    if (existing == null) {
      aggregate =
          update.metric().type() == MetricType.HISTOGRAM
              ? Aggregate.histogram(update.metric().layout())
              : Aggregate.counter();
    } else {
      aggregate = existing.aggregate();
      eventTime = Math.max(eventTime, existing.eventTimeMs());
    }
    if (update.metric().type() == MetricType.HISTOGRAM) {
      aggregate.observe(update.value());
    } else if (update.exactValue() != null) {
      aggregate.add(update.exactValue());
    } else {
      aggregate.add(update.value());
    }
    Partial.Window partial = new Partial.Window(windowStart, eventTime, 0b111, aggregate);
    b.pending.put(key, partial);
    return partial;
  }

  /**
   * Histograms of the catalog's latency layout: a cumulative one of 100,000 log-normal latencies
   * (median 50 ms, sigma 1), a partial of 100 of them, its serialized form, and values to observe.
   */
  @State(Scope.Thread)
  public static class Histograms {
    final HistogramSerde serde = new HistogramSerde();
    Serializer<Histogram> serializer;
    Deserializer<Histogram> deserializer;
    Histogram cumulative;
    Histogram partial;
    Histogram target;
    byte[] stored;
    double[] values;
    int next;

    @Setup
    public void setUp() {
      HistogramLayout layout =
          MetricCatalog.builtin(10_000).metric("ack_latency_seconds").orElseThrow().layout();
      SplittableRandom random = new SplittableRandom(11);
      values = new double[EVENTS];
      for (int i = 0; i < values.length; i++) {
        double u = 1.0 - random.nextDouble();
        values[i] =
            0.05
                * Math.exp(
                    Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble()));
      }
      cumulative = Histogram.empty(layout);
      partial = Histogram.empty(layout);
      for (int i = 0; i < 100_000; i++) {
        cumulative.observe(values[i % values.length] * (1 + i / 100_000.0));
      }
      for (int i = 0; i < 100; i++) {
        partial.observe(values[(i * 37) % values.length]);
      }
      target = cumulative.copy();
      serializer = serde.serializer();
      deserializer = serde.deserializer();
      stored = serializer.serialize("bench", cumulative);
    }
  }

  /** One observation into a histogram that already has its buckets. */
  @Benchmark
  public Histogram histogramObserve(Histograms h) {
    double v = h.values[h.next];
    h.next = h.next + 1 == h.values.length ? 0 : h.next + 1;
    h.target.observe(v);
    return h.target;
  }

  /** A partial of 100 observations merged into a cumulative histogram, as the owner does. */
  @Benchmark
  public Histogram histogramMerge(Histograms h) {
    return h.target.merge(h.partial);
  }

  /** The cumulative histogram to its stored bytes. */
  @Benchmark
  public byte[] histogramSerialize(Histograms h) {
    return h.serializer.serialize("bench", h.cumulative);
  }

  /** Stored bytes back to a histogram, as every read of a store does. */
  @Benchmark
  public Histogram histogramDeserialize(Histograms h) {
    return h.deserializer.deserialize("bench", h.stored);
  }
}
