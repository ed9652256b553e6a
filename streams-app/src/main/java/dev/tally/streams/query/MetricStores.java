package dev.tally.streams.query;

import dev.tally.streams.config.WindowSpec;
import dev.tally.streams.series.SeriesKey;
import dev.tally.streams.store.Aggregate;
import dev.tally.streams.store.Cumulative;
import dev.tally.streams.store.GaugeKey;
import dev.tally.streams.store.GaugeSample;
import java.util.function.BiConsumer;

/**
 * The one small read interface over Tally's stores that the exporter and the query API use. An
 * implementation reads the stores of the active tasks of one instance only (never standbys), so a
 * series is read once per instance.
 */
public interface MetricStores {

  /** Visits every cumulative series. A series may appear once per local task (Tally's own). */
  void forEachCumulative(BiConsumer<SeriesKey, Cumulative> visitor);

  /** Visits every gauge sample, per series and reporting source. */
  void forEachGauge(BiConsumer<GaugeKey, GaugeSample> visitor);

  /** Visits every series' aggregate of the window of {@code spec} starting at {@code startMs}. */
  void forEachInWindow(WindowSpec spec, long startMs, BiConsumer<SeriesKey, Aggregate> visitor);
}
