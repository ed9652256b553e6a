package dev.tally.streams.query;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.kafka.streams.errors.InvalidStateStoreException;

/**
 * Some series partitions a read needs cannot be read here now: the task is moving to another
 * instance, restoring, or not on this instance. Reading them later, or on their new owner, gives
 * the answer; reading the others alone would give a wrong one. An {@link
 * InvalidStateStoreException}, as Kafka Streams says of a store that cannot be queried now.
 */
public final class PartitionsUnavailableException extends InvalidStateStoreException {
  private final SortedMap<Integer, String> reasons;

  /**
   * @param reasons why each partition is unavailable, by series partition number
   */
  public PartitionsUnavailableException(Map<Integer, String> reasons) {
    super("series partitions unavailable: " + new TreeMap<>(reasons));
    this.reasons = new TreeMap<>(reasons);
  }

  /** Why each partition is unavailable, by series partition number. */
  public SortedMap<Integer, String> reasons() {
    return reasons;
  }
}
