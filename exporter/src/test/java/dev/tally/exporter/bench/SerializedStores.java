package dev.tally.exporter.bench;

import dev.tally.exporter.FakeMetricStores;
import dev.tally.streams.config.WindowSpec;
import dev.tally.streams.query.MetricStores;
import dev.tally.streams.series.SeriesKey;
import dev.tally.streams.store.Aggregate;
import dev.tally.streams.store.Cumulative;
import dev.tally.streams.store.GaugeKey;
import dev.tally.streams.store.GaugeSample;
import dev.tally.streams.store.StoreSerdes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiConsumer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;

/**
 * Stores that hold what RocksDB holds: entries as Tally's store bytes, in byte order of their keys,
 * decoded with Tally's serdes on every visit. Built from any other {@link MetricStores}; windows
 * are left empty.
 */
final class SerializedStores implements MetricStores {
  private record Entry(byte[] key, byte[] value) {}

  private final List<Entry> cumulative;
  private final List<Entry> gauges;
  private final Deserializer<SeriesKey> seriesKey = StoreSerdes.seriesKey().deserializer();
  private final Deserializer<Cumulative> cumulativeValue = StoreSerdes.cumulative().deserializer();
  private final Deserializer<GaugeKey> gaugeKey = StoreSerdes.gaugeKey().deserializer();
  private final Deserializer<GaugeSample> gaugeSample = StoreSerdes.gaugeSample().deserializer();

  SerializedStores(MetricStores source) {
    Serde<SeriesKey> keys = StoreSerdes.seriesKey();
    Serde<Cumulative> values = StoreSerdes.cumulative();
    List<Entry> c = new ArrayList<>();
    source.forEachCumulative(
        (k, v) ->
            c.add(
                new Entry(
                    keys.serializer().serialize("", k), values.serializer().serialize("", v))));
    List<Entry> g = new ArrayList<>();
    source.forEachGauge(
        (k, v) ->
            g.add(
                new Entry(
                    StoreSerdes.gaugeKey().serializer().serialize("", k),
                    StoreSerdes.gaugeSample().serializer().serialize("", v))));
    // RocksDB's default comparator: unsigned bytewise.
    c.sort((a, b) -> Arrays.compareUnsigned(a.key, b.key));
    g.sort((a, b) -> Arrays.compareUnsigned(a.key, b.key));
    this.cumulative = c;
    this.gauges = g;
  }

  /** The same entries in the same order, decoded once: the store without the decoding cost. */
  FakeMetricStores decodedOnce() {
    FakeMetricStores decoded = new FakeMetricStores();
    forEachCumulative(decoded::cumulative);
    forEachGauge(decoded::gauge);
    return decoded;
  }

  @Override
  public void forEachCumulative(BiConsumer<SeriesKey, Cumulative> visitor) {
    for (Entry e : cumulative) {
      visitor.accept(seriesKey.deserialize("", e.key), cumulativeValue.deserialize("", e.value));
    }
  }

  @Override
  public void forEachGauge(BiConsumer<GaugeKey, GaugeSample> visitor) {
    for (Entry e : gauges) {
      visitor.accept(gaugeKey.deserialize("", e.key), gaugeSample.deserialize("", e.value));
    }
  }

  @Override
  public void forEachInWindow(
      WindowSpec spec, long startMs, BiConsumer<SeriesKey, Aggregate> visitor) {}
}
