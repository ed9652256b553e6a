package dev.tally.schemas.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.schemas.DeliveryDelivered;
import dev.tally.schemas.Envelope;
import dev.tally.schemas.Event;
import dev.tally.schemas.EventType;
import dev.tally.schemas.Examples;
import dev.tally.schemas.HttpRequest;
import dev.tally.schemas.MetricSample;
import dev.tally.schemas.validation.EventParser;
import dev.tally.schemas.validation.ValidationLimits;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

class EventSerdeTest {

  private static final EventParser PARSER =
      new EventParser(ValidationLimits.defaults(), Examples.CLOCK);

  private static Envelope.Builder envelope(EventType type) {
    return Envelope.builder(type)
        .service("im-gateway")
        .instance("im-gateway-7f9c")
        .eventId("01JD8Z6Q3T0002")
        .timestamp(Instant.parse("2026-11-23T11:59:30.123Z"));
  }

  @Test
  void shouldWriteCanonicalJson() {
    Event event =
        new DeliveryDelivered(
            envelope(EventType.DELIVERY_DELIVERED)
                .label("tier", "premium")
                .label("region", "ap-south-1")
                .traceId("4bf92f3577b34da6a3ce929d0e0e4736")
                .build(),
            48.0,
            3L,
            "grp-9021",
            null,
            null);

    assertThat(EventJson.writeString(event))
        .isEqualTo(
            "{\"type\":\"delivery.delivered\",\"schema_version\":1,\"service\":\"im-gateway\","
                + "\"instance\":\"im-gateway-7f9c\",\"event_id\":\"01JD8Z6Q3T0002\","
                + "\"timestamp\":\"2026-11-23T11:59:30.123Z\","
                + "\"labels\":{\"region\":\"ap-south-1\",\"tier\":\"premium\"},"
                + "\"trace_id\":\"4bf92f3577b34da6a3ce929d0e0e4736\","
                + "\"latency_ms\":48,\"device_count\":3,\"group_id\":\"grp-9021\"}");
  }

  @Test
  void shouldWriteEpochMillisWhenAsked() {
    Event event =
        new MetricSample(
            envelope(EventType.METRIC_SAMPLE).build(),
            "clock_offset_seconds",
            MetricSample.Kind.GAUGE,
            -0.0042,
            "seconds");

    assertThat(
            new String(
                EventJson.write(event, TimestampFormat.EPOCH_MILLIS), StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"type\":\"metric.sample\",\"schema_version\":1,\"service\":\"im-gateway\","
                + "\"instance\":\"im-gateway-7f9c\",\"event_id\":\"01JD8Z6Q3T0002\","
                + "\"timestamp\":1795435170123,\"name\":\"clock_offset_seconds\","
                + "\"kind\":\"gauge\",\"value\":-0.0042,\"unit\":\"seconds\"}");
  }

  @Test
  void shouldPassNullValuesThroughBothWays() {
    try (Serde<Event> serde = new EventSerde(PARSER, TimestampFormat.RFC3339)) {
      assertThat(serde.serializer().serialize("events.im-gateway", null)).isNull();
      assertThat(serde.deserializer().deserialize("events.im-gateway", null)).isNull();
    }
  }

  @Test
  void shouldRoundTripThroughTheSerde() {
    Event event =
        new HttpRequest(
            envelope(EventType.HTTP_REQUEST).build(),
            HttpRequest.Method.PATCH,
            "/v1/users/{id}",
            204,
            3.25);
    try (Serde<Event> serde = new EventSerde(PARSER, TimestampFormat.RFC3339)) {
      byte[] bytes = serde.serializer().serialize("events.api", event);

      assertThat(serde.deserializer().deserialize("events.api", bytes)).isEqualTo(event);
    }
  }

  @Test
  void shouldWrapRejectedValuesInASerializationException() {
    Deserializer<Event> deserializer = new EventSerde.EventDeserializer(PARSER);
    byte[] negative =
        ("{\"type\":\"ack.received\",\"schema_version\":1,\"service\":\"s\",\"instance\":\"i\","
                + "\"event_id\":\"e\",\"timestamp\":1795435170123,\"latency_ms\":-1}")
            .getBytes(StandardCharsets.UTF_8);

    assertThatThrownBy(() -> deserializer.deserialize("events.im-gateway", negative))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("negative_duration")
        .hasMessageContaining("/latency_ms")
        .hasMessageContaining("events.im-gateway");
    assertThatThrownBy(() -> deserializer.deserialize("events.im-gateway", new byte[] {'{'}))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("not_json");
  }

  @Test
  void shouldBeConstructibleByKafkaFromItsClassName() throws ReflectiveOperationException {
    Serde<?> serde = EventSerde.class.getConstructor().newInstance();

    assertThat(serde.serializer()).isInstanceOf(EventSerde.EventSerializer.class);
    assertThat(serde.deserializer()).isInstanceOf(EventSerde.EventDeserializer.class);
  }
}
