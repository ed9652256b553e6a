package dev.tally.streams.topology;

import dev.tally.streams.commit.CommittedView;
import dev.tally.streams.commit.Overlay;
import dev.tally.streams.config.WindowSpec;
import dev.tally.streams.series.SeriesKey;
import dev.tally.streams.store.Aggregate;
import dev.tally.streams.store.Cumulative;
import dev.tally.streams.store.GaugeKey;
import dev.tally.streams.store.GaugeSample;
import dev.tally.streams.store.GaugeWindow;
import dev.tally.streams.store.Partial;
import dev.tally.streams.store.WindowKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Second stage, on the task that owns a series (partials arrive keyed by series): fold partials
 * into the cumulative total, the windows of every resolution the router found them on time for, and
 * the gauge samples; after each gauge update, the series' new value into its gauge window of every
 * resolution (by the sample's event time).
 *
 * <p>Lateness is decided upstream, per source ({@link Lateness}); this task's stream time decides
 * nothing. Before its first write to a key after a commit, the task remembers the key's committed
 * value in the {@link CommittedView}, so that readers never see a write a crash could take back.
 */
final class SeriesOwner implements Processor<SeriesKey, Partial, Void, Void> {
  private static final Duration PURGE_INTERVAL = Duration.ofSeconds(30);
  private static final Duration RETENTION_INTERVAL = Duration.ofMinutes(10);
  // Decoded values kept per store and task. A histogram series holds a few KB decoded: 1,024 of
  // each of the four stores (cumulative, three windows) stays within ~16 MB per task.
  private static final int CACHED_VALUES = 1024;

  private final List<WindowSpec> windows;
  private final long gaugeTtlMs;
  private final long seriesRetentionMs;
  private final CommittedView view;

  private ProcessorContext<Void, Void> context;
  private KeyValueStore<SeriesKey, Cumulative> cumulative;
  private KeyValueStore<GaugeKey, GaugeSample> gauges;
  private final List<WindowStore<SeriesKey, Aggregate>> windowStores = new ArrayList<>();
  private Overlay<SeriesKey, Cumulative> cumulativeCommitted;
  private Overlay<GaugeKey, GaugeSample> gaugesCommitted;
  private final List<Overlay<WindowKey, Aggregate>> windowsCommitted = new ArrayList<>();
  private final DecodedCache<SeriesKey, Cumulative> cumulativeDecoded =
      new DecodedCache<>(CACHED_VALUES);
  private final List<DecodedCache<WindowKey, Aggregate>> windowsDecoded = new ArrayList<>();
  // The gauge keys of each source held here, so that a Seen partial finds them; rebuilt from the
  // store when the task starts.
  private final Map<String, Set<GaugeKey>> gaugesBySource = new HashMap<>();
  // Each gauge series' value per source, as it counts in the series' value (a delta source no
  // lower than zero): the series' value after an update is their sum. Rebuilt from the store when
  // the task starts.
  private final Map<SeriesKey, Map<String, Double>> gaugeSources = new HashMap<>();
  private final List<WindowStore<SeriesKey, GaugeWindow>> gaugeWindowStores = new ArrayList<>();
  private final List<Overlay<WindowKey, GaugeWindow>> gaugeWindowsCommitted = new ArrayList<>();
  private final Predicate<String> deltaGauge;

  /**
   * @param deltaGauge whether a metric is a delta gauge, whose sources count no lower than zero
   */
  SeriesOwner(
      List<WindowSpec> windows,
      Duration gaugeTtl,
      Duration seriesRetention,
      CommittedView view,
      Predicate<String> deltaGauge) {
    this.deltaGauge = deltaGauge;
    this.windows = windows;
    this.gaugeTtlMs = gaugeTtl.toMillis();
    this.seriesRetentionMs = seriesRetention.toMillis();
    this.view = view;
  }

  @Override
  public void init(ProcessorContext<Void, Void> context) {
    this.context = context;
    cumulative = context.getStateStore(StoreNames.CUMULATIVE);
    gauges = context.getStateStore(StoreNames.GAUGES);
    cumulativeCommitted =
        view.open(
            StoreNames.CUMULATIVE,
            context.taskId(),
            c -> new Cumulative(c.createdMs(), c.updatedMs(), c.seenMs(), c.aggregate().copy()));
    gaugesCommitted = view.open(StoreNames.GAUGES, context.taskId(), UnaryOperator.identity());
    windowStores.clear();
    windowsCommitted.clear();
    cumulativeDecoded.clear();
    windowsDecoded.clear();
    for (WindowSpec spec : windows) {
      windowStores.add(context.getStateStore(StoreNames.window(spec)));
      windowsDecoded.add(new DecodedCache<>(CACHED_VALUES));
      windowsCommitted.add(view.open(StoreNames.window(spec), context.taskId(), Aggregate::copy));
    }
    gaugeWindowStores.clear();
    gaugeWindowsCommitted.clear();
    for (WindowSpec spec : windows) {
      gaugeWindowStores.add(context.getStateStore(StoreNames.gaugeWindow(spec)));
      gaugeWindowsCommitted.add(
          view.open(StoreNames.gaugeWindow(spec), context.taskId(), UnaryOperator.identity()));
    }
    gaugesBySource.clear();
    gaugeSources.clear();
    try (KeyValueIterator<GaugeKey, GaugeSample> all = gauges.all()) {
      all.forEachRemaining(
          kv -> {
            gaugesBySource.computeIfAbsent(kv.key.source(), k -> new HashSet<>()).add(kv.key);
            sourceValue(kv.key, kv.value.value());
          });
    }
    context.schedule(PURGE_INTERVAL, PunctuationType.WALL_CLOCK_TIME, this::purgeExpiredGauges);
    if (seriesRetentionMs > 0) {
      context.schedule(
          RETENTION_INTERVAL, PunctuationType.WALL_CLOCK_TIME, this::purgeRetiredSeries);
    }
  }

  /**
   * Deletes the totals of series with no update for {@code series.retention}: a series that returns
   * after that starts from 0, with a new created timestamp.
   */
  private void purgeRetiredSeries(long wallClockMs) {
    List<SeriesKey> retired = new ArrayList<>();
    try (KeyValueIterator<SeriesKey, Cumulative> all = cumulative.all()) {
      all.forEachRemaining(
          kv -> {
            if (kv.value.seenMs() + seriesRetentionMs < wallClockMs) {
              retired.add(kv.key);
            }
          });
    }
    for (SeriesKey series : retired) {
      cumulative.delete(series);
      cumulativeDecoded.remove(series);
    }
  }

  @Override
  public void process(Record<SeriesKey, Partial> record) {
    SeriesKey series = record.key();
    Partial partial = record.value();
    if (series == null || partial == null) {
      return;
    }
    if (partial instanceof Partial.Gauge gauge) {
      updateGauge(series, gauge);
      return;
    }
    if (partial instanceof Partial.Seen seen) {
      markSeen(seen);
      return;
    }
    Partial.Window window = (Partial.Window) partial;
    addToCumulative(series, window.aggregate(), window.eventTimeMs(), window.windowStartMs());
    for (int i = 0; i < windows.size(); i++) {
      if ((window.windows() & (1 << i)) == 0) {
        continue;
      }
      long size = windows.get(i).size().toMillis();
      long start = Math.floorDiv(window.windowStartMs(), size) * size;
      WindowStore<SeriesKey, Aggregate> store = windowStores.get(i);
      WindowKey key = new WindowKey(series, start);
      DecodedCache<WindowKey, Aggregate> decoded = windowsDecoded.get(i);
      Aggregate existing = decoded.get(key);
      if (existing == null) {
        existing = store.fetch(series, start);
      }
      windowsCommitted.get(i).remember(key, existing);
      Aggregate merged = window.aggregate().copy();
      if (existing != null) {
        existing.merge(merged);
        merged = existing;
      }
      store.put(series, merged, start);
      decoded.put(key, merged);
    }
  }

  @Override
  public void close() {
    view.close(StoreNames.CUMULATIVE, context.taskId());
    view.close(StoreNames.GAUGES, context.taskId());
    for (WindowSpec spec : windows) {
      view.close(StoreNames.window(spec), context.taskId());
      view.close(StoreNames.gaugeWindow(spec), context.taskId());
    }
  }

  private void addToCumulative(SeriesKey series, Aggregate add, long eventTime, long firstWindow) {
    Cumulative existing = cumulativeDecoded.get(series);
    if (existing == null) {
      existing = cumulative.get(series);
    }
    cumulativeCommitted.remember(series, existing);
    Cumulative next;
    if (existing == null) {
      // Created = start of the first window the series counted in (event time); Tally's own
      // counters are not windowed and take the time of their first record instead.
      long created = firstWindow > 0 ? firstWindow : eventTime;
      next = new Cumulative(created, eventTime, context.currentSystemTimeMs(), add.copy());
    } else {
      Aggregate total = existing.aggregate();
      total.merge(add);
      next =
          new Cumulative(
              existing.createdMs(),
              Math.max(existing.updatedMs(), eventTime),
              context.currentSystemTimeMs(),
              total);
    }
    cumulative.put(series, next);
    cumulativeDecoded.put(series, next);
  }

  private void updateGauge(SeriesKey series, Partial.Gauge gauge) {
    GaugeKey key = new GaugeKey(series, gauge.source());
    GaugeSample existing = gauges.get(key);
    gaugesCommitted.remember(key, existing);
    GaugeSample next;
    if (existing == null) {
      next = new GaugeSample(gauge.value(), gauge.eventTimeMs(), gauge.seenMs());
      gaugesBySource.computeIfAbsent(gauge.source(), k -> new HashSet<>()).add(key);
    } else {
      long seen = Math.max(existing.seenMs(), gauge.seenMs());
      if (gauge.delta()) {
        next =
            new GaugeSample(
                existing.value() + gauge.value(),
                Math.max(existing.eventTimeMs(), gauge.eventTimeMs()),
                seen);
      } else if (gauge.eventTimeMs() >= existing.eventTimeMs()) {
        next = new GaugeSample(gauge.value(), gauge.eventTimeMs(), seen);
      } else {
        next = new GaugeSample(existing.value(), existing.eventTimeMs(), seen);
      }
    }
    gauges.put(key, next);
    double current = counted(key, next.value());
    double value = sourceValue(key, next.value());
    // The window of this partial's sample gets the series' value with this source at that sample
    // (a last-value partial carries the source's latest sample of one finest window), whatever
    // later samples of the source arrived first; the other sources count as they stand now.
    // A delta source counts its running value.
    double windowValue = gauge.delta() ? value : value - current + counted(key, gauge.value());
    updateGaugeWindows(series, windowValue, gauge.eventTimeMs());
  }

  private double counted(GaugeKey key, double sample) {
    return deltaGauge.test(key.series().metric()) ? Math.max(0, sample) : sample;
  }

  /** Records a source's value of a gauge series; returns the series' value (over its sources). */
  private double sourceValue(GaugeKey key, double sample) {
    Map<String, Double> sources = gaugeSources.computeIfAbsent(key.series(), k -> new HashMap<>());
    sources.put(key.source(), counted(key, sample));
    double sum = 0;
    for (double v : sources.values()) {
      sum += v;
    }
    return sum;
  }

  /** The series' value after an update at {@code eventTimeMs}, into its window of each size. */
  private void updateGaugeWindows(SeriesKey series, double value, long eventTimeMs) {
    for (int i = 0; i < windows.size(); i++) {
      long size = windows.get(i).size().toMillis();
      long start = Math.floorDiv(eventTimeMs, size) * size;
      WindowStore<SeriesKey, GaugeWindow> store = gaugeWindowStores.get(i);
      GaugeWindow existing = store.fetch(series, start);
      gaugeWindowsCommitted.get(i).remember(new WindowKey(series, start), existing);
      store.put(
          series,
          existing == null ? GaugeWindow.of(value, eventTimeMs) : existing.with(value, eventTimeMs),
          start);
    }
  }

  /** The source sent an event: every gauge of it held here stays live from then on. */
  private void markSeen(Partial.Seen seen) {
    Set<GaugeKey> keys = gaugesBySource.get(seen.source());
    if (keys == null) {
      return;
    }
    for (GaugeKey key : keys) {
      GaugeSample existing = gauges.get(key);
      if (existing != null && existing.seenMs() < seen.seenMs()) {
        gaugesCommitted.remember(key, existing);
        gauges.put(key, new GaugeSample(existing.value(), existing.eventTimeMs(), seen.seenMs()));
      }
    }
  }

  /** Drops gauge sources that sent nothing within the TTL: a dead instance stops counting. */
  private void purgeExpiredGauges(long wallClockMs) {
    List<GaugeKey> expired = new ArrayList<>();
    try (KeyValueIterator<GaugeKey, GaugeSample> all = gauges.all()) {
      all.forEachRemaining(
          kv -> {
            if (kv.value.seenMs() + gaugeTtlMs < wallClockMs) {
              expired.add(kv.key);
            }
          });
    }
    for (GaugeKey key : expired) {
      gauges.delete(key);
      Map<String, Double> sources = gaugeSources.get(key.series());
      if (sources != null && sources.remove(key.source()) != null && sources.isEmpty()) {
        gaugeSources.remove(key.series());
      }
      Set<GaugeKey> keys = gaugesBySource.get(key.source());
      if (keys != null && keys.remove(key) && keys.isEmpty()) {
        gaugesBySource.remove(key.source());
      }
    }
  }
}
