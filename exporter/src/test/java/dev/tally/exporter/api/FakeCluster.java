package dev.tally.exporter.api;

import dev.tally.streams.query.MetricStores;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A cluster as a test sets it up: who holds which partition, what lags, this instance's stores. */
final class FakeCluster implements Cluster {
  static final String SELF = "localhost:8080";

  final Map<Integer, String> active = new HashMap<>();
  final Map<Integer, List<String>> standby = new HashMap<>();
  final Map<Integer, Long> lags = new HashMap<>();
  private final MetricStores stores;

  /** Six partitions, all active here. */
  FakeCluster(MetricStores stores) {
    this.stores = stores;
    for (int p = 0; p < 6; p++) {
      active.put(p, SELF);
    }
  }

  @Override
  public int partitions() {
    return 6;
  }

  @Override
  public String self() {
    return SELF;
  }

  @Override
  public Map<Integer, String> activeOwners() {
    return new HashMap<>(active);
  }

  @Override
  public Map<Integer, List<String>> standbyOwners() {
    return standby;
  }

  @Override
  public MetricStores local(Set<Integer> partitions, boolean allowStandby) {
    return stores;
  }

  @Override
  public Map<Integer, Long> localLags() {
    return lags;
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
    return List.of();
  }
}
