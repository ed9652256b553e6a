package dev.tally.streams.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.streams.commit.CommittedView;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.KeyValue;
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
