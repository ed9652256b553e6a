package dev.tally.streams.histogram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ExactSumTest {

  @Test
  void shouldRoundTheExactSumOnceToTheNearestDouble() {
    Random random = new Random(42);
    for (int trial = 0; trial < 200; trial++) {
      ExactSum sum = new ExactSum();
      BigDecimal exact = BigDecimal.ZERO;
      for (int i = 0; i < 50; i++) {
        double v = randomDouble(random, trial % 4);
        long times = random.nextInt(4) == 0 ? 1 + random.nextInt(1000) : 1;
        sum.add(v, times);
        exact = exact.add(new BigDecimal(v).multiply(BigDecimal.valueOf(times)));
      }
      assertThat(sum.toDouble()).as("trial %d", trial).isEqualTo(exact.doubleValue());
    }
  }

  @Test
  void shouldKeepSmallValuesThatAFloatingPointSumWouldLose() {
    ExactSum sum = new ExactSum();
    sum.add(1e16, 1);
    sum.add(1.0, 1);
    sum.add(-1e16, 1);

    assertThat(1e16 + 1.0 - 1e16).isZero();
    assertThat(sum.toDouble()).isEqualTo(1.0);
  }

  @Test
  void shouldGiveEqualSumsForAnyOrderAndGrouping() {
    Random random = new Random(7);
    List<Double> values = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      values.add(randomDouble(random, i % 4));
    }
    ExactSum inOrder = new ExactSum();
    values.forEach(v -> inOrder.add(v, 1));

    Collections.shuffle(values, random);
    ExactSum[] parts = {new ExactSum(), new ExactSum(), new ExactSum()};
    for (int i = 0; i < values.size(); i++) {
      parts[i % 3].add(values.get(i), 1);
    }
    ExactSum grouped = new ExactSum();
    grouped.addAll(parts[2]);
    parts[0].addAll(parts[1]);
    grouped.addAll(parts[0]);

    assertThat(grouped).isEqualTo(inOrder).hasSameHashCodeAs(inOrder);
    assertThat(grouped.toDouble()).isEqualTo(inOrder.toDouble());
  }

  @Test
  void shouldMultiplyByRepetitionsExactlyUpToTheLargestCount() {
    ExactSum sum = new ExactSum();
    sum.add(Double.MAX_VALUE, Long.MAX_VALUE);
    sum.add(-Double.MAX_VALUE, Long.MAX_VALUE);
    sum.add(0.1, Long.MAX_VALUE);

    BigDecimal expected = new BigDecimal(0.1).multiply(BigDecimal.valueOf(Long.MAX_VALUE));
    assertThat(sum.toDouble()).isEqualTo(expected.doubleValue());

    ExactSum huge = new ExactSum();
    huge.add(Double.MAX_VALUE, Long.MAX_VALUE);
    assertThat(huge.toDouble()).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(huge.digits().length).isLessThanOrEqualTo(ExactSum.MAX_DIGITS);
  }

  @Test
  void shouldStayExactWhenMergedWithItselfUntilDigitsMustBeCarried() {
    ExactSum sum = new ExactSum();
    sum.add(-0.3, 3);
    sum.add(Double.MIN_VALUE, 1);
    for (int i = 0; i < 40; i++) {
      // Pending additions double each time, forcing carry propagation along the way.
      sum.addAll(sum);
    }
    BigDecimal expected =
        new BigDecimal(-0.3)
            .multiply(BigDecimal.valueOf(3))
            .add(new BigDecimal(Double.MIN_VALUE))
            .multiply(BigDecimal.valueOf(1L << 40));
    assertThat(sum.toDouble()).isEqualTo(expected.doubleValue());
  }

  @Test
  void shouldReachOneCanonicalFormForEqualValues() {
    ExactSum cancelled = new ExactSum();
    cancelled.add(123.456, 5);
    cancelled.add(-123.456, 5);
    ExactSum negative = new ExactSum();
    negative.add(-2.5, 1);
    ExactSum sameNegative = new ExactSum();
    sameNegative.add(-5, 1);
    sameNegative.add(2.5, 1);

    assertThat(cancelled).isEqualTo(new ExactSum());
    assertThat(cancelled.digits()).isEmpty();
    assertThat(cancelled.toDouble()).isZero();
    assertThat(sameNegative).isEqualTo(negative).hasSameHashCodeAs(negative);
    assertThat(ExactSum.fromDigits(negative.low(), negative.digits())).isEqualTo(negative);
  }

  @Test
  void shouldRejectDigitsNoSumOfDoublesCanHave() {
    assertThatThrownBy(() -> ExactSum.fromDigits(70, new long[] {1, 2, 3}))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ExactSum.fromDigits(0, new long[] {-1, 2}))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ExactSum.fromDigits(0, new long[] {1L << 32, 2}))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static double randomDouble(Random random, int kind) {
    return switch (kind) {
      case 0 -> random.nextDouble() * 10;
      case 1 -> (random.nextBoolean() ? 1 : -1) * Math.exp(random.nextGaussian() * 20);
      case 2 -> (random.nextBoolean() ? 1 : -1) * Math.scalb(random.nextDouble(), -1060);
      default -> {
        double v = Double.longBitsToDouble(random.nextLong());
        yield Double.isFinite(v) && Math.abs(v) < 1e300 ? v : 1.0;
      }
    };
  }
}
