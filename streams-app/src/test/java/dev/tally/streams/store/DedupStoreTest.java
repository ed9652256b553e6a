package dev.tally.streams.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The dedup index against its contract (docs/events.md, "Re-sent events"): an id counted less than
 * {@code dedup.window} ago is a duplicate, and only what a commit wrote survives a restore. The
 * inner store here is a plain in-memory one; what it holds is what the changelog would.
 */
class DedupStoreTest {
  private static final Duration WINDOW = Duration.ofMinutes(10);
  private static final long T0 = 1_750_000_000_000L;

  private final KeyValueStore<Bytes, byte[]> logged =
      Stores.keyValueStoreBuilder(
              Stores.inMemoryKeyValueStore("dedup-ids"), Serdes.Bytes(), Serdes.ByteArray())
          .withLoggingDisabled()
          .build();
  private DedupStore store;

  @BeforeEach
  void open() {
    store = DedupStore.over(logged, WINDOW);
    store.init(new MockProcessorContext<>().getStateStoreContext(), store);
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void shouldCallAnIdADuplicateUntilTheWindowHasPassedSinceItsArrival() {
    assertThat(store.seenElseRecord("a", T0)).isFalse();
    assertThat(store.seenElseRecord("a", T0 + 1)).isTrue();
    assertThat(store.seenElseRecord("b", T0 + 1)).isFalse();
    // 10 minutes less 1 ms after the first arrival: still within; exactly 10 minutes: not.
    assertThat(store.seenElseRecord("a", T0 + WINDOW.toMillis() - 1)).isTrue();
    assertThat(store.seenElseRecord("a", T0 + WINDOW.toMillis())).isFalse();
    // Counted again at T0 + 10m, so remembered from there.
    assertThat(store.seenElseRecord("a", T0 + WINDOW.toMillis() + 1)).isTrue();
  }

  @Test
  void shouldRememberEveryIdOfALargeWindow() {
    for (int i = 0; i < 200_000; i++) {
      assertThat(store.seenElseRecord("id-" + i, T0 + i)).isFalse();
    }
    int found = 0;
    for (int i = 0; i < 200_000; i++) {
      found += store.seenElseRecord("id-" + i, T0 + 200_000) ? 1 : 0;
    }
    assertThat(found).isEqualTo(200_000);
    assertThat(store.seenElseRecord("id-200000", T0 + 200_000)).isFalse();
  }

  @Test
  void shouldKeepAnIdIn32To64BytesOfHeap() {
    // docs/operations.md, "Sizing": 32 to 64 bytes per id within the window, whatever the count.
    for (int i = 1; i <= 300_000; i++) {
      store.seenElseRecord("id-" + i, T0 + i);
      if (i % 25_000 == 0) {
        assertThat((double) store.tableBytes() / store.size())
            .as("bytes per id")
            .isBetween(32.0, 64.0);
      }
    }
  }

  @Test
  void shouldRestoreTheIdsOfTheLastCommitOnly() {
    store.seenElseRecord("committed-1", T0);
    store.seenElseRecord("committed-2", T0 + 1);
    store.flushCache();
    store.seenElseRecord("after-the-commit", T0 + 2); // a crash rolls this back

    DedupStore restored = DedupStore.over(logged, WINDOW);
    restored.reload();
    assertThat(restored.seenElseRecord("committed-1", T0 + 5)).isTrue();
    assertThat(restored.seenElseRecord("committed-2", T0 + 5)).isTrue();
    assertThat(restored.seenElseRecord("after-the-commit", T0 + 5)).isFalse();
    // The restored arrival times still end the window where they did.
    assertThat(restored.seenElseRecord("committed-1", T0 + WINDOW.toMillis())).isFalse();
  }

  @Test
  void shouldWriteTheIdsOfOneCommitAsFewRecords() {
    int ids = 2 * DedupStore.MAX_IDS_PER_RECORD + 1;
    for (int i = 0; i < ids; i++) {
      store.seenElseRecord("id-" + i, T0 + i % 1000);
    }
    assertThat(records()).isEmpty(); // nothing before the commit
    store.flushCache();
    List<KeyValue<Bytes, byte[]>> written = records();
    assertThat(written).hasSize(3);
    assertThat(written.stream().mapToInt(kv -> kv.value.length).sum())
        .isEqualTo(ids * DedupStore.ID_BYTES);
    store.flushCache(); // nothing new: nothing written
    assertThat(records()).hasSize(3);
  }

  @Test
  void shouldDeleteTheRecordsOfIdsOlderThanTheWindow() {
    store.seenElseRecord("old", T0);
    store.flushCache();
    assertThat(records()).hasSize(1);
    // A new half-window bucket once the old one's every arrival is a window old.
    long later = T0 + WINDOW.toMillis() + WINDOW.toMillis() / 2;
    store.seenElseRecord("new", later);
    store.flushCache();
    assertThat(store.size()).isEqualTo(1);
    List<KeyValue<Bytes, byte[]>> left = records();
    assertThat(left).hasSize(1);
    DedupStore restored = DedupStore.over(logged, WINDOW);
    restored.reload();
    assertThat(restored.size()).isEqualTo(1);
    assertThat(restored.seenElseRecord("new", later + 1)).isTrue();
  }

  private List<KeyValue<Bytes, byte[]>> records() {
    List<KeyValue<Bytes, byte[]>> records = new ArrayList<>();
    try (KeyValueIterator<Bytes, byte[]> all = logged.all()) {
      all.forEachRemaining(records::add);
    }
    return records;
  }
}
