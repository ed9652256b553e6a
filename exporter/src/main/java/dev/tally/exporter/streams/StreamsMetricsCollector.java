package dev.tally.exporter.streams;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Bridges the Kafka Streams client metrics an operator of Tally needs into Prometheus, named {@code
 * tally_streams_*}: the stream threads' consumer lag, commit latency and rate, processing rate,
 * restore progress, and the client and thread states as state sets (one series per state, 1 for the
 * current one). Latencies are converted from milliseconds to seconds. A metric Kafka has no sample
 * for yet (NaN) is left out rather than exposed as NaN.
 *
 * <pre>{@code
 * registry.register(StreamsMetricsCollector.of(app.streams()));
 * }</pre>
 */
public final class StreamsMetricsCollector implements MultiCollector {
  static final String PREFIX = "tally_streams_";

  private static final String THREAD = "thread-id";
  private static final String TASK = "task-id";
  private static final String CLIENT = "client-id";
  private static final double MS = 0.001;
  private static final String FETCH_METRICS = "consumer-fetch-manager-metrics";

  /** Thread states in their life-cycle order (Kafka Streams' StreamThread.State). */
  private static final List<String> THREAD_STATES =
      List.of(
          "CREATED",
          "STARTING",
          "PARTITIONS_REVOKED",
          "PARTITIONS_ASSIGNED",
          "RUNNING",
          "PENDING_SHUTDOWN",
          "DEAD");

  private enum Kind {
    GAUGE,
    COUNTER
  }

  /**
   * One bridged Kafka metric: its group and name, the exact tag set that selects it (the same name
   * exists with other tags, e.g. per partition), the tags kept as labels, and a scale.
   */
  private record Bridge(
      String name,
      Kind kind,
      String help,
      Unit unit,
      String group,
      String metric,
      Set<String> tags,
      List<String> labels,
      double scale) {}

  private static final List<Bridge> BRIDGES =
      List.of(
          gauge(
              "consumer_records_lag_max",
              "Largest lag in records of any partition of a stream thread's consumer over the"
                  + " recent window.",
              FETCH_METRICS,
              "records-lag-max",
              List.of(CLIENT),
              List.of(CLIENT)),
          gauge(
              "consumer_records_lag",
              "Records a stream thread's consumer is behind the end of a partition it reads (an"
                  + " input topic's or the repartition topic's).",
              FETCH_METRICS,
              "records-lag",
              List.of(CLIENT, "topic", "partition"),
              List.of(CLIENT, "topic", "partition")),
          new Bridge(
              "commit_latency_avg_seconds",
              Kind.GAUGE,
              "Average time a stream thread took to commit, over the recent window.",
              Unit.SECONDS,
              "stream-thread-metrics",
              "commit-latency-avg",
              Set.of(THREAD),
              List.of(THREAD),
              MS),
          new Bridge(
              "commit_latency_max_seconds",
              Kind.GAUGE,
              "Longest time a stream thread took to commit, over the recent window.",
              Unit.SECONDS,
              "stream-thread-metrics",
              "commit-latency-max",
              Set.of(THREAD),
              List.of(THREAD),
              MS),
          gauge(
              "commit_rate",
              "Commits per second of a stream thread, over the recent window.",
              "stream-thread-metrics",
              "commit-rate",
              List.of(THREAD),
              List.of(THREAD)),
          counter(
              "commits_total",
              "Commits of a stream thread.",
              "stream-thread-metrics",
              "commit-total",
              List.of(THREAD),
              List.of(THREAD)),
          gauge(
              "process_rate",
              "Records per second a stream thread processed, over the recent window.",
              "stream-thread-metrics",
              "process-rate",
              List.of(THREAD),
              List.of(THREAD)),
          counter(
              "processed_records_total",
              "Records a stream thread processed.",
              "stream-thread-metrics",
              "process-total",
              List.of(THREAD),
              List.of(THREAD)),
          gauge(
              "restore_remaining_records",
              "Changelog records a task still has to restore before it can process.",
              "stream-task-metrics",
              "restore-remaining-records-total",
              List.of(TASK, THREAD),
              List.of(TASK, THREAD)),
          counter(
              "restored_records_total",
              "Changelog records a task restored.",
              "stream-task-metrics",
              "restore-total",
              List.of(TASK, THREAD),
              List.of(TASK, THREAD)),
          gauge(
              "alive_threads",
              "Stream threads alive in this instance.",
              "stream-metrics",
              "alive-stream-threads",
              List.of(CLIENT),
              List.of()),
          counter(
              "failed_threads_total",
              "Stream threads of this instance that died with an error.",
              "stream-metrics",
              "failed-stream-threads",
              List.of(CLIENT),
              List.of()));

  private final Supplier<Map<MetricName, ? extends Metric>> metrics;
  private final Supplier<KafkaStreams.State> state;

  StreamsMetricsCollector(
      Supplier<Map<MetricName, ? extends Metric>> metrics, Supplier<KafkaStreams.State> state) {
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.state = Objects.requireNonNull(state, "state");
  }

  /** Reads {@code streams}' own metrics and state at every scrape. */
  public static StreamsMetricsCollector of(KafkaStreams streams) {
    return new StreamsMetricsCollector(streams::metrics, streams::state);
  }

  @Override
  public MetricSnapshots collect() {
    Map<Bridge, Map<Labels, Double>> values = new LinkedHashMap<>();
    BRIDGES.forEach(b -> values.put(b, new LinkedHashMap<>()));
    Map<String, String> threadStates = new LinkedHashMap<>();
    for (Map.Entry<MetricName, ? extends Metric> e : metrics.get().entrySet()) {
      MetricName name = e.getKey();
      if (name.group().equals("stream-thread-metrics")
          && name.name().equals("state")
          && name.tags().containsKey(THREAD)) {
        threadStates.put(name.tags().get(THREAD), String.valueOf(e.getValue().metricValue()));
        continue;
      }
      if (name.group().equals(FETCH_METRICS)
          && !StreamsClients.isMainConsumer(name.tags().getOrDefault(CLIENT, ""))) {
        // A restore consumer reads changelogs, and one that has restored its tasks stops polling:
        // its last lag of a partition it no longer reads would stay, beside the lag the instance
        // that restores the partition next exports. Restores show in restore_remaining_records.
        continue;
      }
      for (Bridge bridge : BRIDGES) {
        if (bridge.group().equals(name.group())
            && bridge.metric().equals(name.name())
            && bridge.tags().equals(name.tags().keySet())) {
          Object value = e.getValue().metricValue();
          if (value instanceof Number number && Double.isFinite(number.doubleValue())) {
            values
                .get(bridge)
                .putIfAbsent(labels(bridge, name), number.doubleValue() * bridge.scale());
          }
        }
      }
    }
    values.values().forEach(StreamsMetricsCollector::dropLegacyTopicTwins);
    List<MetricSnapshot> snapshots = new ArrayList<>();
    values.forEach((bridge, points) -> addFamily(snapshots, bridge, points));
    snapshots.add(clientState());
    if (!threadStates.isEmpty()) {
      snapshots.add(threadStates(threadStates));
    }
    return new MetricSnapshots(snapshots);
  }

  private static void addFamily(
      List<MetricSnapshot> snapshots, Bridge bridge, Map<Labels, Double> points) {
    if (points.isEmpty()) {
      return;
    }
    String name = PREFIX + bridge.name();
    if (bridge.kind() == Kind.COUNTER) {
      CounterSnapshot.Builder family =
          CounterSnapshot.builder()
              .name(name.substring(0, name.length() - "_total".length()))
              .help(bridge.help());
      points.forEach(
          (labels, value) ->
              family.dataPoint(new CounterDataPointSnapshot(Math.max(0, value), labels, null, 0)));
      snapshots.add(family.build());
    } else {
      GaugeSnapshot.Builder family =
          GaugeSnapshot.builder().name(name).help(bridge.help()).unit(bridge.unit());
      points.forEach(
          (labels, value) -> family.dataPoint(new GaugeDataPointSnapshot(value, labels, null)));
      snapshots.add(family.build());
    }
  }

  private MetricSnapshot clientState() {
    KafkaStreams.State current = state.get();
    GaugeSnapshot.Builder family =
        GaugeSnapshot.builder()
            .name(PREFIX + "state")
            .help("State of this instance's Kafka Streams client: 1 for the current state.");
    for (KafkaStreams.State s : KafkaStreams.State.values()) {
      family.dataPoint(
          new GaugeDataPointSnapshot(s == current ? 1 : 0, Labels.of("state", s.name()), null));
    }
    return family.build();
  }

  private static MetricSnapshot threadStates(Map<String, String> threadStates) {
    GaugeSnapshot.Builder family =
        GaugeSnapshot.builder()
            .name(PREFIX + "thread_state")
            .help("State of each stream thread: 1 for the current state.");
    threadStates.forEach(
        (thread, current) -> {
          Set<String> states = new LinkedHashSet<>(THREAD_STATES);
          states.add(current);
          for (String s : states) {
            family.dataPoint(
                new GaugeDataPointSnapshot(
                    s.equals(current) ? 1 : 0, Labels.of("thread_id", thread, "state", s), null));
          }
        });
    return family.build();
  }

  /**
   * The consumer registers its per-partition fetch metrics twice, with the topic as it is and with
   * its dots turned into underscores (the legacy tag); a topic with dots would be exported twice.
   * This drops the underscored twin of every dotted topic and keeps the real name.
   */
  static void dropLegacyTopicTwins(Map<Labels, Double> points) {
    Set<Labels> twins = new HashSet<>();
    for (Labels labels : points.keySet()) {
      String topic = labels.get("topic");
      if (topic != null && topic.indexOf('.') >= 0) {
        String legacy = topic.replace('.', '_');
        for (Labels other : points.keySet()) {
          if (legacy.equals(other.get("topic")) && sameExceptTopic(labels, other)) {
            twins.add(other);
          }
        }
      }
    }
    twins.forEach(points::remove);
  }

  private static boolean sameExceptTopic(Labels a, Labels b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (!a.getName(i).equals("topic") && !a.getValue(i).equals(b.get(a.getName(i)))) {
        return false;
      }
    }
    return true;
  }

  private static Labels labels(Bridge bridge, MetricName name) {
    if (bridge.labels().isEmpty()) {
      return Labels.EMPTY;
    }
    String[] names = new String[bridge.labels().size()];
    String[] values = new String[names.length];
    for (int i = 0; i < names.length; i++) {
      String tag = bridge.labels().get(i);
      names[i] = tag.replace('-', '_');
      values[i] = name.tags().get(tag);
    }
    return Labels.of(names, values);
  }

  private static Bridge gauge(
      String name,
      String help,
      String group,
      String metric,
      List<String> tags,
      List<String> labels) {
    return new Bridge(name, Kind.GAUGE, help, null, group, metric, Set.copyOf(tags), labels, 1);
  }

  /** {@code name} ends in {@code _total}, as it is exposed. */
  private static Bridge counter(
      String name,
      String help,
      String group,
      String metric,
      List<String> tags,
      List<String> labels) {
    return new Bridge(name, Kind.COUNTER, help, null, group, metric, Set.copyOf(tags), labels, 1);
  }
}
