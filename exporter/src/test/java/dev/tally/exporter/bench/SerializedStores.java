package dev.tally.exporter.bench;

import dev.tally.exporter.FakeMetricStores;
import dev.tally.streams.config.WindowSpec;
import dev.tally.streams.query.CumulativeValue;
import dev.tally.streams.query.MetricStores;
import dev.tally.streams.query.SeriesSelector;
import dev.tally.streams.series.SeriesKey;
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
    source.cumulative(
        SeriesSelector.ALL,
        (k, v) ->
            c.add(
                new Entry(
                    keys.serializer().serialize("", k),
                    values
                        .serializer()
                        .serialize(
                            "",
                            new Cumulative(
                                v.createdMs(),
                                v.updatedMs(),
                                v.seenMs(),
                                v.value().toAggregate())))));
    List<Entry> g = new ArrayList<>();
    source.gauges(
        SeriesSelector.ALL,
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
    for (Entry e : cumulative) {
      decoded.cumulative(
          seriesKey.deserialize("", e.key), cumulativeValue.deserialize("", e.value));
    }
    gauges(SeriesSelector.ALL, decoded::gauge);
    return decoded;
  }

  @Override
  public void cumulative(SeriesSelector selector, BiConsumer<SeriesKey, CumulativeValue> visitor) {
    for (Entry e : cumulative) {
      SeriesKey key = seriesKey.deserialize("", e.key);
      if (selector.matches(key)) {
        visitor.accept(key, CumulativeValue.of(cumulativeValue.deserialize("", e.value)));
      }
    }
  }

  @Override
  public void gauges(SeriesSelector selector, BiConsumer<GaugeKey, GaugeSample> visitor) {
    for (Entry e : gauges) {
      GaugeKey key = gaugeKey.deserialize("", e.key);
      if (selector.matches(key.series())) {
        visitor.accept(key, gaugeSample.deserialize("", e.value));
      }
    }
  }

  @Override
  public void gaugeWindows(
      WindowSpec spec,
      long fromStartMs,
      long toStartMs,
      SeriesSelector selector,
      GaugeWindowVisitor visitor) {}

  @Override
  public void windows(
      WindowSpec spec,
      long fromStartMs,
      long toStartMs,
      SeriesSelector selector,
      WindowVisitor visitor) {}
}
