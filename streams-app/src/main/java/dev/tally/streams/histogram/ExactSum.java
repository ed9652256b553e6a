package dev.tally.streams.histogram;

import java.math.BigInteger;
import java.util.Arrays;

/**
 * The exact sum of doubles: a fixed-point integer in units of {@code 2^-1074} (the smallest
 * double), so every double and every sum of doubles is an integer here and addition is exact.
 *
 * <p>Tally merges partial histograms in whatever order tasks, windows and instances deliver them; a
 * floating-point sum would differ in its last bits from one order to the next. This one does not,
 * so merged histograms compare equal to a histogram built in one go, and {@link #toDouble()} rounds
 * only once, at the end.
 *
 * <p>Digits are 32 bits wide and kept in 64-bit longs, so additions need no carry propagation until
 * {@link #normalize()}, which runs before digits could overflow and before the digits are read.
 * Latency sums span about 90 bits, i.e. three or four digits. Counter totals use it too, so that
 * integer increments add up exactly however large the total grows.
 */
public final class ExactSum {

  /** Digit {@code k} of the value has weight {@code 2^(32 * (low + k) - 1074)}. */
  private static final int UNIT_EXPONENT = -1074;

  private static final long DIGIT_MASK = 0xFFFF_FFFFL;

  /** Each pending addition grows a digit's magnitude by less than 2^32; 2^62 still fits a long. */
  private static final int MAX_PENDING = 1 << 29;

  /** A double spans bit positions 0..2097 in units of 2^-1074; with a 2^63 factor, at most 71. */
  public static final int MAX_DIGITS = 72;

  private static final long[] NO_DIGITS = new long[0];

  private long[] digits = NO_DIGITS;
  private int low;
  private int pending;
  private boolean cached;
  private double cachedValue;

  public ExactSum copy() {
    ExactSum copy = new ExactSum();
    copy.digits = digits.clone();
    copy.low = low;
    copy.pending = pending;
    return copy;
  }

  /** Adds {@code value * times} exactly; {@code value} finite, {@code times > 0}. */
  public void add(double value, long times) {
    long bits = Double.doubleToRawLongBits(value);
    int biasedExponent = (int) (bits >>> 52) & 0x7FF;
    long mantissa = bits & 0x000F_FFFF_FFFF_FFFFL;
    if (biasedExponent != 0) {
      mantissa |= 1L << 52;
    } else if (mantissa == 0) {
      return;
    }
    // value = ±mantissa * 2^(bitPosition - 1074)
    int bitPosition = Math.max(biasedExponent - 1, 0);
    long productLow = mantissa * times;
    long productHigh = Math.multiplyHigh(mantissa, times);
    long w0 = productLow & DIGIT_MASK;
    long w1 = productLow >>> 32;
    long w2 = productHigh & DIGIT_MASK;
    long w3 = productHigh >>> 32;
    int shift = bitPosition & 31;
    // Shifting a word below 2^32 right by (32 - shift) keeps the bits that spill into the next
    // digit; for shift 0 that is a shift by 32, which leaves nothing.
    long d0 = (w0 << shift) & DIGIT_MASK;
    long d1 = ((w1 << shift) & DIGIT_MASK) | (w0 >>> (32 - shift));
    long d2 = ((w2 << shift) & DIGIT_MASK) | (w1 >>> (32 - shift));
    long d3 = ((w3 << shift) & DIGIT_MASK) | (w2 >>> (32 - shift));
    long d4 = w3 >>> (32 - shift);
    int position = bitPosition >>> 5;
    cover(position, position + 4);
    int k = position - low;
    if (bits < 0) {
      digits[k] -= d0;
      digits[k + 1] -= d1;
      digits[k + 2] -= d2;
      digits[k + 3] -= d3;
      digits[k + 4] -= d4;
    } else {
      digits[k] += d0;
      digits[k + 1] += d1;
      digits[k + 2] += d2;
      digits[k + 3] += d3;
      digits[k + 4] += d4;
    }
    cached = false;
    if (++pending >= MAX_PENDING) {
      normalize();
    }
  }

  public void addAll(ExactSum other) {
    if (other.digits.length == 0) {
      return;
    }
    cover(other.low, other.low + other.digits.length - 1);
    int offset = other.low - low;
    for (int k = 0; k < other.digits.length; k++) {
      digits[offset + k] += other.digits[k];
    }
    cached = false;
    pending += other.pending + 1;
    if (pending >= MAX_PENDING) {
      normalize();
    }
  }

  /** The sum rounded to the nearest double (ties to even); infinite only beyond MAX_VALUE. */
  public double toDouble() {
    if (!cached) {
      cachedValue = round();
      cached = true;
    }
    return cachedValue;
  }

  /** Position of the lowest digit of the canonical form. */
  public int low() {
    normalize();
    return low;
  }

  /**
   * The canonical digits, lowest first: all below the top in [0, 2^32), the top one signed and
   * within int range, no removable top or bottom digits; none for zero.
   */
  public long[] digits() {
    normalize();
    return digits.clone();
  }

  /**
   * Rebuilds a sum from digits as {@link #digits()} returns them, tolerating a non-canonical form.
   *
   * @throws IllegalArgumentException if the digits cannot be a sum of doubles
   */
  public static ExactSum fromDigits(int low, long[] digits) {
    if (digits.length > MAX_DIGITS || low < 0 || low + digits.length > MAX_DIGITS) {
      throw new IllegalArgumentException(
          "sum digits " + low + ".." + (low + digits.length) + " exceed " + MAX_DIGITS);
    }
    for (int k = 0; k < digits.length - 1; k++) {
      if (digits[k] < 0 || digits[k] > DIGIT_MASK) {
        throw new IllegalArgumentException("sum digit " + k + " out of range: " + digits[k]);
      }
    }
    ExactSum sum = new ExactSum();
    sum.digits = digits.clone();
    sum.low = low;
    sum.normalize();
    return sum;
  }

  /** Grows the digit window to cover positions {@code from..to}. */
  private void cover(int from, int to) {
    if (digits.length == 0) {
      digits = new long[to - from + 1];
      low = from;
      return;
    }
    int high = low + digits.length - 1;
    if (from >= low && to <= high) {
      return;
    }
    int newLow = Math.min(low, from);
    int newHigh = Math.max(high, to);
    long[] grown = new long[newHigh - newLow + 1];
    System.arraycopy(digits, 0, grown, low - newLow, digits.length);
    digits = grown;
    low = newLow;
  }

  /** Propagates carries and trims to the canonical form described at {@link #digits()}. */
  private void normalize() {
    if (pending == 0 && isCanonical()) {
      return;
    }
    long[] work = Arrays.copyOf(digits, digits.length + 3);
    long carry = 0;
    int n = digits.length;
    for (int k = 0; k < n; k++) {
      long d = work[k] + carry;
      work[k] = d & DIGIT_MASK;
      carry = d >> 32;
    }
    // The carry is now below 2^31 in magnitude; it becomes a signed top digit.
    work[n++] = carry;
    int bottom = 0;
    while (bottom < n && work[bottom] == 0) {
      bottom++;
    }
    if (bottom == n) {
      digits = NO_DIGITS;
      low = 0;
      pending = 0;
      return;
    }
    while (n - bottom >= 2
        && ((work[n - 1] == 0 && work[n - 2] <= Integer.MAX_VALUE)
            || (work[n - 1] == -1 && work[n - 2] > Integer.MAX_VALUE))) {
      work[n - 2] = work[n - 1] == 0 ? work[n - 2] : work[n - 2] - (1L << 32);
      n--;
    }
    digits = Arrays.copyOfRange(work, bottom, n);
    low += bottom;
    pending = 0;
  }

  private boolean isCanonical() {
    int n = digits.length;
    if (n == 0) {
      return true;
    }
    long top = digits[n - 1];
    if (top < Integer.MIN_VALUE || top > Integer.MAX_VALUE || digits[0] == 0) {
      return false;
    }
    for (int k = 0; k < n - 1; k++) {
      if (digits[k] < 0 || digits[k] > DIGIT_MASK) {
        return false;
      }
    }
    return n == 1
        || !((top == 0 && digits[n - 2] <= Integer.MAX_VALUE)
            || (top == -1 && digits[n - 2] > Integer.MAX_VALUE));
  }

  private double round() {
    normalize();
    int n = digits.length;
    if (n == 0) {
      return 0.0;
    }
    BigInteger value = BigInteger.valueOf(digits[n - 1]);
    for (int k = n - 2; k >= 0; k--) {
      value = value.shiftLeft(32).or(BigInteger.valueOf(digits[k]));
    }
    BigInteger magnitude = value.abs();
    int exponent = 32 * low + UNIT_EXPONENT;
    int excess = Math.max(0, magnitude.bitLength() - 62);
    long top62 = magnitude.shiftRight(excess).longValueExact();
    if (magnitude.getLowestSetBit() < excess) {
      // Sticky bit: far below the rounding position, it only breaks ties correctly.
      top62 |= 1;
    }
    // One rounding (long to double); scaling by a power of two is exact for normal results, and
    // a subnormal result has at most 52 significant bits here because every input was a multiple
    // of 2^-1074.
    double rounded = Math.scalb((double) top62, excess + exponent);
    return value.signum() < 0 ? -rounded : rounded;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof ExactSum other)) {
      return false;
    }
    normalize();
    other.normalize();
    return low == other.low && Arrays.equals(digits, other.digits);
  }

  @Override
  public int hashCode() {
    normalize();
    return 31 * low + Arrays.hashCode(digits);
  }

  @Override
  public String toString() {
    return Double.toString(toDouble());
  }
}
