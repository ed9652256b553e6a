package dev.tally.streams.topology;

import dev.tally.streams.catalog.SelfMetrics;
import dev.tally.streams.config.WindowSpec;
import dev.tally.streams.series.SeriesKey;
import dev.tally.streams.store.Aggregate;
import dev.tally.streams.store.Cumulative;
import dev.tally.streams.store.GaugeKey;
import dev.tally.streams.store.GaugeSample;
import dev.tally.streams.store.Partial;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Second stage, on the task that owns a series (partials arrive keyed by series): fold partials
 * into the cumulative total, the open windows of every resolution, and the gauge samples.
 *
 * <p>A window is closed once the task's stream time passed its end plus the grace period. A partial
 * for a closed window still adds to the cumulative total but not to the window, and its events are
 * counted in {@code tally_late_events_total{metric}}.
 */
final class SeriesOwner implements Processor<SeriesKey, Partial, Void, Void> {
  private static final Duration PURGE_INTERVAL = Duration.ofSeconds(30);

  private final List<WindowSpec> windows;
  private final long graceMs;
  private final long gaugeTtlMs;

  private ProcessorContext<Void, Void> context;
  private KeyValueStore<SeriesKey, Cumulative> cumulative;
  private KeyValueStore<GaugeKey, GaugeSample> gauges;
  private final List<WindowStore<SeriesKey, Aggregate>> windowStores = new ArrayList<>();

  SeriesOwner(List<WindowSpec> windows, Duration grace, Duration gaugeTtl) {
    this.windows = windows;
    this.graceMs = grace.toMillis();
    this.gaugeTtlMs = gaugeTtl.toMillis();
  }

  @Override
  public void init(ProcessorContext<Void, Void> context) {
    this.context = context;
    cumulative = context.getStateStore(StoreNames.CUMULATIVE);
    gauges = context.getStateStore(StoreNames.GAUGES);
    windowStores.clear();
    for (WindowSpec spec : windows) {
      windowStores.add(context.getStateStore(StoreNames.window(spec)));
    }
    context.schedule(PURGE_INTERVAL, PunctuationType.WALL_CLOCK_TIME, this::purgeExpiredGauges);
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
    Partial.Window window = (Partial.Window) partial;
    addToCumulative(series, window.aggregate(), window.eventTimeMs(), window.windowStartMs());
    if (series.metric().startsWith(SelfMetrics.PREFIX)) {
      return; // Tally's own counters are totals only.
    }
    long streamTime = context.currentStreamTimeMs();
    for (int i = 0; i < windows.size(); i++) {
      long size = windows.get(i).size().toMillis();
      long start = Math.floorDiv(window.windowStartMs(), size) * size;
      if (start + size + graceMs <= streamTime) {
        if (i == 0) {
          Aggregate late = Aggregate.count(window.aggregate().events());
          addToCumulative(
              SeriesKey.of(SelfMetrics.EVENTS_LATE.name(), Map.of("metric", series.metric())),
              late,
              streamTime,
              0);
        }
        continue;
      }
      WindowStore<SeriesKey, Aggregate> store = windowStores.get(i);
      Aggregate existing = store.fetch(series, start);
      Aggregate merged = window.aggregate().copy();
      if (existing != null) {
        existing.merge(merged);
        merged = existing;
      }
      store.put(series, merged, start);
    }
  }

  private void addToCumulative(SeriesKey series, Aggregate add, long eventTime, long firstWindow) {
    Cumulative existing = cumulative.get(series);
    if (existing == null) {
      // Created = start of the first window the series counted in (event time); Tally's own
      // counters are not windowed and take the time of their first record instead.
      long created = firstWindow > 0 ? firstWindow : eventTime;
      cumulative.put(series, new Cumulative(created, eventTime, add.copy()));
      return;
    }
    Aggregate total = existing.aggregate();
    total.merge(add);
    cumulative.put(
        series,
        new Cumulative(existing.createdMs(), Math.max(existing.updatedMs(), eventTime), total));
  }

  private void updateGauge(SeriesKey series, Partial.Gauge gauge) {
    GaugeKey key = new GaugeKey(series, gauge.source());
    GaugeSample existing = gauges.get(key);
    GaugeSample next;
    if (existing == null) {
      next = new GaugeSample(gauge.value(), gauge.eventTimeMs());
    } else if (gauge.delta()) {
      next =
          new GaugeSample(
              existing.value() + gauge.value(),
              Math.max(existing.eventTimeMs(), gauge.eventTimeMs()));
    } else {
      next =
          gauge.eventTimeMs() >= existing.eventTimeMs()
              ? new GaugeSample(gauge.value(), gauge.eventTimeMs())
              : existing;
    }
    gauges.put(key, next);
  }

  /** Drops gauge sources that reported nothing within the TTL: a dead instance stops counting. */
  private void purgeExpiredGauges(long wallClockMs) {
    List<GaugeKey> expired = new ArrayList<>();
    try (KeyValueIterator<GaugeKey, GaugeSample> all = gauges.all()) {
      all.forEachRemaining(
          kv -> {
            if (kv.value.eventTimeMs() + gaugeTtlMs < wallClockMs) {
              expired.add(kv.key);
            }
          });
    }
    expired.forEach(gauges::delete);
  }
}
