package dev.tally.streams.histogram;

import java.util.Arrays;

/**
 * The populated native buckets on one side of zero: a sorted int→long map in two primitive arrays.
 *
 * <p>Sparse rather than a dense window because partial histograms are small and many: a handful of
 * cache hits at 1 ms and one timeout at 10 s would need an 850-slot window at schema 6, but three
 * entries here. Inserting a new bucket shifts the arrays; that grows rarer as a histogram fills,
 * and lookups are a binary search over at most a few hundred entries.
 */
final class SparseCounts {

  private static final int[] NO_INDEXES = new int[0];
  private static final long[] NO_COUNTS = new long[0];

  private int[] indexes;
  private long[] counts;
  private int size;

  SparseCounts() {
    this(NO_INDEXES, NO_COUNTS, 0);
  }

  private SparseCounts(int[] indexes, long[] counts, int size) {
    this.indexes = indexes;
    this.counts = counts;
    this.size = size;
  }

  /**
   * Builds from strictly ascending indexes with counts above zero, as read back from storage.
   *
   * @throws IllegalArgumentException if the indexes do not ascend or a count is not positive
   */
  static SparseCounts fromSorted(int[] indexes, long[] counts) {
    for (int i = 0; i < indexes.length; i++) {
      if (counts[i] <= 0) {
        throw new IllegalArgumentException("bucket " + indexes[i] + " has count " + counts[i]);
      }
      if (i > 0 && indexes[i] <= indexes[i - 1]) {
        throw new IllegalArgumentException(
            "bucket indexes must ascend, got " + indexes[i - 1] + " then " + indexes[i]);
      }
    }
    return new SparseCounts(indexes.clone(), counts.clone(), indexes.length);
  }

  int size() {
    return size;
  }

  int index(int i) {
    return indexes[i];
  }

  long count(int i) {
    return counts[i];
  }

  /** Adds {@code n > 0} to the bucket {@code index}. */
  void add(int index, long n) {
    int position = Arrays.binarySearch(indexes, 0, size, index);
    if (position >= 0) {
      counts[position] += n;
      return;
    }
    position = -position - 1;
    if (size == indexes.length) {
      int capacity = Math.max(8, size + (size >> 1));
      indexes = Arrays.copyOf(indexes, capacity);
      counts = Arrays.copyOf(counts, capacity);
    }
    System.arraycopy(indexes, position, indexes, position + 1, size - position);
    System.arraycopy(counts, position, counts, position + 1, size - position);
    indexes[position] = index;
    counts[position] = n;
    size++;
  }

  /** Adds every bucket of {@code other} (same schema) in one pass over both. */
  void addAll(SparseCounts other) {
    if (other.size == 0) {
      return;
    }
    int[] mergedIndexes = new int[size + other.size];
    long[] mergedCounts = new long[size + other.size];
    int i = 0;
    int j = 0;
    int n = 0;
    while (i < size || j < other.size) {
      if (j == other.size || (i < size && indexes[i] < other.indexes[j])) {
        mergedIndexes[n] = indexes[i];
        mergedCounts[n++] = counts[i++];
      } else if (i == size || other.indexes[j] < indexes[i]) {
        mergedIndexes[n] = other.indexes[j];
        mergedCounts[n++] = other.counts[j++];
      } else {
        mergedIndexes[n] = indexes[i];
        mergedCounts[n++] = counts[i++] + other.counts[j++];
      }
    }
    indexes = mergedIndexes;
    counts = mergedCounts;
    size = n;
  }

  /**
   * Re-buckets to a schema {@code delta} steps coarser, like Prometheus: bucket {@code i} goes to
   * {@code ((i - 1) >> delta) + 1}, because each coarser bucket is the union of {@code 2^delta}
   * consecutive finer ones ending at a shared boundary. Exact; counts only move, never split.
   */
  void downscale(int delta) {
    if (delta == 0 || size == 0) {
      return;
    }
    int n = 0;
    for (int i = 0; i < size; i++) {
      int index = ((indexes[i] - 1) >> delta) + 1;
      if (n > 0 && indexes[n - 1] == index) {
        counts[n - 1] += counts[i];
      } else {
        indexes[n] = index;
        counts[n++] = counts[i];
      }
    }
    size = n;
  }

  SparseCounts copy() {
    return new SparseCounts(Arrays.copyOf(indexes, size), Arrays.copyOf(counts, size), size);
  }

  NativeBuckets snapshot() {
    return size == 0
        ? NativeBuckets.EMPTY
        : new NativeBuckets(Arrays.copyOf(indexes, size), Arrays.copyOf(counts, size));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SparseCounts other
        && Arrays.equals(indexes, 0, size, other.indexes, 0, other.size)
        && Arrays.equals(counts, 0, size, other.counts, 0, other.size);
  }

  @Override
  public int hashCode() {
    int hash = 1;
    for (int i = 0; i < size; i++) {
      hash = 31 * hash + indexes[i];
      hash = 31 * hash + Long.hashCode(counts[i]);
    }
    return hash;
  }

  @Override
  public String toString() {
    return snapshot().toString();
  }
}
