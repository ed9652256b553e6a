package dev.tally.streams.histogram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.math.BigInteger;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ExponentialBucketsTest {

  static IntStream schemas() {
    return IntStream.rangeClosed(-4, 8);
  }

  @ParameterizedTest
  @MethodSource("schemas")
  void shouldCloseEachBucketAtItsUpperBoundAndOpenTheNextJustAbove(int schema) {
    int[] indexes =
        IntStream.concat(
                IntStream.rangeClosed(-300, 300),
                IntStream.of(
                    ExponentialBuckets.minIndex(schema),
                    ExponentialBuckets.minIndex(schema) + 1,
                    ExponentialBuckets.index(schema, Double.MIN_NORMAL),
                    ExponentialBuckets.index(schema, 0x1p-128),
                    ExponentialBuckets.index(schema, 0.001),
                    ExponentialBuckets.index(schema, 10.0),
                    ExponentialBuckets.maxIndex(schema) - 1))
            .filter(i -> i >= ExponentialBuckets.minIndex(schema))
            .filter(i -> i < ExponentialBuckets.maxIndex(schema))
            .toArray();
    for (int i : indexes) {
      double upper = ExponentialBuckets.upperBound(schema, i);
      double above = Math.nextUp(upper);
      assertThat(ExponentialBuckets.index(schema, upper))
          .as("schema %d: upper bound %s of bucket %d", schema, upper, i)
          .isEqualTo(exactIndex(schema, upper))
          .isLessThanOrEqualTo(i);
      assertThat(ExponentialBuckets.index(schema, above))
          .as("schema %d: just above the upper bound %s of bucket %d", schema, upper, i)
          .isEqualTo(exactIndex(schema, above))
          .isGreaterThan(i);
      if (upper >= Double.MIN_NORMAL) {
        // Only among subnormals are some buckets narrower than the gap between two doubles.
        assertThat(ExponentialBuckets.index(schema, upper)).isEqualTo(i);
        assertThat(ExponentialBuckets.index(schema, above)).isEqualTo(i + 1);
      }
    }
  }

  @ParameterizedTest
  @MethodSource("schemas")
  void shouldMakeEveryPowerOfTheBaseThatIsADoubleABoundary(int schema) {
    // base^i is a double exactly when it is a power of two: i a multiple of 2^schema.
    for (int k = -1074; k <= 1023; k++) {
      double powerOfTwo = Math.scalb(1.0, k);
      boolean boundary = schema >= 0 || k % (1 << -schema) == 0;
      int expected =
          schema >= 0 ? k << schema : Math.floorDiv(k + (1 << -schema) - 1, 1 << -schema);
      assertThat(ExponentialBuckets.index(schema, powerOfTwo)).as("2^%d", k).isEqualTo(expected);
      if (boundary) {
        assertThat(ExponentialBuckets.upperBound(schema, expected)).isEqualTo(powerOfTwo);
        if (k < 1023 && powerOfTwo >= Double.MIN_NORMAL) {
          assertThat(ExponentialBuckets.index(schema, Math.nextUp(powerOfTwo)))
              .isEqualTo(expected + 1);
        }
      }
    }
  }

  @ParameterizedTest
  @MethodSource("schemas")
  void shouldAgreeWithExactArithmeticForAnyDouble(int schema) {
    Random random = new Random(20_240_601L + schema);
    for (int n = 0; n < 3000; n++) {
      // Random bit patterns cover subnormals, tiny, ordinary and huge magnitudes alike.
      double v = Math.abs(Double.longBitsToDouble(random.nextLong()));
      if (!(v > 0) || Double.isInfinite(v)) {
        continue;
      }
      assertThat(ExponentialBuckets.index(schema, v))
          .as("schema %d, value %s", schema, v)
          .isEqualTo(exactIndex(schema, v));
    }
  }

  @ParameterizedTest
  @MethodSource("schemas")
  void shouldAgreeWithLogarithmsAwayFromBoundaries(int schema) {
    Random random = new Random(7 + schema);
    double log2Base = Math.scalb(1.0, -schema);
    int checked = 0;
    for (int n = 0; n < 20_000; n++) {
      double v = Math.exp(random.nextDouble() * 60 - 30);
      double position = Math.log(v) / Math.log(2) / log2Base;
      if (Math.abs(position - Math.rint(position)) < 1e-6) {
        continue;
      }
      checked++;
      assertThat(ExponentialBuckets.index(schema, v))
          .as("schema %d, value %s", schema, v)
          .isEqualTo((int) Math.ceil(position));
    }
    assertThat(checked).isGreaterThan(19_000);
  }

  @Test
  void shouldPlaceKnownValuesInPrometheusBuckets() {
    // Schema 0: bucket i is (2^(i-1), 2^i].
    assertThat(ExponentialBuckets.index(0, 1.0)).isZero();
    assertThat(ExponentialBuckets.index(0, 1.5)).isEqualTo(1);
    assertThat(ExponentialBuckets.index(0, 2.0)).isEqualTo(1);
    assertThat(ExponentialBuckets.index(0, 0.5)).isEqualTo(-1);
    // Schema 3: boundaries 2^(i/8); 1.1 is above 2^(1/8) = 1.0905 and below 2^(2/8) = 1.1892.
    assertThat(ExponentialBuckets.index(3, 1.1)).isEqualTo(2);
    // Schema -2: base 16; bucket 1 is (1, 16], bucket 2 is (16, 256].
    assertThat(ExponentialBuckets.index(-2, 16.0)).isEqualTo(1);
    assertThat(ExponentialBuckets.index(-2, 17.0)).isEqualTo(2);
    // Schema 6, 100 ms: log2(0.1) * 64 = -212.6
    assertThat(ExponentialBuckets.index(6, 0.1)).isEqualTo(-212);
  }

  @ParameterizedTest
  @MethodSource("schemas")
  void shouldDownscaleIndexesExactlyLikeObservingAtTheCoarserSchema(int schema) {
    if (schema == ExponentialBuckets.MIN_SCHEMA) {
      return;
    }
    Random random = new Random(11 + schema);
    for (int n = 0; n < 20_000; n++) {
      double v = Math.exp(random.nextDouble() * 40 - 20);
      if (n % 2 == 1) {
        v = ExponentialBuckets.upperBound(schema, ExponentialBuckets.index(schema, v));
      }
      int fine = ExponentialBuckets.index(schema, v);
      assertThat(ExponentialBuckets.index(schema - 1, v))
          .as("schema %d, value %s", schema, v)
          .isEqualTo(((fine - 1) >> 1) + 1);
    }
  }

  @Test
  void shouldDeriveTheDefaultSchemaAsTheCoarsestWithinOnePercent() {
    double[] expected = new double[ExponentialBuckets.MAX_SCHEMA + 1];
    int coarsestWithinOnePercent = Integer.MAX_VALUE;
    for (int schema = ExponentialBuckets.MAX_SCHEMA; schema >= -4; schema--) {
      double base = Math.pow(2, Math.pow(2, -schema));
      double bound = (base - 1) / (base + 1);
      assertThat(ExponentialBuckets.base(schema)).isCloseTo(base, within(base * 1e-15));
      assertThat(ExponentialBuckets.maxRelativeError(schema)).isCloseTo(bound, within(1e-15));
      if (bound <= 0.01) {
        coarsestWithinOnePercent = schema;
      }
      if (schema >= 0) {
        expected[schema] = bound;
      }
    }
    assertThat(expected[5]).as("schema 5").isCloseTo(0.01083, within(0.00001));
    assertThat(expected[6]).as("schema 6").isCloseTo(0.00542, within(0.00001));
    assertThat(coarsestWithinOnePercent).isEqualTo(6);
    assertThat(HistogramLayout.DEFAULT_SCHEMA).isEqualTo(coarsestWithinOnePercent);
    assertThat(HistogramLayout.latencySeconds().schema()).isEqualTo(coarsestWithinOnePercent);
  }

  @ParameterizedTest
  @MethodSource("schemas")
  void shouldEstimateAnyValueInABucketWithinTheBoundAndReachItAtTheEnds(int schema) {
    double bound = ExponentialBuckets.maxRelativeError(schema);
    Random random = new Random(3 + schema);
    double worst = 0;
    for (int n = 0; n < 20_000; n++) {
      // Normal doubles only: among subnormals a bucket can be narrower than the gap between
      // doubles.
      int index = ExponentialBuckets.index(schema, Math.scalb(1.0, random.nextInt(1800) - 900));
      double lower = ExponentialBuckets.lowerBound(schema, index);
      double upper = ExponentialBuckets.upperBound(schema, index);
      double v =
          switch (n % 3) {
            case 0 -> Math.nextUp(lower);
            case 1 -> upper;
            default -> lower + random.nextDouble() * (upper - lower);
          };
      if (!(v > lower) || v > upper) {
        continue;
      }
      double error = Math.abs(ExponentialBuckets.estimate(schema, index) - v) / v;
      assertThat(error).as("schema %d, value %s", schema, v).isLessThanOrEqualTo(bound * 1.000001);
      worst = Math.max(worst, error);
    }
    assertThat(worst).as("the bound is reached, so it is the tightest").isGreaterThan(bound * 0.99);
  }

  @Test
  void shouldSpanEveryPositiveDoubleFromMinIndexToMaxIndex() {
    for (int schema = -4; schema <= 8; schema++) {
      int min = ExponentialBuckets.minIndex(schema);
      int max = ExponentialBuckets.maxIndex(schema);
      assertThat(ExponentialBuckets.lowerBound(schema, min)).isZero();
      assertThat(ExponentialBuckets.upperBound(schema, max)).isEqualTo(Double.MAX_VALUE);
      assertThat(ExponentialBuckets.index(schema, Double.MIN_NORMAL)).isBetween(min, max);
    }
    assertThat(ExponentialBuckets.minIndex(6)).isEqualTo(-1074 * 64);
    assertThat(ExponentialBuckets.maxIndex(6)).isEqualTo(1024 * 64);
  }

  @Test
  void shouldRejectMagnitudesWithoutABucketAndSchemasPrometheusLacks() {
    for (double v : new double[] {0.0, -0.0, -1.0, Double.NaN, Double.POSITIVE_INFINITY}) {
      assertThatThrownBy(() -> ExponentialBuckets.index(6, v))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("finite magnitude above zero");
    }
    assertThatThrownBy(() -> ExponentialBuckets.index(9, 1.0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[-4, 8]");
    assertThatThrownBy(() -> ExponentialBuckets.upperBound(-5, 1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /**
   * Reference index from the definition, in exact integer arithmetic: the smallest {@code i} with
   * {@code v <= 2^(i / 2^schema)}.
   */
  static int exactIndex(int schema, double v) {
    long fraction = Double.doubleToRawLongBits(v) & 0x000F_FFFF_FFFF_FFFFL;
    long mantissa;
    int exponent;
    if (Math.getExponent(v) < Double.MIN_EXPONENT) {
      mantissa = fraction;
      exponent = -1074;
    } else {
      mantissa = fraction | (1L << 52);
      exponent = Math.getExponent(v) - 52;
    }
    // v = mantissa * 2^exponent
    if (schema >= 0) {
      // v <= 2^(i/n)  <=>  mantissa^n * 2^(exponent*n) <= 2^i
      int n = 1 << schema;
      BigInteger power = BigInteger.valueOf(mantissa).pow(n);
      return ceilLog2(power) + exponent * n;
    }
    int log2 = ceilLog2(BigInteger.valueOf(mantissa)) + exponent;
    int width = 1 << -schema;
    return Math.floorDiv(log2 + width - 1, width);
  }

  private static int ceilLog2(BigInteger positive) {
    boolean powerOfTwo = positive.bitCount() == 1;
    return powerOfTwo ? positive.bitLength() - 1 : positive.bitLength();
  }
}
