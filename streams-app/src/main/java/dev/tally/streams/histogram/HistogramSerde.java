package dev.tally.streams.histogram;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Stores {@link Histogram}s in state stores and changelog topics in Tally's compact binary form
 * (see {@code HistogramCodec}): self-describing, about 135 bytes when empty (mostly the layout) and
 * about 1 KB for a window of 100 000 typical latencies. Null-safe both ways.
 *
 * <pre>{@code
 * Materialized.<String, Histogram, KeyValueStore<Bytes, byte[]>>as("latency-totals")
 *     .withValueSerde(new HistogramSerde());
 * }</pre>
 *
 * <p>Bytes that are not a histogram, or not one this version can read, fail with a {@link
 * SerializationException} that says what is wrong; no other exception escapes.
 */
public final class HistogramSerde implements Serde<Histogram> {

  private final Serializer<Histogram> serializer =
      (topic, histogram) -> histogram == null ? null : HistogramCodec.encode(histogram);

  private final Deserializer<Histogram> deserializer =
      (topic, bytes) -> bytes == null ? null : decode(topic, bytes);

  @Override
  public Serializer<Histogram> serializer() {
    return serializer;
  }

  @Override
  public Deserializer<Histogram> deserializer() {
    return deserializer;
  }

  private static Histogram decode(String topic, byte[] bytes) {
    try {
      return HistogramCodec.decode(bytes);
    } catch (RuntimeException e) {
      // Anything thrown while decoding means the bytes are not a histogram we wrote.
      throw new SerializationException(
          "corrupt histogram ("
              + bytes.length
              + " bytes"
              + (topic == null ? "" : " from " + topic)
              + "): "
              + e.getMessage(),
          e);
    }
  }
}
