package dev.tally.streams.histogram;

import java.util.Arrays;

/**
 * An immutable view of the populated native buckets on one side of zero: bucket indexes in
 * ascending order, each with a count above zero. Empty buckets are absent.
 *
 * <pre>{@code
 * NativeBuckets positive = histogram.positiveBuckets();
 * for (int i = 0; i < positive.size(); i++) {
 *   render(positive.index(i), positive.count(i));
 * }
 * }</pre>
 */
public final class NativeBuckets {

  static final NativeBuckets EMPTY = new NativeBuckets(new int[0], new long[0]);

  private final int[] indexes;
  private final long[] counts;

  /** Takes ownership of the arrays; callers pass fresh copies. */
  NativeBuckets(int[] indexes, long[] counts) {
    this.indexes = indexes;
    this.counts = counts;
  }

  /** The number of populated buckets. */
  public int size() {
    return indexes.length;
  }

  /** The bucket index at position {@code i}; indexes ascend with {@code i}. */
  public int index(int i) {
    return indexes[i];
  }

  /** The (non-cumulative) count at position {@code i}; always above zero. */
  public long count(int i) {
    return counts[i];
  }

  /** A copy of all indexes, ascending, for exposition APIs that take arrays. */
  public int[] indexes() {
    return indexes.clone();
  }

  /** A copy of all counts, in the order of {@link #indexes()}. */
  public long[] counts() {
    return counts.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NativeBuckets other
        && Arrays.equals(indexes, other.indexes)
        && Arrays.equals(counts, other.counts);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(indexes) + Arrays.hashCode(counts);
  }

  @Override
  public String toString() {
    StringBuilder text = new StringBuilder("{");
    for (int i = 0; i < indexes.length; i++) {
      text.append(i == 0 ? "" : ", ").append(indexes[i]).append('=').append(counts[i]);
    }
    return text.append('}').toString();
  }
}
