package dev.tally.exporter.api;

import dev.tally.streams.query.AggregateValue;
import dev.tally.streams.store.Aggregate;
import dev.tally.streams.store.StoreSerdes;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serde;

/**
 * What some series partitions hold for one query, ready to merge with what the others hold: per
 * group (a label set: the series' own, or its values of the {@code by} labels) and per slot (a
 * window start in epoch ms, or {@link #TOTAL}), one aggregate. Merging adds counters exactly and
 * merges histograms bucket by bucket, so merging the partials of every partition, in any order,
 * gives what one store holding everything would give.
 *
 * <p>Bounded: more than {@code maxGroups} groups or {@code maxSamples} (group, slot) entries fail
 * with a 400 before more memory is taken.
 */
final class Partial {
  /** The slot of a cumulative value. */
  static final long TOTAL = Long.MIN_VALUE;

  private static final Serde<Aggregate> AGGREGATE = StoreSerdes.aggregate();

  private final Map<SortedMap<String, String>, TreeMap<Long, AggregateValue>> groups =
      new LinkedHashMap<>();
  private final Limits limits;
  private long samples;

  Partial(Limits limits) {
    this.limits = limits;
  }

  /** Adds {@code value} into the group's slot. */
  void add(SortedMap<String, String> group, long slot, AggregateValue value) {
    TreeMap<Long, AggregateValue> slots = groups.get(group);
    if (slots == null) {
      if (groups.size() >= limits.maxSeries()) {
        throw QueryException.badParameter(
            "match",
            "the answer would have more than "
                + limits.maxSeries()
                + " series (api.max.series); narrow it with match or by");
      }
      slots = new TreeMap<>();
      groups.put(Collections.unmodifiableSortedMap(new TreeMap<>(group)), slots);
    }
    AggregateValue old = slots.get(slot);
    if (old == null) {
      if (++samples > limits.maxSamples()) {
        throw QueryException.badParameter(
            "from",
            "the answer would hold more than "
                + limits.maxSamples()
                + " values (api.max.samples); narrow the range, match or by");
      }
      slots.put(slot, value);
    } else {
      slots.put(slot, old.plus(value));
    }
  }

  /** Adds everything {@code other} holds. */
  void merge(Partial other) {
    other.groups.forEach((group, slots) -> slots.forEach((slot, v) -> add(group, slot, v)));
  }

  /** Groups in label order, each with its slots in time order. */
  SortedMap<SortedMap<String, String>, TreeMap<Long, AggregateValue>> sorted() {
    TreeMap<SortedMap<String, String>, TreeMap<Long, AggregateValue>> sorted =
        new TreeMap<>(Partial::compareLabels);
    sorted.putAll(groups);
    return sorted;
  }

  int groupCount() {
    return groups.size();
  }

  /** Label sets by their (name, value) pairs in name order, as Prometheus sorts series. */
  static int compareLabels(SortedMap<String, String> a, SortedMap<String, String> b) {
    var ia = a.entrySet().iterator();
    var ib = b.entrySet().iterator();
    while (ia.hasNext() && ib.hasNext()) {
      var ea = ia.next();
      var eb = ib.next();
      int c = ea.getKey().compareTo(eb.getKey());
      if (c == 0) {
        c = ea.getValue().compareTo(eb.getValue());
      }
      if (c != 0) {
        return c;
      }
    }
    return Boolean.compare(ia.hasNext(), ib.hasNext());
  }

  /**
   * The wire form between instances: {@code [{"labels": {...}, "slots": {"<slot>": "<base64 of the
   * store encoding>"}}]}. The store encoding keeps counters exact and histograms whole.
   */
  List<Map<String, Object>> toJson() {
    return groups.entrySet().stream()
        .map(
            e -> {
              Map<String, String> slots = new LinkedHashMap<>();
              e.getValue()
                  .forEach(
                      (slot, v) ->
                          slots.put(
                              Long.toString(slot),
                              Base64.getEncoder()
                                  .encodeToString(
                                      AGGREGATE.serializer().serialize("", v.toAggregate()))));
              Map<String, Object> group = new LinkedHashMap<>();
              group.put("labels", e.getKey());
              group.put("slots", slots);
              return group;
            })
        .toList();
  }

  /**
   * Reads the wire form.
   *
   * @throws IllegalArgumentException when it is malformed
   */
  @SuppressWarnings("unchecked")
  static Partial fromJson(List<Map<String, Object>> json, Limits limits) {
    Partial partial = new Partial(limits);
    for (Map<String, Object> group : json) {
      TreeMap<String, String> labels = new TreeMap<>((Map<String, String>) group.get("labels"));
      Map<String, String> slots = (Map<String, String>) group.get("slots");
      slots.forEach(
          (slot, encoded) ->
              partial.add(
                  labels,
                  Long.parseLong(slot),
                  AggregateValue.of(
                      AGGREGATE
                          .deserializer()
                          .deserialize("", Base64.getDecoder().decode(encoded)))));
    }
    return partial;
  }
}
