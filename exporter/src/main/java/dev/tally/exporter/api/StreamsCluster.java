package dev.tally.exporter.api;

import dev.tally.exporter.streams.StreamsClients;
import dev.tally.streams.query.LocalMetricStores;
import dev.tally.streams.query.MetricStores;
import dev.tally.streams.topology.StoreNames;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.state.HostInfo;

/**
 * {@link Cluster} from a running {@link KafkaStreams}: the owners of the series partitions come
 * from {@link KafkaStreams#metadataForAllStreamsClients()} (each instance's {@code
 * application.server} and the repartition-topic partitions it holds), this instance's own active
 * partitions from its local threads, which are never stale about itself.
 */
final class StreamsCluster implements Cluster {
  private final KafkaStreams streams;
  private final LocalMetricStores stores;
  private final int partitions;
  private final String self;
  private final List<String> seriesStores;

  /**
   * @param seriesStores the names of the stores series partitions hold (cumulative, gauges, one per
   *     window resolution)
   */
  StreamsCluster(
      KafkaStreams streams,
      LocalMetricStores stores,
      int partitions,
      String self,
      List<String> seriesStores) {
    this.seriesStores = List.copyOf(seriesStores);
    this.streams = streams;
    this.stores = stores;
    this.partitions = partitions;
    this.self = self;
  }

  @Override
  public int partitions() {
    return partitions;
  }

  @Override
  public String self() {
    return self;
  }

  @Override
  public Map<Integer, String> activeOwners() {
    Map<Integer, String> owners = new HashMap<>();
    if (streams.state() != KafkaStreams.State.RUNNING
        && streams.state() != KafkaStreams.State.REBALANCING) {
      return owners;
    }
    for (StreamsMetadata m : streams.metadataForAllStreamsClients()) {
      String server = server(m.hostInfo());
      for (int p : seriesPartitions(m.topicPartitions())) {
        owners.put(p, server);
      }
    }
    // What this instance runs itself overrides what the (possibly older) metadata says.
    owners.values().removeIf(server -> java.util.Objects.equals(server, self));
    for (int p : LocalMetricStores.activeSeriesPartitions(streams)) {
      owners.put(p, self);
    }
    return owners;
  }

  @Override
  public Map<Integer, List<String>> standbyOwners() {
    Map<Integer, List<String>> owners = new HashMap<>();
    if (streams.state() != KafkaStreams.State.RUNNING
        && streams.state() != KafkaStreams.State.REBALANCING) {
      return owners;
    }
    for (StreamsMetadata m : streams.metadataForAllStreamsClients()) {
      String server = server(m.hostInfo());
      for (int p : seriesPartitions(m.standbyTopicPartitions())) {
        owners.computeIfAbsent(p, k -> new ArrayList<>()).add(server);
      }
    }
    return owners;
  }

  @Override
  public MetricStores local(Set<Integer> wanted, boolean allowStandby) {
    return stores.partitions(wanted, allowStandby);
  }

  @Override
  public Map<Integer, Long> localLags() {
    return stores.offsetLags();
  }

  @Override
  public String localState() {
    return streams.state().name();
  }

  @Override
  public Map<String, Long> localConsumerLag() {
    Map<String, Long> lag = new TreeMap<>();
    for (Map.Entry<MetricName, ? extends Metric> e : streams.metrics().entrySet()) {
      MetricName name = e.getKey();
      String client = name.tags().getOrDefault("client-id", "");
      // Each stream thread's main consumer; its restore consumer reads changelogs, not events.
      if (name.group().equals("consumer-fetch-manager-metrics")
          && name.name().equals("records-lag")
          && name.tags().containsKey("partition")
          && StreamsClients.isMainConsumer(client)
          && e.getValue().metricValue() instanceof Number n
          && Double.isFinite(n.doubleValue())) {
        lag.merge(name.tags().get("topic"), n.longValue(), Long::sum);
      }
    }
    // The consumer registers each partition's lag twice, with the topic's name and with its dots
    // replaced by underscores (the older tag): keep the real name only.
    Set<String> legacy = new TreeSet<>();
    for (String topic : lag.keySet()) {
      String underscored = topic.replace('.', '_');
      if (!underscored.equals(topic) && lag.containsKey(underscored)) {
        legacy.add(underscored);
      }
    }
    legacy.forEach(lag::remove);
    return lag;
  }

  @Override
  public List<Instance> instances() {
    KafkaStreams.State state = streams.state();
    if (state == KafkaStreams.State.CREATED || !state.isRunningOrRebalancing()) {
      // Kafka Streams answers no metadata before it starts, nor once it stopped (after a fatal
      // error, say): this instance holds nothing then, and its state says why.
      return List.of(new Instance(self, List.of(), List.of(), List.of(), List.of()));
    }
    List<Instance> instances = new ArrayList<>();
    boolean selfListed = false;
    for (StreamsMetadata m : streams.metadataForAllStreamsClients()) {
      instances.add(
          new Instance(
              server(m.hostInfo()),
              List.copyOf(seriesPartitions(m.topicPartitions())),
              m.stateStoreNames().stream().sorted().toList(),
              List.copyOf(seriesPartitions(m.standbyTopicPartitions())),
              m.standbyStateStoreNames().stream().sorted().toList()));
      selfListed |= self != null && self.equals(server(m.hostInfo()));
    }
    if (!selfListed) {
      // Without application.server Kafka Streams publishes no metadata of this instance; its own
      // threads still tell what it holds.
      List<Integer> active = List.copyOf(LocalMetricStores.activeSeriesPartitions(streams));
      TreeSet<Integer> standby = new TreeSet<>();
      streams.metadataForLocalThreads().stream()
          .flatMap(t -> t.standbyTasks().stream())
          .flatMap(t -> t.topicPartitions().stream())
          .filter(tp -> StoreNames.isRepartitionTopic(tp.topic()))
          .forEach(tp -> standby.add(tp.partition()));
      instances.add(
          0,
          new Instance(
              self,
              active,
              active.isEmpty() ? List.of() : seriesStores,
              List.copyOf(standby),
              standby.isEmpty() ? List.of() : seriesStores));
    }
    return instances;
  }

  private static TreeSet<Integer> seriesPartitions(Collection<TopicPartition> partitions) {
    TreeSet<Integer> series = new TreeSet<>();
    for (TopicPartition tp : partitions) {
      if (StoreNames.isRepartitionTopic(tp.topic())) {
        series.add(tp.partition());
      }
    }
    return series;
  }

  /** {@code host:port}, or null for an instance without {@code application.server}. */
  private static String server(HostInfo host) {
    return host == null || host.port() < 0 ? null : host.host() + ":" + host.port();
  }
}
