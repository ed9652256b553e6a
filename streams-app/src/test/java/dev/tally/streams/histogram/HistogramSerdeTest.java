package dev.tally.streams.histogram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class HistogramSerdeTest {

  private static final String TOPIC = "tally-latency-1m-changelog";
  private static final int MAX_BYTES_PER_SERIES_WINDOW = 4096;

  private final HistogramSerde serde = new HistogramSerde();
  private final Serializer<Histogram> serializer = serde.serializer();
  private final Deserializer<Histogram> deserializer = serde.deserializer();

  @ParameterizedTest
  @EnumSource(LatencyShapes.class)
  void shouldStayWithinFourKilobytesForOneHundredThousandLatencies(LatencyShapes shape) {
    Histogram histogram = observeAll(HistogramLayout.latencySeconds(), shape.sample(1, 100_000));

    byte[] bytes = serializer.serialize(TOPIC, histogram);

    assertThat(bytes.length)
        .as(
            "%s: %d bytes for %d native buckets",
            shape, bytes.length, histogram.positiveBuckets().size())
        .isLessThanOrEqualTo(MAX_BYTES_PER_SERIES_WINDOW);
    assertThat(deserializer.deserialize(TOPIC, bytes)).isEqualTo(histogram);
  }

  @Test
  void shouldStayWithinFourKilobytesForTenMillionLatencies() {
    Histogram histogram = Histogram.empty(HistogramLayout.latencySeconds());
    for (int part = 0; part < 100; part++) {
      histogram.merge(
          observeAll(
              HistogramLayout.latencySeconds(), LatencyShapes.LOGNORMAL.sample(part, 100_000)));
    }

    byte[] bytes = serializer.serialize(TOPIC, histogram);

    assertThat(bytes.length)
        .as("%d bytes for 10M lognormal latencies", bytes.length)
        .isLessThanOrEqualTo(MAX_BYTES_PER_SERIES_WINDOW);
  }

  @Test
  void shouldRoundTripEveryPartWithoutOutsideState() {
    HistogramLayout layout =
        HistogramLayout.builder()
            .schema(-2)
            .zeroThreshold(0)
            .classicUpperBounds(-100, -0.5, 0, 0.5, 100)
            .build();
    Histogram histogram = Histogram.empty(layout);
    Random random = new Random(8);
    for (int i = 0; i < 5000; i++) {
      histogram.observe(random.nextGaussian() * Math.exp(random.nextGaussian() * 10));
    }
    histogram.observe(0.0, 17);
    histogram.observe(Double.MIN_VALUE);
    histogram.observe(-Double.MAX_VALUE);

    Histogram copy = deserializer.deserialize(TOPIC, serializer.serialize(TOPIC, histogram));

    assertThat(copy).isEqualTo(histogram);
    assertThat(copy.layout()).isEqualTo(layout);
    assertThat(copy.sum()).isEqualTo(histogram.sum());
    assertThat(copy.min()).isEqualTo(-Double.MAX_VALUE);
    assertThat(copy.negativeBuckets()).isEqualTo(histogram.negativeBuckets());
    assertThat(copy.classicCumulativeCounts()).containsExactly(histogram.classicCumulativeCounts());
    assertThat(copy.quantile(0.37)).isEqualTo(histogram.quantile(0.37));
  }

  @Test
  void shouldRoundTripEmptyAndMergedHistograms() {
    Histogram empty = Histogram.empty(HistogramLayout.latencySeconds());
    Histogram merged =
        observeAll(HistogramLayout.latencySeconds().withSchema(8), new double[] {0.5, 0.25})
            .merge(observeAll(HistogramLayout.latencySeconds(), new double[] {1e-3}));

    for (Histogram histogram : List.of(empty, merged)) {
      byte[] bytes = serializer.serialize(TOPIC, histogram);
      assertThat(deserializer.deserialize(TOPIC, bytes)).isEqualTo(histogram);
    }
    assertThat(serializer.serialize(TOPIC, empty).length).isLessThan(150);
  }

  @Test
  void shouldPassNullThroughBothWays() {
    assertThat(serializer.serialize(TOPIC, null)).isNull();
    assertThat(deserializer.deserialize(TOPIC, null)).isNull();
  }

  @Test
  void shouldRejectEveryTruncation() {
    byte[] bytes = sampleBytes();
    for (int length = 0; length < bytes.length; length++) {
      byte[] truncated = Arrays.copyOf(bytes, length);
      assertThatThrownBy(() -> deserializer.deserialize(TOPIC, truncated))
          .as("first %d of %d bytes", length, bytes.length)
          .isInstanceOf(SerializationException.class)
          .hasMessageContaining("corrupt histogram");
    }
  }

  @Test
  void shouldRejectTrailingBytesUnknownVersionsAndContradictoryCounts() {
    byte[] bytes = sampleBytes();
    byte[] trailing = Arrays.copyOf(bytes, bytes.length + 1);
    byte[] future = bytes.clone();
    future[0] = 3;
    byte[] unknownLayout = bytes.clone();
    unknownLayout[1] = 7;
    byte[] wrongCount = bytes.clone();
    // Version and the built-in layout's number come first: the count is at 2.
    wrongCount[2]++;

    assertThatThrownBy(() -> deserializer.deserialize(TOPIC, trailing))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("unexpected bytes after the histogram");
    assertThatThrownBy(() -> deserializer.deserialize(TOPIC, future))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("unknown histogram format version 3");
    assertThatThrownBy(() -> deserializer.deserialize(TOPIC, unknownLayout))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("unknown histogram layout 7");
    assertThatThrownBy(() -> deserializer.deserialize(TOPIC, wrongCount))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("disagrees");
  }

  @Test
  void shouldFailOnlyWithSerializationExceptionWhateverTheBytes() {
    Random random = new Random(99);
    byte[] valid = sampleBytes();
    int decoded = 0;
    for (int trial = 0; trial < 20_000; trial++) {
      byte[] bytes;
      if (trial % 10 == 0) {
        bytes = new byte[random.nextInt(300)];
        random.nextBytes(bytes);
      } else {
        bytes = valid.clone();
        for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
          bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
        }
      }
      Histogram histogram;
      try {
        histogram = deserializer.deserialize(TOPIC, bytes);
      } catch (SerializationException expected) {
        continue;
      }
      // Whatever decodes is a consistent histogram that survives another round trip.
      decoded++;
      assertThat(deserializer.deserialize(TOPIC, serializer.serialize(TOPIC, histogram)))
          .isEqualTo(histogram);
      assertThat(histogram.classicCumulativeCounts()[histogram.layout().classicBucketCount() - 1])
          .isEqualTo(histogram.count());
    }
    assertThat(decoded).as("some mutations only change values, e.g. min or a bound").isPositive();
  }

  /**
   * Version 2 names the built-in layout by one byte where version 1 wrote it out: 1 (schema 6,
   * zigzag) + 8 (zero threshold) + 1 (13 bounds) + 13 × 8 bytes, i.e. 114 bytes, in every record.
   * Version 1 records, from stores written before, still read as the same histogram.
   */
  @Test
  void shouldNameTheBuiltInLayoutByOneByteAndStillReadVersion1() {
    Histogram histogram =
        observeAll(HistogramLayout.latencySeconds(), LatencyShapes.LOGNORMAL.sample(2, 10_000));
    byte[] v2 = serializer.serialize(TOPIC, histogram);
    assertThat(v2[0]).isEqualTo((byte) 2);
    assertThat(v2[1]).as("the built-in layout's number").isEqualTo((byte) 1);

    // The same record as version 1 wrote it: version 1, then the layout inline, then the rest.
    java.io.ByteArrayOutputStream v1 = new java.io.ByteArrayOutputStream();
    v1.write(1);
    v1.write(12); // zigzag(6)
    long zero = Double.doubleToLongBits(0x1p-128);
    for (int shift = 56; shift >= 0; shift -= 8) {
      v1.write((int) (zero >>> shift));
    }
    HistogramLayout layout = HistogramLayout.latencySeconds();
    v1.write(layout.classicBucketCount() - 1);
    for (int i = 0; i < layout.classicBucketCount() - 1; i++) {
      long bits = Double.doubleToLongBits(layout.classicUpperBound(i));
      for (int shift = 56; shift >= 0; shift -= 8) {
        v1.write((int) (bits >>> shift));
      }
    }
    v1.write(v2, 2, v2.length - 2);
    byte[] v1Bytes = v1.toByteArray();

    assertThat(v1Bytes.length - v2.length).isEqualTo(113);
    Histogram fromV1 = deserializer.deserialize(TOPIC, v1Bytes);
    assertThat(fromV1.layout()).isEqualTo(layout);
    assertThat(serializer.serialize(TOPIC, fromV1)).isEqualTo(v2);
  }

  private byte[] sampleBytes() {
    Histogram histogram =
        observeAll(HistogramLayout.latencySeconds(), LatencyShapes.BIMODAL.sample(4, 60));
    histogram.observe(-0.5);
    histogram.observe(0.0);
    return serializer.serialize(TOPIC, histogram);
  }

  private static Histogram observeAll(HistogramLayout layout, double[] values) {
    Histogram histogram = Histogram.empty(layout);
    for (double v : values) {
      histogram.observe(v);
    }
    return histogram;
  }
}
