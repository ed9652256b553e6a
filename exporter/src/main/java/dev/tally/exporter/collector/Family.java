package dev.tally.exporter.collector;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.DuplicateLabelsException;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/**
 * The data points of one metric family gathered during a scrape, turned into one snapshot at the
 * end. Two points with the same labels would make client_java reject the whole family; the second
 * one is dropped and counted instead.
 */
final class Family<P extends DataPointSnapshot> {
  private final String name;
  private final Function<List<P>, MetricSnapshot> assemble;
  private final List<P> points = new ArrayList<>();

  private Family(String name, Function<List<P>, MetricSnapshot> assemble) {
    this.name = name;
    this.assemble = assemble;
  }

  /** A counter family; {@code name} as the catalog spells it, with {@code _total}. */
  static Family<CounterDataPointSnapshot> counter(String name, String help, Unit unit) {
    return new Family<>(
        name,
        points -> {
          CounterSnapshot.Builder family =
              CounterSnapshot.builder().name(Names.counterBaseName(name)).help(help).unit(unit);
          points.forEach(family::dataPoint);
          return family.build();
        });
  }

  static Family<GaugeDataPointSnapshot> gauge(String name, String help, Unit unit) {
    return new Family<>(
        name,
        points -> {
          GaugeSnapshot.Builder family = GaugeSnapshot.builder().name(name).help(help).unit(unit);
          points.forEach(family::dataPoint);
          return family.build();
        });
  }

  static Family<HistogramDataPointSnapshot> histogram(String name, String help, Unit unit) {
    return new Family<>(
        name,
        points -> {
          HistogramSnapshot.Builder family =
              HistogramSnapshot.builder().name(name).help(help).unit(unit);
          points.forEach(family::dataPoint);
          return family.build();
        });
  }

  String name() {
    return name;
  }

  void add(P point) {
    points.add(point);
  }

  int size() {
    return points.size();
  }

  /** The family's snapshot, or null when it has no data points. */
  MetricSnapshot build(SkippedSeries skipped) {
    if (points.isEmpty()) {
      return null;
    }
    try {
      return assemble.apply(points);
    } catch (DuplicateLabelsException e) {
      return assemble.apply(withoutDuplicates(skipped));
    }
  }

  private List<P> withoutDuplicates(SkippedSeries skipped) {
    List<P> sorted = new ArrayList<>(points);
    sorted.sort(Comparator.comparing(DataPointSnapshot::getLabels));
    List<P> unique = new ArrayList<>(sorted.size());
    for (P point : sorted) {
      if (!unique.isEmpty()
          && unique.get(unique.size() - 1).getLabels().equals(point.getLabels())) {
        skipped.skip(name, SkippedSeries.Reason.DUPLICATE_SERIES, name + point.getLabels(), null);
      } else {
        unique.add(point);
      }
    }
    return unique;
  }
}
