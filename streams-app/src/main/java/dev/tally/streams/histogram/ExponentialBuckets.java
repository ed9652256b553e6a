package dev.tally.streams.histogram;

import java.math.BigInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The exponential bucket layout of Prometheus native histograms.
 *
 * <p>For a schema {@code s} in [-4, 8] the base is {@code 2^(2^-s)}, and the bucket with index
 * {@code i} holds the magnitudes in {@code (base^(i-1), base^i]}. Bucket 0 therefore ends at 1, and
 * every power of two is a bucket boundary at every schema, so a bucket at schema {@code s-1} is
 * exactly the union of buckets {@code 2j-1} and {@code 2j} at schema {@code s}.
 *
 * <pre>{@code
 * int i = ExponentialBuckets.index(6, 0.042);         // 42 ms at schema 6
 * double le = ExponentialBuckets.upperBound(6, i);    // largest double in that bucket
 * double guess = ExponentialBuckets.estimate(6, i);   // within 0.54 % of anything in the bucket
 * }</pre>
 *
 * <p>Indexing follows client_golang and client_java: split the magnitude into a fraction in [0.5,
 * 1) and a power of two (C's {@code frexp}); negative and zero schemas need only the exponent,
 * positive schemas binary-search the fraction in a table of the {@code 2^s} boundaries within one
 * power of two. Tally's table holds, for each boundary, the largest double that does not exceed the
 * true (irrational) boundary, derived with exact integer arithmetic on first use. A double is
 * therefore in bucket {@code i} exactly when it lies in {@code (base^(i-1), base^i]} as real
 * numbers, independent of how the platform rounds {@code Math.pow}. client_golang's hand-written
 * table rounds some of these boundaries one or two ulps differently, so a value within two ulps of
 * a boundary can land in the neighbouring bucket there; nothing else differs.
 */
public final class ExponentialBuckets {

  /** The coarsest schema Prometheus accepts: base {@code 2^16}. */
  public static final int MIN_SCHEMA = -4;

  /** The finest schema Prometheus accepts: base {@code 2^(1/256)}. */
  public static final int MAX_SCHEMA = 8;

  private static final long FRACTION_BITS = 0x000F_FFFF_FFFF_FFFFL;
  private static final long HALF_EXPONENT_BITS = 1022L << 52;

  /**
   * Element {@code s} is, once used, the table for schema {@code s}: entry {@code j} is the largest
   * double not above {@code 2^(j / 2^s - 1)}, one of the boundaries inside [0.5, 1) that {@link
   * #index} compares frexp fractions with. Built on first use because the exact check costs tens of
   * milliseconds at schema 8, and most processes use one schema.
   */
  private static final AtomicReferenceArray<double[]> BOUNDS =
      new AtomicReferenceArray<>(MAX_SCHEMA + 1);

  private ExponentialBuckets() {}

  /**
   * Returns the index of the bucket holding {@code magnitude}.
   *
   * @param magnitude a finite value greater than zero (callers route zero, the zero bucket and the
   *     sign elsewhere)
   */
  public static int index(int schema, double magnitude) {
    checkSchema(schema);
    if (!(magnitude > 0) || magnitude == Double.POSITIVE_INFINITY) {
      throw new IllegalArgumentException(
          "bucket index needs a finite magnitude above zero, got " + magnitude);
    }
    // frexp: magnitude == fraction * 2^exponent with fraction in [0.5, 1), exactly.
    long bits = Double.doubleToRawLongBits(magnitude);
    long fractionBits = bits & FRACTION_BITS;
    int exponent;
    if (Math.getExponent(magnitude) < Double.MIN_EXPONENT) {
      // Subnormal: move the leading one up to the implicit bit position.
      int shift = Long.numberOfLeadingZeros(fractionBits) - 11;
      fractionBits = (fractionBits << shift) & FRACTION_BITS;
      exponent = Double.MIN_EXPONENT + 1 - shift;
    } else {
      exponent = Math.getExponent(magnitude) + 1;
    }
    if (schema > 0) {
      double fraction = Double.longBitsToDouble(fractionBits | HALF_EXPONENT_BITS);
      double[] bounds = bounds(schema);
      return firstNotBelow(bounds, fraction) + (exponent - 1) * bounds.length;
    }
    // An exact power of two (fraction 0.5) closes the bucket below it.
    int key = fractionBits == 0 ? exponent - 1 : exponent;
    int shift = -schema;
    return (key + (1 << shift) - 1) >> shift;
  }

  /**
   * Returns {@code base^index} rounded down: the largest double in bucket {@code index}. (Among
   * subnormals some buckets are narrower than the gap between two doubles and hold none; there it
   * is the largest double below the bucket.) The bucket that holds {@link Double#MAX_VALUE} reports
   * {@code MAX_VALUE}, as its true bound overflows.
   */
  public static double upperBound(int schema, int index) {
    checkSchema(schema);
    double bound;
    if (schema > 0) {
      double[] bounds = bounds(schema);
      double fraction = bounds[index & (bounds.length - 1)];
      bound = scaleDown(fraction, (index >> schema) + 1);
    } else {
      bound = scaleDown(1.0, (int) Math.max(-2000L, Math.min(2000L, (long) index << -schema)));
    }
    return bound == Double.POSITIVE_INFINITY ? Double.MAX_VALUE : bound;
  }

  /** Returns the largest double below bucket {@code index}; zero below the smallest subnormal. */
  public static double lowerBound(int schema, int index) {
    return upperBound(schema, index - 1);
  }

  /**
   * Returns the value Tally reports for anything in bucket {@code index}: the harmonic mean {@code
   * 2lu/(l+u)} of its bounds, which keeps the relative error at or below {@link
   * #maxRelativeError(int)} wherever in the bucket the true value lies.
   */
  public static double estimate(int schema, int index) {
    double lower = lowerBound(schema, index);
    double upper = upperBound(schema, index);
    if (lower == 0) {
      return upper;
    }
    // 2lu/(l+u) written so that neither l*u nor l+u can overflow.
    return upper * (2 / (1 + upper / lower));
  }

  /** Returns {@code 2^(2^-schema)}, the ratio between consecutive bucket boundaries. */
  public static double base(int schema) {
    checkSchema(schema);
    return schema <= 0 ? Math.scalb(1.0, 1 << -schema) : Math.pow(2, Math.scalb(1.0, -schema));
  }

  /**
   * Returns the worst relative error of {@link #estimate}: {@code (base-1)/(base+1)}.
   *
   * <p>For a true value {@code x} in {@code (l, u]} with {@code u = base*l}, the estimate {@code e
   * = 2lu/(l+u)} lies inside the bucket, so {@code |e-x|/x} grows as {@code x} moves to either end
   * and reaches {@code (u-l)/(u+l)} at both: {@code (e-l)/l = (u-l)/(u+l)} and {@code (u-e)/u =
   * (u-l)/(u+l)}. No other single value does better at both ends at once.
   */
  public static double maxRelativeError(int schema) {
    double base = base(schema);
    return (base - 1) / (base + 1);
  }

  /** Returns the index of the bucket holding {@link Double#MIN_VALUE}. */
  public static int minIndex(int schema) {
    return index(schema, Double.MIN_VALUE);
  }

  /** Returns the index of the bucket holding {@link Double#MAX_VALUE}. */
  public static int maxIndex(int schema) {
    return index(schema, Double.MAX_VALUE);
  }

  static void checkSchema(int schema) {
    if (schema < MIN_SCHEMA || schema > MAX_SCHEMA) {
      throw new IllegalArgumentException(
          "schema must be in ["
              + MIN_SCHEMA
              + ", "
              + MAX_SCHEMA
              + "] like Prometheus native histograms, got "
              + schema);
    }
  }

  /** Same as Go's {@code sort.SearchFloat64s}: the first position whose bound is >= value. */
  private static int firstNotBelow(double[] bounds, double value) {
    int low = 0;
    int high = bounds.length;
    while (low < high) {
      int mid = (low + high) >>> 1;
      if (bounds[mid] < value) {
        low = mid + 1;
      } else {
        high = mid;
      }
    }
    return low;
  }

  private static double[] bounds(int schema) {
    double[] bounds = BOUNDS.get(schema);
    if (bounds == null) {
      // Threads racing here compute identical tables; whichever lands first is kept.
      bounds = new double[1 << schema];
      double[] coarser = schema == 1 ? new double[] {0.5} : bounds(schema - 1);
      for (int j = 0; j < bounds.length; j++) {
        // Even positions are the coarser schema's boundaries, the very same real numbers.
        bounds[j] = j % 2 == 0 ? coarser[j / 2] : largestDoubleNotAbove(schema, j);
      }
      BOUNDS.compareAndSet(schema, null, bounds);
      bounds = BOUNDS.get(schema);
    }
    return bounds;
  }

  /** Returns {@code value * 2^exponent} rounded down, also where the result is subnormal. */
  private static double scaleDown(double value, int exponent) {
    double scaled = Math.scalb(value, exponent);
    if (scaled > 0 && scaled != Double.POSITIVE_INFINITY && Math.scalb(scaled, -exponent) > value) {
      scaled = Math.nextDown(scaled);
    }
    return scaled;
  }

  /**
   * The largest double {@code d} with {@code d <= 2^(j/2^s - 1)}, i.e. {@code (2d)^(2^s) <= 2^j}.
   */
  private static double largestDoubleNotAbove(int schema, int j) {
    double candidate = Math.pow(2, (double) j / (1 << schema) - 1);
    while (!doubledPowerAtMost(candidate, schema, j)) {
      candidate = Math.nextDown(candidate);
    }
    while (doubledPowerAtMost(Math.nextUp(candidate), schema, j)) {
      candidate = Math.nextUp(candidate);
    }
    return candidate;
  }

  /** Exactly decides {@code (2d)^(2^s) <= 2^j} for a normal {@code d} in [0.5, 1]. */
  private static boolean doubledPowerAtMost(double d, int schema, int j) {
    // 2d = m * 2^e with an integer m below 2^53, so (2d)^n = m^n * 2^(e*n).
    long m = (Double.doubleToRawLongBits(d) & FRACTION_BITS) | (1L << 52);
    int e = Math.getExponent(d) + 1 - 52;
    int n = 1 << schema;
    BigInteger power = BigInteger.valueOf(m).pow(n);
    int shift = j - e * n;
    return power.compareTo(BigInteger.ONE.shiftLeft(shift)) <= 0;
  }
}
