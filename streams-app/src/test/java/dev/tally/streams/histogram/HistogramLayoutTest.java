package dev.tally.streams.histogram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HistogramLayoutTest {

  @Test
  void shouldDescribeTallyLatenciesInSecondsByDefault() {
    HistogramLayout layout = HistogramLayout.latencySeconds();

    assertThat(layout.schema()).isEqualTo(6);
    assertThat(layout.zeroThreshold()).isEqualTo(Math.pow(2, -128));
    assertThat(layout.classicUpperBounds())
        .containsExactly(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10);
    assertThat(layout.classicBucketCount()).isEqualTo(14);
    assertThat(HistogramLayout.builder().build()).isEqualTo(layout);
  }

  @Test
  void shouldRejectClassicBoundsThatDoNotStrictlyIncrease() {
    assertThatThrownBy(() -> HistogramLayout.builder().classicUpperBounds(0.1, 0.5, 0.5).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "classic upper bounds must be strictly increasing, got 0.5 then 0.5 at position 2");
    assertThatThrownBy(() -> HistogramLayout.builder().classicUpperBounds(1, 0.5).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("strictly increasing");
  }

  @Test
  void shouldRejectClassicBoundsThatAreNotFinite() {
    assertThatThrownBy(
            () ->
                HistogramLayout.builder()
                    .classicUpperBounds(1, 2, Double.POSITIVE_INFINITY)
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "classic upper bounds must be finite (the +Inf bucket is implicit), got Infinity at"
                + " position 2");
    assertThatThrownBy(() -> HistogramLayout.builder().classicUpperBounds(Double.NaN).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must be finite");
  }

  @Test
  void shouldRejectSchemasPrometheusCannotRepresent() {
    assertThatThrownBy(() -> HistogramLayout.builder().schema(9).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("schema must be in [-4, 8] like Prometheus native histograms, got 9");
    assertThatThrownBy(() -> HistogramLayout.builder().schema(-5).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(HistogramLayout.builder().schema(-4).build().schema()).isEqualTo(-4);
    assertThat(HistogramLayout.builder().schema(8).build().schema()).isEqualTo(8);
  }

  @Test
  void shouldRejectZeroThresholdsThatAreNegativeOrNotFinite() {
    for (double threshold : new double[] {-1e-9, Double.NaN, Double.POSITIVE_INFINITY}) {
      assertThatThrownBy(() -> HistogramLayout.builder().zeroThreshold(threshold).build())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("zero threshold must be finite and not negative");
    }
    assertThat(HistogramLayout.builder().zeroThreshold(0).build().zeroThreshold()).isZero();
  }

  @Test
  void shouldAllowNoClassicBoundsAndNegativeBounds() {
    HistogramLayout onlyInf = HistogramLayout.builder().classicUpperBounds().build();
    HistogramLayout signed = HistogramLayout.builder().classicUpperBounds(-10, -0.0, 10).build();

    assertThat(onlyInf.classicBucketCount()).isEqualTo(1);
    assertThat(signed.classicUpperBounds()).containsExactly(-10, 0.0, 10);
    assertThat(signed)
        .isEqualTo(HistogramLayout.builder().classicUpperBounds(-10, 0.0, 10).build())
        .hasSameHashCodeAs(HistogramLayout.builder().classicUpperBounds(-10, 0.0, 10).build());
  }

  @Test
  void shouldNotShareBoundArraysWithCallers() {
    double[] bounds = {1, 2, 3};
    HistogramLayout layout = HistogramLayout.builder().classicUpperBounds(bounds).build();

    bounds[0] = 100;
    layout.classicUpperBounds()[1] = 100;

    assertThat(layout.classicUpperBounds()).containsExactly(1, 2, 3);
  }

  @Test
  void shouldCompareLayoutsByEveryPart() {
    HistogramLayout base = HistogramLayout.latencySeconds();

    assertThat(base.withSchema(6)).isSameAs(base);
    assertThat(base.withSchema(5)).isNotEqualTo(base);
    assertThat(base.withSchema(5).withSchema(6)).isEqualTo(base).hasSameHashCodeAs(base);
    assertThat(HistogramLayout.builder().zeroThreshold(0).build()).isNotEqualTo(base);
    assertThat(HistogramLayout.builder().classicUpperBounds(1).build()).isNotEqualTo(base);
  }

  @Test
  void shouldPickTheFirstClassicBucketWhoseBoundIsAtLeastTheValue() {
    HistogramLayout layout = HistogramLayout.builder().classicUpperBounds(-1, 0, 1).build();

    assertThat(layout.classicBucket(-5)).isZero();
    assertThat(layout.classicBucket(-1)).isZero();
    assertThat(layout.classicBucket(Math.nextUp(-1.0))).isEqualTo(1);
    assertThat(layout.classicBucket(0)).isEqualTo(1);
    assertThat(layout.classicBucket(Double.MIN_VALUE)).isEqualTo(2);
    assertThat(layout.classicBucket(1)).isEqualTo(2);
    assertThat(layout.classicBucket(1e300)).isEqualTo(3);
  }
}
