package dev.tally.exporter;

import dev.tally.streams.config.WindowSpec;
import dev.tally.streams.histogram.Histogram;
import dev.tally.streams.query.AggregateValue;
import dev.tally.streams.query.CumulativeValue;
import dev.tally.streams.query.MetricStores;
import dev.tally.streams.query.SeriesSelector;
import dev.tally.streams.series.SeriesKey;
import dev.tally.streams.store.Aggregate;
import dev.tally.streams.store.Cumulative;
import dev.tally.streams.store.GaugeKey;
import dev.tally.streams.store.GaugeSample;
import dev.tally.streams.store.GaugeWindow;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * In-memory {@link MetricStores} for tests and the scrape benchmark: entries come back in the order
 * they were added, duplicates included, exactly as a store with several local tasks would hand them
 * out.
 *
 * <pre>{@code
 * FakeMetricStores stores = new FakeMetricStores()
 *     .counter("ack_received_total", 3, CREATED, "service", "im-gateway")
 *     .gauge("queue_depth", "im-gateway/gw-1", 7, NOW, "service", "im-gateway", "queue", "jobs");
 * }</pre>
 */
public final class FakeMetricStores implements MetricStores {
  /** A last update far in the future: series.ttl never hides a fake series. */
  private static final long FRESH = Long.MAX_VALUE / 4;

  private final List<Map.Entry<SeriesKey, Cumulative>> cumulative = new ArrayList<>();
  private final List<Map.Entry<GaugeKey, GaugeSample>> gauges = new ArrayList<>();
  private final Map<String, TreeMap<Long, List<Map.Entry<SeriesKey, Aggregate>>>> windows =
      new HashMap<>();
  private final Map<String, TreeMap<Long, List<Map.Entry<SeriesKey, GaugeWindow>>>> gaugeWindows =
      new HashMap<>();
  private volatile RuntimeException failure;
  private volatile PartWay partWay;

  public static SeriesKey key(String metric, String... labelPairs) {
    TreeMap<String, String> labels = new TreeMap<>();
    for (int i = 0; i < labelPairs.length; i += 2) {
      labels.put(labelPairs[i], labelPairs[i + 1]);
    }
    return new SeriesKey(metric, labels);
  }

  /** A counter series with {@code total}, first seen at {@code createdMs}. */
  public FakeMetricStores counter(
      String metric, double total, long createdMs, String... labelPairs) {
    Aggregate aggregate = Aggregate.counter();
    aggregate.add(total);
    return cumulative(
        key(metric, labelPairs), new Cumulative(createdMs, createdMs, FRESH, aggregate));
  }

  public FakeMetricStores histogram(
      String metric, Histogram histogram, long createdMs, String... labelPairs) {
    Aggregate aggregate = Aggregate.histogram(histogram.layout());
    Histogram copy = aggregate.histogram();
    copy.merge(histogram);
    return cumulative(
        key(metric, labelPairs), new Cumulative(createdMs, createdMs, FRESH, aggregate));
  }

  public FakeMetricStores cumulative(SeriesKey key, Cumulative value) {
    cumulative.add(Map.entry(key, value));
    return this;
  }

  /** A gauge sample of one reporting source ({@code service/instance}). */
  public FakeMetricStores gauge(
      String metric, String source, double value, long eventTimeMs, String... labelPairs) {
    return gauge(
        new GaugeKey(key(metric, labelPairs), source),
        new GaugeSample(value, eventTimeMs, eventTimeMs));
  }

  public FakeMetricStores gauge(GaugeKey key, GaugeSample sample) {
    gauges.add(Map.entry(key, sample));
    return this;
  }

  /** A counter's total in the window of {@code spec} starting at {@code startMs}. */
  public FakeMetricStores windowCounter(
      WindowSpec spec, long startMs, String metric, long events, String... labelPairs) {
    return window(spec, startMs, key(metric, labelPairs), Aggregate.count(events));
  }

  /**
   * Any aggregate (a counter's, a histogram's) in the window of {@code spec} at {@code startMs}.
   */
  public FakeMetricStores window(WindowSpec spec, long startMs, SeriesKey key, Aggregate value) {
    windows
        .computeIfAbsent(spec.label(), k -> new TreeMap<>())
        .computeIfAbsent(startMs, k -> new ArrayList<>())
        .add(Map.entry(key, value));
    return this;
  }

  /** A gauge series' value in the window of {@code spec} starting at {@code startMs}. */
  public FakeMetricStores gaugeWindow(
      WindowSpec spec, long startMs, SeriesKey key, GaugeWindow value) {
    gaugeWindows
        .computeIfAbsent(spec.label(), k -> new TreeMap<>())
        .computeIfAbsent(startMs, k -> new ArrayList<>())
        .add(Map.entry(key, value));
    return this;
  }

  /** Every later read throws {@code failure} (e.g. rebalancing); null reads normally again. */
  public void failWith(RuntimeException failure) {
    this.failure = failure;
  }

  /**
   * Every later read visits at most {@code entries} entries, then throws {@code failure}, as a
   * store iterator does when its store closes under it (the task moved away); also a read with
   * fewer entries throws at its end, where the iterator's last {@code hasNext()} would.
   */
  public void failPartWay(int entries, RuntimeException failure) {
    this.partWay = new PartWay(entries, failure);
  }

  private record PartWay(int entries, RuntimeException failure) {}

  /** Counts one read's visits and throws where {@link #failPartWay} says. */
  private static final class Visits {
    private final PartWay partWay;
    private int visited;

    Visits(PartWay partWay) {
      this.partWay = partWay;
    }

    void next() {
      if (partWay != null && visited++ == partWay.entries()) {
        throw partWay.failure();
      }
    }

    void end() {
      if (partWay != null) {
        throw partWay.failure();
      }
    }
  }

  public int cumulativeSize() {
    return cumulative.size();
  }

  @Override
  public void cumulative(SeriesSelector selector, BiConsumer<SeriesKey, CumulativeValue> visitor) {
    Visits visits = check();
    cumulative.forEach(
        e -> {
          visits.next();
          if (selector.matches(e.getKey())) {
            // A copy per read, as a store decodes a fresh value per read.
            Cumulative c = e.getValue();
            visitor.accept(
                e.getKey(),
                CumulativeValue.of(
                    new Cumulative(
                        c.createdMs(),
                        c.updatedMs(),
                        c.seenMs(),
                        c.aggregate() == null ? null : c.aggregate().copy())));
          }
        });
    visits.end();
  }

  @Override
  public void gauges(SeriesSelector selector, BiConsumer<GaugeKey, GaugeSample> visitor) {
    Visits visits = check();
    gauges.forEach(
        e -> {
          visits.next();
          if (selector.matches(e.getKey().series())) {
            visitor.accept(e.getKey(), e.getValue());
          }
        });
    visits.end();
  }

  @Override
  public void gaugeWindows(
      WindowSpec spec,
      long fromStartMs,
      long toStartMs,
      SeriesSelector selector,
      GaugeWindowVisitor visitor) {
    Visits visits = check();
    gaugeWindows
        .getOrDefault(spec.label(), new TreeMap<>())
        .subMap(fromStartMs, true, toStartMs, true)
        .forEach(
            (start, entries) ->
                entries.forEach(
                    e -> {
                      visits.next();
                      if (selector.matches(e.getKey())) {
                        visitor.accept(e.getKey(), start, e.getValue());
                      }
                    }));
    visits.end();
  }

  @Override
  public void windows(
      WindowSpec spec,
      long fromStartMs,
      long toStartMs,
      SeriesSelector selector,
      WindowVisitor visitor) {
    Visits visits = check();
    windows
        .getOrDefault(spec.label(), new TreeMap<>())
        .subMap(fromStartMs, true, toStartMs, true)
        .forEach(
            (start, entries) ->
                entries.forEach(
                    e -> {
                      visits.next();
                      if (selector.matches(e.getKey())) {
                        visitor.accept(e.getKey(), start, AggregateValue.of(e.getValue().copy()));
                      }
                    }));
    visits.end();
  }

  private Visits check() {
    RuntimeException f = failure;
    if (f != null) {
      throw f;
    }
    return new Visits(partWay);
  }
}
