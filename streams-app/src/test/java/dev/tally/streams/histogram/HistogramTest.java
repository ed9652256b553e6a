package dev.tally.streams.histogram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.DoublePredicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class HistogramTest {

  private static final HistogramLayout LATENCY = HistogramLayout.latencySeconds();
  private static final double[] QUANTILES = {0.5, 0.9, 0.99, 0.999};
  private static final int PARTIALS = 16;

  @ParameterizedTest
  @EnumSource(LatencyShapes.class)
  void shouldEstimateQuantilesWithinOnePercentWhenBuiltInOneGo(LatencyShapes shape) {
    double[] values = shape.sample(shape.ordinal() + 1, 100_000);
    Histogram histogram = observeAll(values);

    assertQuantilesWithinBound(histogram, values);
  }

  @ParameterizedTest
  @EnumSource(LatencyShapes.class)
  void shouldEqualTheSingleHistogramWhenMergedFromSixteenPartials(LatencyShapes shape) {
    double[] values = shape.sample(shape.ordinal() + 100, 100_000);
    Random random = new Random(shape.ordinal());
    List<Histogram> partials = new ArrayList<>();
    for (int p = 0; p < PARTIALS; p++) {
      partials.add(Histogram.empty(LATENCY));
    }
    for (double v : values) {
      partials.get(random.nextInt(PARTIALS)).observe(v);
    }
    Collections.shuffle(partials, random);

    Histogram merged = Histogram.empty(LATENCY);
    partials.forEach(merged::merge);

    Histogram single = observeAll(values);
    assertThat(merged).isEqualTo(single).hasSameHashCodeAs(single);
    assertThat(merged.sum()).isEqualTo(single.sum());
    assertThat(merged.classicCumulativeCounts()).containsExactly(single.classicCumulativeCounts());
    assertThat(merged.positiveBuckets()).isEqualTo(single.positiveBuckets());
    assertQuantilesWithinBound(merged, values);
  }

  @Test
  void shouldMergeIdenticallyWhateverTheGroupingAndOrder() {
    Random random = new Random(2024);
    for (int trial = 0; trial < 300; trial++) {
      Histogram a = randomHistogram(random);
      Histogram b = randomHistogram(random);
      Histogram c = randomHistogram(random);

      Histogram ab = a.copy().merge(b);
      Histogram ba = b.copy().merge(a);
      Histogram abThenC = a.copy().merge(b).merge(c);
      Histogram aThenBc = a.copy().merge(b.copy().merge(c));
      Histogram cba = c.copy().merge(b).merge(a);

      assertThat(ab).as("trial %d: a+b = b+a", trial).isEqualTo(ba).hasSameHashCodeAs(ba);
      assertThat(abThenC).as("trial %d: (a+b)+c = a+(b+c)", trial).isEqualTo(aThenBc);
      assertThat(cba).as("trial %d: c+b+a", trial).isEqualTo(abThenC);
      assertThat(a.copy().merge(Histogram.empty(LATENCY))).isEqualTo(a);
      assertThat(Histogram.empty(LATENCY).merge(a)).isEqualTo(a);
    }
  }

  @Test
  void shouldLeaveTheMergedArgumentUnchanged() {
    Histogram source = observeAll(LatencyShapes.BIMODAL.sample(5, 1000));
    Histogram before = source.copy();

    Histogram.empty(LATENCY).merge(source).observe(3.0);
    source.copy().merge(source);

    assertThat(source).isEqualTo(before);
  }

  @Test
  void shouldDoubleEveryCountWhenMergedWithItself() {
    Histogram histogram = observeAll(LatencyShapes.LOGNORMAL.sample(9, 500));
    Histogram twice = observeAll(LatencyShapes.LOGNORMAL.sample(9, 500));
    for (double v : LatencyShapes.LOGNORMAL.sample(9, 500)) {
      twice.observe(v);
    }

    assertThat(histogram.merge(histogram)).isEqualTo(twice);
  }

  @Test
  void shouldCountClassicBucketsExactlyIncludingValuesOnTheBounds() {
    double[] bounds = LATENCY.classicUpperBounds();
    Random random = new Random(77);
    List<Double> values = new ArrayList<>();
    for (double bound : bounds) {
      values.addAll(List.of(bound, bound, Math.nextDown(bound), Math.nextUp(bound)));
    }
    for (int i = 0; i < 20_000; i++) {
      values.add(Math.exp(random.nextGaussian() * 3 - 3));
    }
    values.addAll(List.of(0.0, 1e9, Double.MIN_VALUE));
    Histogram histogram = Histogram.empty(LATENCY);
    values.forEach(histogram::observe);

    long[] cumulative = histogram.classicCumulativeCounts();
    long[] perBucket = histogram.classicCounts();
    assertThat(cumulative).hasSize(bounds.length + 1);
    for (int i = 0; i < bounds.length; i++) {
      double le = bounds[i];
      double below = i == 0 ? Double.NEGATIVE_INFINITY : bounds[i - 1];
      assertThat(cumulative[i]).as("le=%s", le).isEqualTo(count(values, v -> v <= le));
      assertThat(perBucket[i])
          .as("(%s, %s]", below, le)
          .isEqualTo(count(values, v -> v > below && v <= le));
    }
    assertThat(cumulative[bounds.length]).isEqualTo(values.size()).isEqualTo(histogram.count());
    assertThat(histogram.classicUpperBounds())
        .endsWith(10.0, Double.POSITIVE_INFINITY)
        .hasSize(cumulative.length);
  }

  @Test
  void shouldKeepCountSumMinAndMaxExactly() {
    double[] values = LatencyShapes.EXPONENTIAL.sample(3, 10_000);
    Histogram histogram = observeAll(values);

    BigDecimal exactSum = BigDecimal.ZERO;
    for (double v : values) {
      exactSum = exactSum.add(new BigDecimal(v));
    }
    assertThat(histogram.count()).isEqualTo(values.length);
    assertThat(histogram.sum()).isEqualTo(exactSum.doubleValue());
    assertThat(histogram.min()).isEqualTo(Arrays.stream(values).min().orElseThrow());
    assertThat(histogram.max()).isEqualTo(Arrays.stream(values).max().orElseThrow());
  }

  @Test
  void shouldCountZerosAndTinyValuesInTheZeroBucketAndMirrorNegatives() {
    Histogram histogram = Histogram.empty(LATENCY);
    histogram.observe(0.0);
    histogram.observe(-0.0);
    histogram.observe(0x1p-128);
    histogram.observe(-0x1p-130);
    histogram.observe(-0.1, 3);
    histogram.observe(0.1, 2);

    assertThat(histogram.zeroCount()).isEqualTo(4);
    int bucket = ExponentialBuckets.index(6, 0.1);
    assertThat(histogram.positiveBuckets().size()).isEqualTo(1);
    assertThat(histogram.positiveBuckets().index(0)).isEqualTo(bucket);
    assertThat(histogram.positiveBuckets().count(0)).isEqualTo(2);
    assertThat(histogram.negativeBuckets().size()).isEqualTo(1);
    assertThat(histogram.negativeBuckets().index(0)).isEqualTo(bucket);
    assertThat(histogram.negativeBuckets().count(0)).isEqualTo(3);
    assertThat(histogram.min()).isEqualTo(-0.1);
    assertThat(histogram.max()).isEqualTo(0.1);
    assertThat(histogram.count()).isEqualTo(9);
  }

  @Test
  void shouldEstimateQuantilesOfSignedSamplesWithinTheBound() {
    Random random = new Random(31);
    double[] values = new double[50_000];
    for (int i = 0; i < values.length; i++) {
      double u = random.nextDouble();
      values[i] =
          u < 0.1 ? 0.0 : u < 0.5 ? -Math.exp(random.nextGaussian()) : random.nextGaussian();
    }
    Histogram histogram = observeAll(values);

    double[] sorted = values.clone();
    Arrays.sort(sorted);
    for (double q : new double[] {0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99}) {
      double exact = sorted[(int) Math.ceil(q * sorted.length) - 1];
      double estimate = histogram.quantile(q);
      if (exact == 0) {
        assertThat(estimate).as("q=%s", q).isZero();
      } else {
        assertThat(Math.abs(estimate - exact) / Math.abs(exact))
            .as("q=%s exact=%s estimate=%s", q, exact, estimate)
            .isLessThanOrEqualTo(ExponentialBuckets.maxRelativeError(6) * (1 + 1e-9));
      }
    }
  }

  @Test
  void shouldAnswerExtremeQuantilesWithTheExactMinAndMax() {
    Histogram histogram = observeAll(new double[] {0.0123, 0.5, 7.25});
    Histogram one = observeAll(new double[] {0.042});

    assertThat(histogram.quantile(0)).isEqualTo(0.0123);
    assertThat(histogram.quantile(1)).isEqualTo(7.25);
    for (double q : new double[] {0, 0.001, 0.5, 0.999, 1}) {
      assertThat(one.quantile(q)).isEqualTo(0.042);
    }
    assertThat(Histogram.empty(LATENCY).quantile(0.5)).isNaN();
    assertThat(Histogram.empty(LATENCY).min()).isNaN();
    assertThat(Histogram.empty(LATENCY).max()).isNaN();
    assertThat(Histogram.empty(LATENCY).sum()).isZero();
    for (double q : new double[] {-0.1, 1.1, Double.NaN}) {
      assertThatThrownBy(() -> histogram.quantile(q))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("quantile must be in [0, 1]");
    }
  }

  @Test
  void shouldRejectObservationsTheContractNeverLetsThrough() {
    Histogram histogram = Histogram.empty(LATENCY);
    for (double v : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
      assertThatThrownBy(() -> histogram.observe(v))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("must be finite");
    }
    assertThatThrownBy(() -> histogram.observe(1.0, -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must not be negative");
    histogram.observe(1.0, 0);
    assertThat(histogram).isEqualTo(Histogram.empty(LATENCY));
  }

  @Test
  void shouldCountRepeatedObservationsLikeSeparateOnes() {
    Histogram repeated = Histogram.empty(LATENCY);
    Histogram separate = Histogram.empty(LATENCY);
    for (double v : new double[] {0.003, 0.25, 0, -4, 12.5}) {
      repeated.observe(v, 7);
      for (int i = 0; i < 7; i++) {
        separate.observe(v);
      }
    }
    assertThat(repeated).isEqualTo(separate);
  }

  @Test
  void shouldMergeDifferentSchemasExactlyAtTheCoarserOne() {
    double[] values = LatencyShapes.BIMODAL.sample(12, 20_000);
    Histogram fine = Histogram.empty(LATENCY.withSchema(8));
    Histogram coarse = Histogram.empty(LATENCY.withSchema(3));
    Histogram allCoarse = Histogram.empty(LATENCY.withSchema(3));
    for (int i = 0; i < values.length; i++) {
      (i % 2 == 0 ? fine : coarse).observe(values[i]);
      allCoarse.observe(values[i]);
    }

    assertThat(fine.copy().merge(coarse)).isEqualTo(allCoarse);
    assertThat(coarse.copy().merge(fine)).isEqualTo(allCoarse);
    assertThat(fine.schema()).isEqualTo(8);
    Histogram downscaled = observeAll(values);
    downscaled.downscale(-4);
    Histogram atMinus4 = Histogram.empty(LATENCY.withSchema(-4));
    Arrays.stream(values).forEach(atMinus4::observe);
    assertThat(downscaled).isEqualTo(atMinus4);
    assertThatThrownBy(() -> downscaled.downscale(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("finer schema");
  }

  @Test
  void shouldRefuseToMergeHistogramsWithDifferentClassicBounds() {
    Histogram latency = Histogram.empty(LATENCY);
    Histogram sizes =
        Histogram.empty(HistogramLayout.builder().classicUpperBounds(1024, 65536).build());
    sizes.observe(100);

    assertThatThrownBy(() -> latency.merge(sizes))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("different zero thresholds or classic bounds");
    assertThat(latency).isEqualTo(Histogram.empty(LATENCY));
  }

  @Test
  void shouldCopyIndependently() {
    Histogram original = observeAll(new double[] {0.01, 0.02});
    Histogram copy = original.copy();
    copy.observe(5);

    assertThat(original.count()).isEqualTo(2);
    assertThat(copy.count()).isEqualTo(3);
    assertThat(copy).isNotEqualTo(original);
  }

  @Test
  void shouldKeepPartialsSmallWithSparseBuckets() {
    Histogram partial = observeAll(new double[] {0.001, 0.0011, 10.0});

    assertThat(partial.positiveBuckets().size()).isEqualTo(3);
    assertThat(partial.positiveBuckets().indexes()).isSorted();
  }

  private static Histogram observeAll(double[] values) {
    Histogram histogram = Histogram.empty(LATENCY);
    for (double v : values) {
      histogram.observe(v);
    }
    return histogram;
  }

  private static void assertQuantilesWithinBound(Histogram histogram, double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    double bound = ExponentialBuckets.maxRelativeError(histogram.schema());
    for (double q : QUANTILES) {
      // The exact q-quantile: the value of rank ceil(q * n).
      double exact = sorted[(int) Math.ceil(q * sorted.length) - 1];
      double estimate = histogram.quantile(q);
      double error = Math.abs(estimate - exact) / exact;
      assertThat(error)
          .as("p%s: exact %s, estimate %s", q * 100, exact, estimate)
          .isLessThanOrEqualTo(0.01)
          .isLessThanOrEqualTo(bound * (1 + 1e-9));
    }
  }

  private static Histogram randomHistogram(Random random) {
    Histogram histogram = Histogram.empty(LATENCY);
    int n = random.nextInt(40);
    for (int i = 0; i < n; i++) {
      double v =
          switch (random.nextInt(5)) {
            case 0 -> 0.0;
            case 1 -> -Math.exp(random.nextGaussian() * 5);
            case 2 -> LatencyShapes.LOGNORMAL.sample(random.nextLong(), 1)[0];
            case 3 -> LATENCY.classicUpperBounds()[random.nextInt(13)];
            default -> Math.exp(random.nextGaussian() * 30);
          };
      histogram.observe(v, 1 + random.nextInt(3));
    }
    return histogram;
  }

  private static long count(List<Double> values, DoublePredicate predicate) {
    return values.stream().filter(predicate::test).count();
  }
}
