package dev.tally.exporter.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

class StreamsMetricsCollectorTest {
  private static final String THREAD = "tally-1-StreamThread-1";
  private static final String CONSUMER = THREAD + "-consumer";
  private final Map<MetricName, Metric> metrics = new LinkedHashMap<>();

  @Test
  void shouldExportTheLagOfADottedTopicOnceNotAlsoUnderItsLegacyUnderscoredName()
      throws IOException {
    // The consumer registers records-lag under the topic's name and, again, with dots as
    // underscores; a topic really named with underscores stays.
    for (String topic : new String[] {"events.im", "events_im", "jobs_queue"}) {
      metric(
          "consumer-fetch-manager-metrics",
          "records-lag",
          3,
          "client-id",
          CONSUMER,
          "topic",
          topic,
          "partition",
          "0");
    }
    String text = render(new StreamsMetricsCollector(() -> metrics, () -> null).collect());
    assertThat(text)
        .contains("topic=\"events.im\"")
        .doesNotContain("topic=\"events_im\"")
        .contains("topic=\"jobs_queue\"");
  }

  @Test
  void shouldExportTheLagOfTheStreamThreadsConsumersNotOfTheirRestoreConsumers()
      throws IOException {
    metric(
        "consumer-fetch-manager-metrics",
        "records-lag",
        3,
        "client-id",
        CONSUMER,
        "topic",
        "tally-series-repartition",
        "partition",
        "1");
    // A restore consumer that restored partition 1 of a changelog and stopped polling keeps its
    // last lag, while the instance the task moved to restores and exports the same partition.
    for (String restorer :
        new String[] {"tally-1-StateUpdater-1-restore-consumer", THREAD + "-restore-consumer"}) {
      metric(
          "consumer-fetch-manager-metrics",
          "records-lag",
          40,
          "client-id",
          restorer,
          "topic",
          "tally-cumulative-changelog",
          "partition",
          "1");
      metric("consumer-fetch-manager-metrics", "records-lag-max", 40, "client-id", restorer);
    }

    String text = render(new StreamsMetricsCollector(() -> metrics, () -> null).collect());

    assertThat(text.lines().filter(l -> l.startsWith("tally_streams_consumer_records_lag")))
        .containsExactly(
            "tally_streams_consumer_records_lag{client_id=\"tally-1-StreamThread-1-consumer\","
                + "partition=\"1\",topic=\"tally-series-repartition\"} 3.0");
  }

  @Test
  void shouldBridgeLagCommitsProcessingAndRestoreInBaseUnits() throws IOException {
    metric("consumer-fetch-manager-metrics", "records-lag-max", 42, "client-id", CONSUMER);
    metric(
        "consumer-fetch-manager-metrics",
        "records-lag-max",
        7,
        "client-id",
        CONSUMER,
        "topic",
        "t");
    metric(
        "consumer-fetch-manager-metrics",
        "records-lag",
        3,
        "client-id",
        CONSUMER,
        "topic",
        "events.im",
        "partition",
        "0");
    metric("stream-thread-metrics", "commit-latency-avg", 39.5, "thread-id", THREAD);
    metric("stream-thread-metrics", "commit-latency-max", 125, "thread-id", THREAD);
    metric("stream-thread-metrics", "commit-rate", 0.25, "thread-id", THREAD);
    metric("stream-thread-metrics", "commit-total", 8, "thread-id", THREAD);
    metric("stream-thread-metrics", "process-rate", Double.NaN, "thread-id", THREAD);
    metric("stream-thread-metrics", "process-total", 1084, "thread-id", THREAD);
    metric(
        "stream-task-metrics",
        "restore-remaining-records-total",
        500,
        "thread-id",
        THREAD,
        "task-id",
        "1_0");
    metric("stream-metrics", "alive-stream-threads", 1, "client-id", "tally-1");
    metric("stream-task-metrics", "process-rate", 99, "thread-id", THREAD, "task-id", "1_0");

    String text = render(new StreamsMetricsCollector(() -> metrics, () -> null).collect());

    assertThat(text)
        .contains(
            """
            # HELP tally_streams_alive_threads Stream threads alive in this instance.
            # TYPE tally_streams_alive_threads gauge
            tally_streams_alive_threads 1.0
            # HELP tally_streams_commit_latency_avg_seconds Average time a stream thread took to commit, over the recent window.
            # TYPE tally_streams_commit_latency_avg_seconds gauge
            tally_streams_commit_latency_avg_seconds{thread_id="tally-1-StreamThread-1"} 0.0395
            # HELP tally_streams_commit_latency_max_seconds Longest time a stream thread took to commit, over the recent window.
            # TYPE tally_streams_commit_latency_max_seconds gauge
            tally_streams_commit_latency_max_seconds{thread_id="tally-1-StreamThread-1"} 0.125
            # HELP tally_streams_commit_rate Commits per second of a stream thread, over the recent window.
            # TYPE tally_streams_commit_rate gauge
            tally_streams_commit_rate{thread_id="tally-1-StreamThread-1"} 0.25
            # HELP tally_streams_commits_total Commits of a stream thread.
            # TYPE tally_streams_commits_total counter
            tally_streams_commits_total{thread_id="tally-1-StreamThread-1"} 8.0
            # HELP tally_streams_consumer_records_lag Records a stream thread's consumer is behind the end of a partition it reads (an input topic's or the repartition topic's).
            # TYPE tally_streams_consumer_records_lag gauge
            tally_streams_consumer_records_lag{client_id="tally-1-StreamThread-1-consumer",partition="0",topic="events.im"} 3.0
            # HELP tally_streams_consumer_records_lag_max Largest lag in records of any partition of a stream thread's consumer over the recent window.
            # TYPE tally_streams_consumer_records_lag_max gauge
            tally_streams_consumer_records_lag_max{client_id="tally-1-StreamThread-1-consumer"} 42.0
            # HELP tally_streams_processed_records_total Records a stream thread processed.
            # TYPE tally_streams_processed_records_total counter
            tally_streams_processed_records_total{thread_id="tally-1-StreamThread-1"} 1084.0
            # HELP tally_streams_restore_remaining_records Changelog records a task still has to restore before it can process.
            # TYPE tally_streams_restore_remaining_records gauge
            tally_streams_restore_remaining_records{task_id="1_0",thread_id="tally-1-StreamThread-1"} 500.0
            """);
    assertThat(text).doesNotContain("process_rate").doesNotContain("NaN");
  }

  @Test
  void shouldExposeClientAndThreadStatesAsStateSets() throws IOException {
    metrics.put(
        new MetricName("state", "stream-thread-metrics", "", Map.of("thread-id", THREAD)),
        metric(new MetricName("state", "stream-thread-metrics", "", Map.of()), "RUNNING"));

    String text =
        render(
            new StreamsMetricsCollector(() -> metrics, () -> KafkaStreams.State.REBALANCING)
                .collect());

    assertThat(text)
        .contains("tally_streams_state{state=\"REBALANCING\"} 1.0\n")
        .contains("tally_streams_state{state=\"RUNNING\"} 0.0\n")
        .contains(
            "tally_streams_thread_state{state=\"RUNNING\",thread_id=\"tally-1-StreamThread-1\"}"
                + " 1.0\n")
        .contains(
            "tally_streams_thread_state{state=\"STARTING\",thread_id=\"tally-1-StreamThread-1\"}"
                + " 0.0\n");
    assertThat(text.lines().filter(l -> l.startsWith("tally_streams_state{")))
        .hasSize(KafkaStreams.State.values().length)
        .filteredOn(l -> l.endsWith(" 1.0"))
        .hasSize(1);
  }

  private void metric(String group, String name, double value, String... tags) {
    Map<String, String> tagMap = new LinkedHashMap<>();
    for (int i = 0; i < tags.length; i += 2) {
      tagMap.put(tags[i], tags[i + 1]);
    }
    MetricName metricName = new MetricName(name, group, "", tagMap);
    metrics.put(metricName, metric(metricName, value));
  }

  private static Metric metric(MetricName name, Object value) {
    return new Metric() {
      @Override
      public MetricName metricName() {
        return name;
      }

      @Override
      public Object metricValue() {
        return value;
      }
    };
  }

  private static String render(MetricSnapshots snapshots) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(out, snapshots);
    return out.toString(StandardCharsets.UTF_8);
  }
}
