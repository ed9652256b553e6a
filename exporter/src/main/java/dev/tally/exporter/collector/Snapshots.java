package dev.tally.exporter.collector;

import dev.tally.exporter.collector.SkippedSeries.Reason;
import dev.tally.exporter.exposition.CatalogFamily;
import dev.tally.exporter.exposition.CatalogFamily.Sample;
import dev.tally.exporter.exposition.Names;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.DuplicateLabelsException;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Turns a {@link CatalogFamily} into a client_java snapshot. Two points with the same labels would
 * make client_java reject the whole family; the second one is dropped and counted instead.
 */
final class Snapshots {
  private Snapshots() {}

  /** The family's snapshot, or null when it has no series (or client_java refuses it whole). */
  static MetricSnapshot of(CatalogFamily family, SkippedSeries skipped) {
    if (family.samples().isEmpty()) {
      return null;
    }
    List<DataPointSnapshot> points = new ArrayList<>(family.samples().size());
    for (Sample sample : family.samples()) {
      try {
        points.add(point(family, sample));
      } catch (RuntimeException e) {
        skipped.skip(family.name(), Reason.CONVERSION_ERROR, sample.key().toString(), e);
      }
    }
    try {
      try {
        return assemble(family, points);
      } catch (DuplicateLabelsException e) {
        return assemble(family, withoutDuplicates(family.name(), points, skipped));
      }
    } catch (RuntimeException e) {
      // A family client_java refuses as a whole (say, a unit its name does not end with).
      for (int i = 0; i < points.size(); i++) {
        skipped.skip(family.name(), Reason.CONVERSION_ERROR, family.name(), e);
      }
      return null;
    }
  }

  private static DataPointSnapshot point(CatalogFamily family, Sample sample) {
    return switch (family.type()) {
      case COUNTER ->
          Points.counter(Points.labels(sample.key()), sample.value(), sample.createdMs());
      case GAUGE -> Points.gauge(Points.labels(sample.key()), sample.value());
      case HISTOGRAM ->
          Points.histogram(Points.labels(sample.key()), sample.histogram(), sample.createdMs());
    };
  }

  private static MetricSnapshot assemble(CatalogFamily family, List<DataPointSnapshot> points) {
    Unit unit = Names.unit(family.unit());
    return switch (family.type()) {
      case COUNTER -> {
        CounterSnapshot.Builder b =
            CounterSnapshot.builder()
                .name(Names.counterBaseName(family.name()))
                .help(family.help())
                .unit(unit);
        points.forEach(p -> b.dataPoint((CounterSnapshot.CounterDataPointSnapshot) p));
        yield b.build();
      }
      case GAUGE -> {
        GaugeSnapshot.Builder b =
            GaugeSnapshot.builder().name(family.name()).help(family.help()).unit(unit);
        points.forEach(p -> b.dataPoint((GaugeSnapshot.GaugeDataPointSnapshot) p));
        yield b.build();
      }
      case HISTOGRAM -> {
        HistogramSnapshot.Builder b =
            HistogramSnapshot.builder().name(family.name()).help(family.help()).unit(unit);
        points.forEach(p -> b.dataPoint((HistogramSnapshot.HistogramDataPointSnapshot) p));
        yield b.build();
      }
    };
  }

  private static List<DataPointSnapshot> withoutDuplicates(
      String name, List<DataPointSnapshot> points, SkippedSeries skipped) {
    List<DataPointSnapshot> sorted = new ArrayList<>(points);
    sorted.sort(Comparator.comparing(DataPointSnapshot::getLabels));
    List<DataPointSnapshot> unique = new ArrayList<>(sorted.size());
    for (DataPointSnapshot point : sorted) {
      if (!unique.isEmpty()
          && unique.get(unique.size() - 1).getLabels().equals(point.getLabels())) {
        skipped.skip(name, Reason.DUPLICATE_SERIES, name + point.getLabels(), null);
      } else {
        unique.add(point);
      }
    }
    return unique;
  }
}
