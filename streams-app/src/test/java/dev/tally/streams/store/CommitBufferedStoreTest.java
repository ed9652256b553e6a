package dev.tally.streams.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/**
 * What {@link CommitBufferedStore} writes to its changelogged store (here a plain in-memory one,
 * holding what the changelog would): each changed entry once per commit, nothing before.
 */
class CommitBufferedStoreTest {
  private final KeyValueStore<Bytes, byte[]> logged =
      Stores.keyValueStoreBuilder(
              Stores.inMemoryKeyValueStore("pending"), Serdes.Bytes(), Serdes.ByteArray())
          .withLoggingDisabled()
          .build();

  private CommitBufferedStore<String, Long> open() {
    CommitBufferedStore<String, Long> store =
        CommitBufferedStore.over(logged, Serdes.String(), Serdes.Long());
    store.init(new MockProcessorContext<>().getStateStoreContext(), store);
    return store;
  }

  @Test
  void shouldWriteEachChangedEntryOncePerCommitAndNothingBefore() {
    CommitBufferedStore<String, Long> store = open();
    for (long i = 1; i <= 100; i++) {
      store.put("a", i);
    }
    store.put("b", 7L);
    assertThat(persisted()).isEmpty();
    store.flushCache();
    assertThat(persisted()).containsExactlyInAnyOrderEntriesOf(Map.of("a", 100L, "b", 7L));
  }

  @Test
  void shouldNeverPersistAnEntryCreatedAndDeletedBetweenTwoCommits() {
    CommitBufferedStore<String, Long> store = open();
    store.put("kept", 1L);
    store.flushCache();
    store.put("flushed-downstream", 5L);
    store.delete("flushed-downstream");
    store.delete("kept");
    store.flushCache();
    // "kept" was persisted, so its delete is a tombstone; the other never reached the store.
    assertThat(persisted()).isEmpty();
    store.put("later", 2L);
    store.flushCache();
    assertThat(persisted()).containsExactlyEntriesOf(Map.of("later", 2L));
  }

  @Test
  void shouldReloadWhatTheLastCommitLeft() {
    CommitBufferedStore<String, Long> store = open();
    store.put("committed", 1L);
    store.flushCache();
    store.put("uncommitted", 2L); // a crash rolls this back
    CommitBufferedStore<String, Long> restored =
        CommitBufferedStore.over(logged, Serdes.String(), Serdes.Long());
    restored.reload();
    assertThat(restored.get("committed")).isEqualTo(1L);
    assertThat(restored.get("uncommitted")).isNull();
    assertThat(restored.size()).isEqualTo(1);
  }

  private Map<String, Long> persisted() {
    Map<String, Long> entries = new HashMap<>();
    try (KeyValueIterator<Bytes, byte[]> all = logged.all()) {
      all.forEachRemaining(
          kv ->
              entries.put(
                  Serdes.String().deserializer().deserialize("t", kv.key.get()),
                  Serdes.Long().deserializer().deserialize("t", kv.value)));
    }
    return entries;
  }
}
