package dev.tally.exporter.exposition;

import dev.tally.streams.catalog.MetricType;
import dev.tally.streams.histogram.HistogramView;
import dev.tally.streams.series.SeriesKey;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The series of one catalog metric (or derived ratio) read during a scrape, each already checked to
 * be exposable. Every way out of a scrape starts from here: {@link TextExposition} writes the text
 * formats straight from it, {@link ProtobufExposition} the protobuf format, and the collector turns
 * it into client_java snapshots for in-process scrapes and client_java's own handler.
 *
 * @param name the name as the catalog spells it (counters with {@code _total})
 * @param unit the catalog's unit, or null
 */
public record CatalogFamily(
    String name,
    MetricType type,
    String help,
    String unit,
    List<Sample> samples,
    Set<SeriesKey> keys) {

  public CatalogFamily(String name, MetricType type, String help, String unit) {
    this(name, type, help, unit, new ArrayList<>(), new HashSet<>());
  }

  /**
   * One series. {@code value} is a counter's total or a gauge's value; {@code histogram} is set for
   * histograms only; {@code createdMs} is 0 for gauges.
   */
  public record Sample(SeriesKey key, double value, HistogramView histogram, long createdMs) {}

  /**
   * Adds the sample unless the family has a series with the same labels already (which would make
   * Prometheus refuse the whole scrape).
   *
   * @return false for such a duplicate, which is left out
   */
  public boolean add(Sample sample) {
    if (!keys.add(sample.key())) {
      return false;
    }
    samples.add(sample);
    return true;
  }
}
