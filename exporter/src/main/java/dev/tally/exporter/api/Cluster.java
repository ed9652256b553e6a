package dev.tally.exporter.api;

import dev.tally.streams.query.MetricStores;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * Where the series partitions are: which instance holds each as active or standby, and this
 * instance's own stores. {@link StreamsCluster} answers from Kafka Streams' metadata; an exporter
 * without Kafka Streams (tests, embedding) is one instance holding everything.
 */
interface Cluster {

  /** The number of series partitions ({@code series.partitions}). */
  int partitions();

  /** This instance's {@code application.server} ({@code host:port}), or null when unset. */
  String self();

  /**
   * The instance holding each series partition as a running active task; a partition nobody holds
   * (rebalancing) is absent. {@link #self()} stands for this instance, also when it is null;
   * another instance without {@code application.server} is a null value.
   */
  Map<Integer, String> activeOwners();

  /** The instances holding each partition as a standby copy. */
  Map<Integer, List<String>> standbyOwners();

  /**
   * This instance's stores restricted to {@code partitions}; reading fails with {@link
   * dev.tally.streams.query.PartitionsUnavailableException} naming any that cannot be read here.
   */
  MetricStores local(Set<Integer> partitions, boolean allowStandby);

  /** Offset lag of this instance's copy of each partition it holds. */
  Map<Integer, Long> localLags();

  /** This instance's Kafka Streams state ({@code RUNNING}, {@code REBALANCING}, ...). */
  String localState();

  /**
   * Records this instance's stream threads are behind the end of the partitions they read, summed
   * per topic (input topics and Tally's repartition topic), as their consumers last measured it.
   */
  Map<String, Long> localConsumerLag();

  /** Every instance of the application, for {@code /api/v1/instances}. */
  List<Instance> instances();

  /**
   * One instance as Kafka Streams' metadata describes it.
   *
   * @param server its {@code application.server}, or null when it has none
   * @param activePartitions series partitions it holds as active tasks
   * @param standbyPartitions series partitions it holds as standby copies
   */
  record Instance(
      String server,
      List<Integer> activePartitions,
      List<String> activeStores,
      List<Integer> standbyPartitions,
      List<String> standbyStores) {}

  /** One instance holding every partition of {@code stores}: no fan-out. */
  static Cluster single(MetricStores stores, int partitions, String self) {
    return new Cluster() {
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
        for (int p = 0; p < partitions; p++) {
          owners.put(p, self);
        }
        return owners;
      }

      @Override
      public Map<Integer, List<String>> standbyOwners() {
        return Map.of();
      }

      @Override
      public MetricStores local(Set<Integer> wanted, boolean allowStandby) {
        return stores;
      }

      @Override
      public Map<Integer, Long> localLags() {
        return Map.of();
      }

      @Override
      public String localState() {
        return "RUNNING";
      }

      @Override
      public Map<String, Long> localConsumerLag() {
        return Map.of();
      }

      @Override
      public List<Instance> instances() {
        List<Integer> all = IntStream.range(0, partitions).boxed().toList();
        return List.of(new Instance(self, all, List.of(), List.of(), List.of()));
      }
    };
  }
}
