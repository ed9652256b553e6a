package dev.tally.schemas.json;

import dev.tally.schemas.Event;
import dev.tally.schemas.validation.EventParser;
import dev.tally.schemas.validation.ParseResult;
import java.util.Objects;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serde for {@link Event}s as canonical JSON. Null-safe both ways (a null value stays null).
 * The deserializer validates with an {@link EventParser} and throws a {@link
 * SerializationException} naming the reasons for a value that breaks the contract; a topology that
 * must survive bad input parses raw bytes with {@link EventParser} instead.
 *
 * <pre>{@code
 * Serde<Event> events = new EventSerde();
 * KStream<String, Event> stream = builder.stream("events.clean", Consumed.with(Serdes.String(), events));
 * }</pre>
 */
public final class EventSerde implements Serde<Event> {
  private final EventSerializer serializer;
  private final EventDeserializer deserializer;

  /** RFC 3339 timestamps; default limits and the system clock for reading. */
  public EventSerde() {
    this(EventParser.withDefaults(), TimestampFormat.RFC3339);
  }

  public EventSerde(EventParser parser, TimestampFormat format) {
    this.serializer = new EventSerializer(format);
    this.deserializer = new EventDeserializer(parser);
  }

  @Override
  public Serializer<Event> serializer() {
    return serializer;
  }

  @Override
  public Deserializer<Event> deserializer() {
    return deserializer;
  }

  /** Writes events with {@link EventJson}. */
  public static final class EventSerializer implements Serializer<Event> {
    private final TimestampFormat format;

    public EventSerializer() {
      this(TimestampFormat.RFC3339);
    }

    public EventSerializer(TimestampFormat format) {
      this.format = Objects.requireNonNull(format, "format");
    }

    @Override
    public byte[] serialize(String topic, Event event) {
      if (event == null) {
        return null;
      }
      try {
        return EventJson.write(event, format);
      } catch (RuntimeException e) {
        throw new SerializationException("cannot write " + event.type() + " event", e);
      }
    }
  }

  /** Reads and validates events with an {@link EventParser}. */
  public static final class EventDeserializer implements Deserializer<Event> {
    private final EventParser parser;

    public EventDeserializer() {
      this(EventParser.withDefaults());
    }

    public EventDeserializer(EventParser parser) {
      this.parser = Objects.requireNonNull(parser, "parser");
    }

    @Override
    public Event deserialize(String topic, byte[] data) {
      if (data == null) {
        return null;
      }
      ParseResult result;
      try {
        result = parser.parse(data);
      } catch (RuntimeException e) {
        throw new SerializationException("cannot read event from topic " + topic, e);
      }
      if (result instanceof ParseResult.Parsed parsed) {
        return parsed.event();
      }
      ParseResult.Rejected rejected = (ParseResult.Rejected) result;
      throw new SerializationException(
          "event rejected ("
              + rejected.primaryReason().code()
              + ") from topic "
              + topic
              + ": "
              + rejected.violations());
    }
  }
}
