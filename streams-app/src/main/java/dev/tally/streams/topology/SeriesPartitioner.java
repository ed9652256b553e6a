package dev.tally.streams.topology;

import dev.tally.streams.series.SeriesKey;
import dev.tally.streams.store.Partial;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.streams.processor.StreamPartitioner;

/**
 * Partitions the series repartition topic: a partial goes to the partition of its series (the
 * producer's default, a hash of the serialized key: one owner per series), a {@link Partial.Seen}
 * to every partition, since the gauges of its source may be owned anywhere (KIP-837 multicast).
 */
final class SeriesPartitioner implements StreamPartitioner<SeriesKey, Partial> {
  @Override
  public Optional<Set<Integer>> partitions(
      String topic, SeriesKey key, Partial value, int numPartitions) {
    if (value instanceof Partial.Seen) {
      return Optional.of(
          IntStream.range(0, numPartitions).boxed().collect(Collectors.toUnmodifiableSet()));
    }
    return Optional.empty(); // the default partitioner, as without a partitioner
  }
}
