package dev.tally.streams.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.streams.commit.CommittedView;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.junit.jupiter.api.Test;

class LocalMetricStoresTest {

  @Test
  void shouldSkipAndCountAnUndecodableRecordButVisitTheRest() {
    Map<String, String> entries = new LinkedHashMap<>();
    entries.put("a", "1");
    entries.put("corrupt", null);
    entries.put("c", "3");
    LocalMetricStores stores = new LocalMetricStores(null, CommittedView.disabled());
    List<String> visited = new ArrayList<>();

    stores.forEachDecodable(iterator(entries), "cumulative", (k, v) -> visited.add(k + "=" + v));

    assertThat(visited).containsExactly("a=1", "c=3");
    assertThat(stores.undecodableRecords()).isEqualTo(1);
  }

  @Test
  void shouldFailTheReadNamingThePartitionWhoseStoreClosesWhileItIsRead() {
    // Partition 1's task moves away after two entries: Kafka Streams closes its store, and the
    // iterator throws from then on (RocksDB: "RocksDB iterator for store ... has closed").
    Map<Integer, ClosingIterator> iterators =
        Map.of(
            0, new ClosingIterator(Map.of("a", "1"), Integer.MAX_VALUE),
            1, new ClosingIterator(Map.of("b", "2", "c", "3", "d", "4"), 2),
            2, new ClosingIterator(Map.of("e", "5"), Integer.MAX_VALUE));
    LocalMetricStores stores =
        new LocalMetricStores(null, CommittedView.disabled()).partitions(Set.of(0, 1, 2), false);
    List<String> visited = new ArrayList<>();

    assertThatThrownBy(
            () -> stores.forEach("tally-cumulative", iterators::get, (k, v) -> visited.add(k)))
        .isInstanceOfSatisfying(
            PartitionsUnavailableException.class,
            e ->
                assertThat(e.reasons())
                    .containsOnlyKeys(1)
                    .hasEntrySatisfying(1, reason -> assertThat(reason).contains("has closed")));
    assertThat(iterators.values()).allSatisfy(it -> assertThat(it.closed).isTrue());
  }

  @Test
  void shouldCloseEveryIteratorWhenOneRefusesToClose() {
    ClosingIterator refuses = new ClosingIterator(Map.of("a", "1"), 0);
    ClosingIterator other = new ClosingIterator(Map.of("b", "2"), Integer.MAX_VALUE);
    refuses.failOnClose = true;
    Map<Integer, ClosingIterator> iterators = Map.of(0, refuses, 1, other);
    LocalMetricStores stores =
        new LocalMetricStores(null, CommittedView.disabled()).partitions(Set.of(0, 1), false);

    assertThatThrownBy(() -> stores.forEach("tally-cumulative", iterators::get, (k, v) -> {}))
        .isInstanceOf(PartitionsUnavailableException.class);
    assertThat(other.closed).isTrue();
  }

  /**
   * A store iterator over {@code entries} whose store closes after {@code closesAfter} of them:
   * {@code hasNext()} then throws {@link InvalidStateStoreException}, as Kafka Streams' do.
   */
  private static final class ClosingIterator implements KeyValueIterator<String, String> {
    private final Iterator<Map.Entry<String, String>> entries;
    private final int closesAfter;
    private int returned;
    boolean closed;
    boolean failOnClose;

    ClosingIterator(Map<String, String> entries, int closesAfter) {
      this.entries = new java.util.TreeMap<>(entries).entrySet().iterator();
      this.closesAfter = closesAfter;
    }

    @Override
    public boolean hasNext() {
      if (returned >= closesAfter) {
        throw new InvalidStateStoreException(
            "RocksDB iterator for store tally-cumulative has closed");
      }
      return entries.hasNext();
    }

    @Override
    public KeyValue<String, String> next() {
      hasNext();
      returned++;
      Map.Entry<String, String> e = entries.next();
      return KeyValue.pair(e.getKey(), e.getValue());
    }

    @Override
    public void close() {
      closed = true;
      if (failOnClose) {
        throw new InvalidStateStoreException("Store tally-cumulative is currently closed");
      }
    }

    @Override
    public String peekNextKey() {
      throw new UnsupportedOperationException();
    }
  }

  /** Like a store iterator: it moves past a record, then fails to decode it (null value here). */
  private static KeyValueIterator<String, String> iterator(Map<String, String> entries) {
    Iterator<Map.Entry<String, String>> it = entries.entrySet().iterator();
    return new KeyValueIterator<>() {
      @Override
      public boolean hasNext() {
        return it.hasNext();
      }

      @Override
      public KeyValue<String, String> next() {
        Map.Entry<String, String> e = it.next();
        if (e.getValue() == null) {
          throw new SerializationException("unsupported record version 9");
        }
        return KeyValue.pair(e.getKey(), e.getValue());
      }

      @Override
      public void close() {}

      @Override
      public String peekNextKey() {
        throw new UnsupportedOperationException();
      }
    };
  }
}
