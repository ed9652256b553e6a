package dev.tally.streams.histogram;

import java.util.Arrays;

/**
 * Tally's binary form of a {@link Histogram}, self-describing so that a store or changelog record
 * can be read without any other state. Version 2, all multi-byte numbers big-endian:
 *
 * <pre>
 * u8       version = 2
 * u8       layout: 1 = the built-in latency layout ({@link HistogramLayout#latencySeconds()}:
 *          schema 6, zero threshold 2^-128, 13 classic bounds), or 0 followed by the layout:
 *          zigzag schema | f64 zero threshold | uvarint n | n × f64 classic bounds
 * uvarint  count
 * f64 f64  min, max                           (only when count &gt; 0)
 * sum      uvarint low | uvarint d | (d-1) × u32 digits | zigzag top digit   (see ExactSum)
 * uvarint  zero count
 * buckets  positive, then negative:
 *          uvarint spans | per span: (zigzag first index | uvarint gap) , uvarint length
 *          then one zigzag count delta per bucket (from the previous count, starting at 0)
 * n + 1 ×  uvarint classic count (per bucket, the last one is +Inf)
 * </pre>
 *
 * Version 1 (still read) always wrote the layout inline, without the layout byte: 105 bytes per
 * record for the built-in layout, repeated in every store and changelog record. The built-in
 * layout's number 1 is part of the format: the built-in layout may change only under a new number.
 *
 * <p>Populated buckets of a latency histogram form long runs, so spans cost a few bytes in all, and
 * neighbouring counts are similar, so their deltas mostly fit one byte.
 */
final class HistogramCodec {

  static final byte VERSION = 2;
  private static final byte VERSION_1 = 1;
  private static final byte INLINE_LAYOUT = 0;
  private static final byte LATENCY_SECONDS_LAYOUT = 1;

  private HistogramCodec() {}

  static byte[] encode(Histogram histogram) {
    HistogramLayout layout = histogram.layout();
    SparseCounts positive = histogram.positiveCounts();
    SparseCounts negative = histogram.negativeCounts();
    Writer out =
        new Writer(64 + 8 * layout.classicBucketCount() + 3 * (positive.size() + negative.size()));
    out.writeByte(VERSION);
    if (layout.equals(HistogramLayout.latencySeconds())) {
      out.writeByte(LATENCY_SECONDS_LAYOUT);
    } else {
      out.writeByte(INLINE_LAYOUT);
      out.writeVarLong(zigzag(layout.schema()));
      out.writeDouble(layout.zeroThreshold());
      out.writeVarLong(layout.classicBucketCount() - 1);
      for (int i = 0; i < layout.classicBucketCount() - 1; i++) {
        out.writeDouble(layout.classicUpperBound(i));
      }
    }
    out.writeVarLong(histogram.count());
    if (histogram.count() > 0) {
      out.writeDouble(histogram.min());
      out.writeDouble(histogram.max());
    }
    ExactSum sum = histogram.exactSum();
    long[] digits = sum.digits();
    out.writeVarLong(sum.low());
    out.writeVarLong(digits.length);
    for (int k = 0; k < digits.length - 1; k++) {
      out.writeInt((int) digits[k]);
    }
    if (digits.length > 0) {
      out.writeVarLong(zigzag(digits[digits.length - 1]));
    }
    out.writeVarLong(histogram.zeroCount());
    writeBuckets(out, positive);
    writeBuckets(out, negative);
    for (long c : histogram.classicCounts()) {
      out.writeVarLong(c);
    }
    return out.toByteArray();
  }

  /**
   * @throws IllegalArgumentException if the bytes are not a version 1 histogram, saying where
   */
  static Histogram decode(byte[] bytes) {
    Reader in = new Reader(bytes);
    int version = in.readByte();
    if (version != VERSION && version != VERSION_1) {
      throw new IllegalArgumentException(
          "unknown histogram format version " + version + ", expected " + VERSION);
    }
    int layoutId = version == VERSION_1 ? INLINE_LAYOUT : in.readByte();
    HistogramLayout layout;
    if (layoutId == LATENCY_SECONDS_LAYOUT) {
      layout = HistogramLayout.latencySeconds();
    } else if (layoutId == INLINE_LAYOUT) {
      layout = readLayout(in);
    } else {
      throw new IllegalArgumentException("unknown histogram layout " + layoutId);
    }
    long schema = layout.schema();
    if (schema < ExponentialBuckets.MIN_SCHEMA || schema > ExponentialBuckets.MAX_SCHEMA) {
      throw new IllegalArgumentException("schema " + schema + " out of range");
    }
    long count = in.readVarLong();
    if (count < 0) {
      throw new IllegalArgumentException("count " + count + " overflows");
    }
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    if (count > 0) {
      min = in.readDouble();
      max = in.readDouble();
    }
    long low = in.readVarLong();
    int digitCount = in.readLength(1);
    if (low > ExactSum.MAX_DIGITS || digitCount > ExactSum.MAX_DIGITS) {
      throw new IllegalArgumentException("sum digits out of range");
    }
    long[] digits = new long[digitCount];
    for (int k = 0; k < digitCount - 1; k++) {
      digits[k] = in.readInt() & 0xFFFF_FFFFL;
    }
    if (digitCount > 0) {
      digits[digitCount - 1] = unzigzag(in.readVarLong());
    }
    ExactSum sum = ExactSum.fromDigits((int) low, digits);
    long zeroCount = in.readVarLong();
    SparseCounts positive = readBuckets(in, (int) schema);
    SparseCounts negative = readBuckets(in, (int) schema);
    long[] classicCounts = new long[layout.classicBucketCount()];
    for (int i = 0; i < classicCounts.length; i++) {
      classicCounts[i] = in.readVarLong();
    }
    in.requireEnd();
    return Histogram.restore(
        layout, classicCounts, count, sum, min, max, zeroCount, positive, negative);
  }

  private static HistogramLayout readLayout(Reader in) {
    long schema = unzigzag(in.readVarLong());
    if (schema < ExponentialBuckets.MIN_SCHEMA || schema > ExponentialBuckets.MAX_SCHEMA) {
      throw new IllegalArgumentException("schema " + schema + " out of range");
    }
    double zeroThreshold = in.readDouble();
    int boundCount = in.readLength(8);
    double[] bounds = new double[boundCount];
    for (int i = 0; i < boundCount; i++) {
      bounds[i] = in.readDouble();
    }
    return HistogramLayout.builder()
        .schema((int) schema)
        .zeroThreshold(zeroThreshold)
        .classicUpperBounds(bounds)
        .build();
  }

  private static void writeBuckets(Writer out, SparseCounts buckets) {
    int n = buckets.size();
    int spans = 0;
    for (int i = 0; i < n; i++) {
      if (i == 0 || buckets.index(i) != buckets.index(i - 1) + 1) {
        spans++;
      }
    }
    out.writeVarLong(spans);
    int start = 0;
    long previousEnd = 0;
    while (start < n) {
      int end = start;
      while (end + 1 < n && buckets.index(end + 1) == buckets.index(end) + 1) {
        end++;
      }
      long first = buckets.index(start);
      out.writeVarLong(start == 0 ? zigzag(first) : first - previousEnd - 1);
      out.writeVarLong(end - start + 1);
      previousEnd = buckets.index(end);
      start = end + 1;
    }
    long previous = 0;
    for (int i = 0; i < n; i++) {
      out.writeVarLong(zigzag(buckets.count(i) - previous));
      previous = buckets.count(i);
    }
  }

  private static SparseCounts readBuckets(Reader in, int schema) {
    int spans = in.readLength(2);
    long minIndex = ExponentialBuckets.minIndex(schema);
    long maxIndex = ExponentialBuckets.maxIndex(schema);
    int[] indexes = new int[0];
    int n = 0;
    long next = 0;
    for (int s = 0; s < spans; s++) {
      long first = s == 0 ? unzigzag(in.readVarLong()) : next + in.readVarLong();
      int length = in.readLength(1);
      long last = first + length - 1;
      if (length == 0 || first < minIndex || last > maxIndex || last < first) {
        throw new IllegalArgumentException(
            "bucket span " + first + " (length " + length + ") outside schema " + schema);
      }
      if (n + length > in.remaining()) {
        throw new IllegalArgumentException("more buckets than bytes left for their counts");
      }
      if (n + length > indexes.length) {
        indexes = Arrays.copyOf(indexes, Math.max(n + length, 2 * indexes.length));
      }
      for (int k = 0; k < length; k++) {
        indexes[n++] = (int) (first + k);
      }
      next = last + 1;
    }
    long[] counts = new long[n];
    long previous = 0;
    for (int i = 0; i < n; i++) {
      counts[i] = previous + unzigzag(in.readVarLong());
      previous = counts[i];
    }
    return SparseCounts.fromSorted(Arrays.copyOf(indexes, n), counts);
  }

  private static long zigzag(long value) {
    return (value << 1) ^ (value >> 63);
  }

  private static long unzigzag(long value) {
    return (value >>> 1) ^ -(value & 1);
  }

  private static final class Writer {
    private byte[] buffer;
    private int size;

    Writer(int capacity) {
      buffer = new byte[capacity];
    }

    void writeByte(int b) {
      if (size == buffer.length) {
        buffer = Arrays.copyOf(buffer, buffer.length * 2);
      }
      buffer[size++] = (byte) b;
    }

    void writeVarLong(long value) {
      while ((value & ~0x7FL) != 0) {
        writeByte((int) (value & 0x7F) | 0x80);
        value >>>= 7;
      }
      writeByte((int) value);
    }

    void writeInt(int value) {
      for (int shift = 24; shift >= 0; shift -= 8) {
        writeByte(value >>> shift);
      }
    }

    void writeDouble(double value) {
      long bits = Double.doubleToRawLongBits(value);
      writeInt((int) (bits >>> 32));
      writeInt((int) bits);
    }

    byte[] toByteArray() {
      return Arrays.copyOf(buffer, size);
    }
  }

  private static final class Reader {
    private final byte[] bytes;
    private int position;

    Reader(byte[] bytes) {
      this.bytes = bytes;
    }

    int remaining() {
      return bytes.length - position;
    }

    int readByte() {
      if (position >= bytes.length) {
        throw new IllegalArgumentException("truncated after " + bytes.length + " bytes");
      }
      return bytes[position++] & 0xFF;
    }

    long readVarLong() {
      long value = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        int b = readByte();
        if (shift == 63 && b > 1) {
          throw new IllegalArgumentException("varint overflows 64 bits at byte " + position);
        }
        value |= (long) (b & 0x7F) << shift;
        if ((b & 0x80) == 0) {
          return value;
        }
      }
      throw new IllegalArgumentException("varint longer than 10 bytes at byte " + position);
    }

    /** A length, each element needing at least {@code bytesPerElement} of the bytes left. */
    int readLength(int bytesPerElement) {
      long length = readVarLong();
      if (length < 0 || length > remaining() / bytesPerElement) {
        throw new IllegalArgumentException(
            "length " + length + " at byte " + position + " exceeds the bytes left");
      }
      return (int) length;
    }

    int readInt() {
      int value = 0;
      for (int i = 0; i < 4; i++) {
        value = (value << 8) | readByte();
      }
      return value;
    }

    double readDouble() {
      long high = readInt() & 0xFFFF_FFFFL;
      long low = readInt() & 0xFFFF_FFFFL;
      return Double.longBitsToDouble((high << 32) | low);
    }

    void requireEnd() {
      if (position != bytes.length) {
        throw new IllegalArgumentException(
            (bytes.length - position) + " unexpected bytes after the histogram");
      }
    }
  }
}
