package dev.tally.streams.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The ids one reading task counted within {@code dedup.window}: an in-memory index, persisted as
 * one changelog record per commit instead of one record and one RocksDB write per id.
 *
 * <p>Each id is kept as the first 128 bits of its SHA-256 digest, with its arrival time (Tally's
 * clock), in a hash table per half-window bucket of arrival: 32 to 64 bytes of heap per id, and a
 * bucket is dropped whole once every id in it is older than the window. Two different ids share a
 * digest with probability about n² / 2¹²⁸ for n ids in a window (below 10⁻²⁴ for ten million),
 * which would count the second as a duplicate.
 *
 * <p>The ids recorded since the last commit are written, when Kafka Streams calls {@link
 * #flushCache()} before it commits the task (the hook {@link CommitBufferedStore} uses, and for the
 * same reason), as a few records of the logged RocksDB store inside: key = bucket start and a
 * sequence number, value = 24 bytes per id (digest, arrival in epoch ms), at most {@value
 * #MAX_IDS_PER_RECORD} ids per record so a record stays well under the broker's default {@code
 * max.message.bytes} (1 MiB). Under exactly-once they commit with the input offsets; a crash rolls
 * both back together. An expired bucket's records are deleted (tombstones, so the compacted
 * changelog forgets them too). After a restore, the owning processor calls {@link #reload} from its
 * {@code init}, which rebuilds the index from the records.
 *
 * <p>Measured against a RocksDB window store with one write per id (docs/performance.md,
 * "Deduplication cost"): that write, not the changelog record, was what deduplication cost.
 */
public final class DedupStore extends CommitFlushedStore<Bytes, byte[]> {
  /** Ids per changelog record: 384 KiB of values. */
  static final int MAX_IDS_PER_RECORD = 16_384;

  static final int ID_BYTES = 24;

  private final long windowMs;
  private final long bucketMs;
  private final MessageDigest sha256;
  // Buckets by start (epoch ms of Tally's clock), oldest first.
  private final TreeMap<Long, Bucket> buckets = new TreeMap<>();
  // Records of expired buckets still to be deleted from the logged store at the next commit.
  private final List<Bytes> expired = new ArrayList<>();
  private long nextSequence;

  private DedupStore(KeyValueStore<Bytes, byte[]> logged, Duration window) {
    super(logged);
    if (window.isZero() || window.isNegative()) {
      throw new IllegalArgumentException("dedup window must be positive: " + window);
    }
    this.windowMs = window.toMillis();
    this.bucketMs = bucketMs(window);
    try {
      this.sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  /**
   * A builder of the store named {@code name} remembering ids for {@code window} (positive), over a
   * logged RocksDB store ({@code <application.id>-<name>-changelog}, compacted).
   */
  public static StoreBuilder<DedupStore> builder(String name, Duration window) {
    return new LoggedWrapperBuilder<>(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(name), Serdes.Bytes(), Serdes.ByteArray()),
        logged -> new DedupStore(logged, window));
  }

  /** The store over {@code logged}, which the caller initialises through it: for tests. */
  static DedupStore over(KeyValueStore<Bytes, byte[]> logged, Duration window) {
    return new DedupStore(logged, window);
  }

  /** Half the window, at least 1 ms: the buckets arrivals are filed under. */
  static long bucketMs(Duration window) {
    return Math.max(1, window.toMillis() / 2);
  }

  /**
   * Whether {@code id} arrived less than the window before {@code nowMs}; if not, records it as
   * arriving at {@code nowMs}. {@code nowMs} is Tally's clock (epoch ms) and must not go back by
   * more than a bucket between calls.
   *
   * @return true for a duplicate (nothing recorded), false for an id now recorded
   */
  public boolean seenElseRecord(String id, long nowMs) {
    byte[] digest = sha256.digest(id.getBytes(StandardCharsets.UTF_8));
    long hi = ByteBuffer.wrap(digest, 0, 8).getLong();
    // The table marks an empty slot by (0, 0): the lowest bit is given up to keep ids off it.
    long lo = ByteBuffer.wrap(digest, 8, 8).getLong() | 1;
    long start = Math.floorDiv(nowMs, bucketMs) * bucketMs;
    // An arrival within the window lies in this bucket or one of the two before it.
    for (int back = 0; back <= 2; back++) {
      Bucket bucket = buckets.get(start - back * bucketMs);
      if (bucket != null) {
        long arrival = bucket.table.get(hi, lo);
        if (arrival != Long.MIN_VALUE && nowMs - arrival < windowMs) {
          return true;
        }
      }
    }
    Bucket bucket = buckets.get(start);
    if (bucket == null) {
      bucket = new Bucket(start);
      buckets.put(start, bucket);
      expireBefore(nowMs);
    }
    bucket.table.put(hi, lo, nowMs);
    bucket.unwritten.add(hi, lo, nowMs);
    return false;
  }

  /** Ids held: those within the window, and those of buckets not yet expired. */
  public long size() {
    long size = 0;
    for (Bucket bucket : buckets.values()) {
      size += bucket.table.size;
    }
    return size;
  }

  /** Heap bytes of the index's tables (the ids' digests and arrivals; not the Java headers). */
  long tableBytes() {
    long bytes = 0;
    for (Bucket bucket : buckets.values()) {
      bytes += 8L * bucket.table.slots.length;
    }
    return bytes;
  }

  /** Drops the buckets whose every arrival is at least the window before {@code nowMs}. */
  private void expireBefore(long nowMs) {
    Iterator<Bucket> oldest = buckets.values().iterator();
    while (oldest.hasNext()) {
      Bucket bucket = oldest.next();
      if (bucket.start + bucketMs + windowMs > nowMs) {
        return;
      }
      oldest.remove();
      expired.addAll(bucket.records);
    }
  }

  /**
   * Rebuilds the index from the logged store: what the last commit (or the restored changelog)
   * left.
   */
  public void reload() {
    buckets.clear();
    expired.clear();
    nextSequence = 0;
    try (KeyValueIterator<Bytes, byte[]> all = logged.all()) {
      all.forEachRemaining(
          kv -> {
            ByteBuffer key = ByteBuffer.wrap(kv.key.get());
            long start = key.getLong();
            nextSequence = Math.max(nextSequence, key.getLong() + 1);
            Bucket bucket = buckets.computeIfAbsent(start, Bucket::new);
            bucket.records.add(kv.key);
            ByteBuffer ids = ByteBuffer.wrap(kv.value);
            while (ids.remaining() >= ID_BYTES) {
              bucket.table.put(ids.getLong(), ids.getLong(), ids.getLong());
            }
          });
    }
  }

  /** Writes the ids recorded since the last commit, and deletes the expired buckets' records. */
  @Override
  public void flushCache() {
    if (expired.isEmpty() && buckets.values().stream().allMatch(b -> b.unwritten.size == 0)) {
      return;
    }
    writes.run(
        () -> {
          for (Bytes record : expired) {
            logged.delete(record);
          }
          expired.clear();
          for (Bucket bucket : buckets.values()) {
            Ids ids = bucket.unwritten;
            for (int from = 0; from < ids.size; from += MAX_IDS_PER_RECORD) {
              int to = Math.min(ids.size, from + MAX_IDS_PER_RECORD);
              Bytes key =
                  Bytes.wrap(
                      ByteBuffer.allocate(16)
                          .putLong(bucket.start)
                          .putLong(nextSequence++)
                          .array());
              logged.put(key, ids.toBytes(from, to));
              bucket.records.add(key);
            }
            ids.size = 0;
          }
        });
  }

  @Override
  void clearContents() {
    buckets.clear();
    expired.clear();
  }

  /** The ids that arrived in one half-window. */
  private static final class Bucket {
    final long start;
    final IdTable table = new IdTable();
    final Ids unwritten = new Ids();
    // Keys of the logged records holding this bucket's ids.
    final List<Bytes> records = new ArrayList<>();

    Bucket(long start) {
      this.start = start;
    }
  }

  /** Ids with arrivals, in recording order: the next commit's records. */
  private static final class Ids {
    long[] entries = new long[3 * 64];
    int size;

    void add(long hi, long lo, long arrival) {
      if (3 * size == entries.length) {
        entries = Arrays.copyOf(entries, 2 * entries.length);
      }
      entries[3 * size] = hi;
      entries[3 * size + 1] = lo;
      entries[3 * size + 2] = arrival;
      size++;
    }

    byte[] toBytes(int from, int to) {
      ByteBuffer bytes = ByteBuffer.allocate((to - from) * ID_BYTES);
      for (int i = 3 * from; i < 3 * to; i++) {
        bytes.putLong(entries[i]);
      }
      return bytes.array();
    }
  }

  /**
   * Open addressing with linear probing over (digest high, digest low, arrival) triples in one
   * array, at most three quarters full: 32 to 64 bytes per id, and no object per id.
   */
  static final class IdTable {
    private long[] slots = new long[3 * 1024];
    private int size;

    /** The arrival of the id, or {@link Long#MIN_VALUE}. */
    long get(long hi, long lo) {
      int capacity = slots.length / 3;
      for (int i = index(hi, capacity); ; i = (i + 1) & (capacity - 1)) {
        long slotHi = slots[3 * i];
        long slotLo = slots[3 * i + 1];
        if (slotHi == hi && slotLo == lo) {
          return slots[3 * i + 2];
        }
        if (slotHi == 0 && slotLo == 0) {
          return Long.MIN_VALUE;
        }
      }
    }

    /** Sets the arrival of the id ({@code lo} odd, so never the empty marker). */
    void put(long hi, long lo, long arrival) {
      if (4 * (size + 1) > 3 * (slots.length / 3)) {
        grow();
      }
      int capacity = slots.length / 3;
      for (int i = index(hi, capacity); ; i = (i + 1) & (capacity - 1)) {
        long slotHi = slots[3 * i];
        long slotLo = slots[3 * i + 1];
        if (slotHi == 0 && slotLo == 0) {
          slots[3 * i] = hi;
          slots[3 * i + 1] = lo;
          slots[3 * i + 2] = arrival;
          size++;
          return;
        }
        if (slotHi == hi && slotLo == lo) {
          slots[3 * i + 2] = arrival;
          return;
        }
      }
    }

    int size() {
      return size;
    }

    private void grow() {
      long[] old = slots;
      slots = new long[2 * old.length];
      size = 0;
      for (int i = 0; i < old.length; i += 3) {
        if (old[i] != 0 || old[i + 1] != 0) {
          put(old[i], old[i + 1], old[i + 2]);
        }
      }
    }

    private static int index(long hi, int capacity) {
      // The digest is uniform already: its low bits are a good index as they are.
      return (int) hi & (capacity - 1);
    }
  }
}
