package dev.tally.exporter.api;

import dev.tally.exporter.api.ParsedQuery.Endpoint;
import dev.tally.exporter.api.ParsedQuery.Target;
import dev.tally.streams.catalog.MetricCatalog;
import dev.tally.streams.catalog.RatioDefinition;
import dev.tally.streams.query.AggregateValue;
import dev.tally.streams.query.Gauges;
import dev.tally.streams.query.MetricStores;
import dev.tally.streams.query.Ratios;
import dev.tally.streams.query.ReadDeadline;
import dev.tally.streams.query.SeriesSelector;
import dev.tally.streams.series.SeriesKey;
import dev.tally.streams.store.Aggregate;
import java.time.Duration;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What one set of series partitions holds for a query ({@link #read}), mergeable with what the
 * others hold ({@link #merge}): the values per group and slot, and for a ratio the denominator's
 * apart. Also carries, for standby copies read with {@code allowStale}, how far behind each was.
 */
final class Reading {
  final Partial values;

  /** A ratio's denominator sums; empty for other metrics. */
  final Partial denominator;

  /** Offset lag per series partition read from a standby copy. */
  final Map<Integer, Long> staleLags = new TreeMap<>();

  Reading(Limits limits) {
    this.values = new Partial(limits);
    this.denominator = new Partial(limits);
  }

  void merge(Reading other) {
    values.merge(other.values);
    denominator.merge(other.denominator);
    staleLags.putAll(other.staleLags);
  }

  /**
   * Reads {@code query} from {@code stores}; {@code deadlineNanos} ({@link System#nanoTime}) bounds
   * the time it may take.
   *
   * @throws QueryException 503 past the deadline; 400 when the answer grows past the limits
   */
  static Reading read(
      MetricStores stores,
      ParsedQuery query,
      MetricCatalog catalog,
      Duration seriesTtl,
      Duration gaugeTtl,
      Limits limits,
      long deadlineNanos) {
    ReadDeadline deadline = ReadDeadline.at(deadlineNanos);
    try {
      return read(stores, query, catalog, seriesTtl, gaugeTtl, limits, deadline);
    } catch (ReadDeadline.ReadTimeoutException e) {
      throw QueryException.timeout();
    }
  }

  private static Reading read(
      MetricStores stores,
      ParsedQuery query,
      MetricCatalog catalog,
      Duration seriesTtl,
      Duration gaugeTtl,
      Limits limits,
      ReadDeadline deadline) {
    Reading reading = new Reading(limits);
    SeriesSelector selector = query.selector().within(deadline);
    Target target = query.target();
    long nowMs = query.nowMs();
    if (target.kind() == MetricKind.GAUGE && query.endpoint() != Endpoint.QUERY) {
      Map<SeriesKey, Double> live = Gauges.live(stores, selector, catalog, gaugeTtl, nowMs);
      live.forEach(
          (series, value) -> {
            deadline.check();
            Aggregate sum = Aggregate.counter();
            sum.add(value);
            reading.values.add(
                group(series.labels(), query), Partial.TOTAL, AggregateValue.of(sum));
          });
      return reading;
    }
    if (query.endpoint() == Endpoint.SERIES && target.kind() == MetricKind.RATIO) {
      readRatioSeries(stores, selector, target.ratio(), seriesTtl, nowMs, reading, deadline);
      return reading;
    }
    if (query.endpoint() != Endpoint.QUERY) {
      long oldest = seriesTtl.isZero() ? Long.MIN_VALUE : nowMs - seriesTtl.toMillis();
      stores.cumulative(
          selector,
          (series, cumulative) -> {
            deadline.check();
            if (cumulative.seenMs() < oldest || cumulative.value() == null) {
              return; // idle past series.ttl: not live, as in /metrics
            }
            AggregateValue value =
                query.endpoint() == Endpoint.SERIES
                    ? AggregateValue.of(Aggregate.counter())
                    : cumulative.value();
            reading.values.add(group(series.labels(), query), Partial.TOTAL, value);
          });
      return reading;
    }
    ParsedQuery.Range range = query.range();
    if (range.points() <= 0) {
      return reading;
    }
    if (target.kind() == MetricKind.RATIO) {
      readRatio(stores, query, selector, target.ratio(), reading, deadline);
      return reading;
    }
    if (target.kind() == MetricKind.GAUGE) {
      boolean last = query.agg() == Aggregation.LAST;
      stores.gaugeWindows(
          range.spec(),
          range.fromStartMs(),
          range.toStartMs(),
          selector,
          (series, startMs, window) -> {
            deadline.check();
            // A group's value is the sum of its series' (as /metrics sums a gauge's sources).
            Aggregate value = Aggregate.counter();
            value.add(last ? window.last() : window.max());
            reading.values.add(group(series.labels(), query), startMs, AggregateValue.of(value));
          });
      return reading;
    }
    stores.windows(
        range.spec(),
        range.fromStartMs(),
        range.toStartMs(),
        selector,
        (series, startMs, value) -> {
          deadline.check();
          reading.values.add(group(series.labels(), query), startMs, value);
        });
    return reading;
  }

  /**
   * A ratio per window: its numerator and denominator terms' windowed counters, summed per group of
   * its {@code by} labels (those the query's matchers select).
   */
  private static void readRatio(
      MetricStores stores,
      ParsedQuery query,
      SeriesSelector selector,
      RatioDefinition ratio,
      Reading reading,
      ReadDeadline deadline) {
    ParsedQuery.Range range = query.range();
    stores.windows(
        range.spec(),
        range.fromStartMs(),
        range.toStartMs(),
        SeriesSelector.ALL.within(deadline),
        (series, startMs, value) -> {
          deadline.check();
          boolean num = Ratios.matchesAny(ratio.numerator(), series);
          boolean den = Ratios.matchesAny(ratio.denominator(), series);
          if (!num && !den) {
            return;
          }
          TreeMap<String, String> ratioLabels = new TreeMap<>();
          for (String label : ratio.by()) {
            ratioLabels.put(label, series.labels().getOrDefault(label, ""));
          }
          if (!selector.matches(new SeriesKey(ratio.name(), ratioLabels))) {
            return;
          }
          SortedMap<String, String> group = group(ratioLabels, query);
          // Both sides hold every group that has traffic, so a group with a zero numerator still
          // has a value (0) and one with a zero denominator has none.
          reading.values.add(group, startMs, num ? value : AggregateValue.of(Aggregate.counter()));
          reading.denominator.add(
              group, startMs, den ? value : AggregateValue.of(Aggregate.counter()));
        });
  }

  /**
   * A ratio's live label sets: its {@code by} labels' values among the live series of its numerator
   * and denominator terms (the selector names the ratio, not one stored metric).
   */
  private static void readRatioSeries(
      MetricStores stores,
      SeriesSelector selector,
      RatioDefinition ratio,
      Duration seriesTtl,
      long nowMs,
      Reading reading,
      ReadDeadline deadline) {
    long oldest = seriesTtl.isZero() ? Long.MIN_VALUE : nowMs - seriesTtl.toMillis();
    stores.cumulative(
        SeriesSelector.ALL.within(deadline),
        (series, cumulative) -> {
          deadline.check();
          if (cumulative.seenMs() < oldest
              || !(Ratios.matchesAny(ratio.numerator(), series)
                  || Ratios.matchesAny(ratio.denominator(), series))) {
            return;
          }
          TreeMap<String, String> ratioLabels = new TreeMap<>();
          for (String label : ratio.by()) {
            ratioLabels.put(label, series.labels().getOrDefault(label, ""));
          }
          if (selector.matches(new SeriesKey(ratio.name(), ratioLabels))) {
            reading.values.add(ratioLabels, Partial.TOTAL, AggregateValue.of(Aggregate.counter()));
          }
        });
  }

  /** The series' group: its labels, or its values of the {@code by} labels. */
  private static SortedMap<String, String> group(
      SortedMap<String, String> labels, ParsedQuery query) {
    if (query.by() == null) {
      return labels;
    }
    TreeMap<String, String> group = new TreeMap<>();
    for (String label : query.by()) {
      group.put(label, labels.getOrDefault(label, ""));
    }
    return group;
  }
}
