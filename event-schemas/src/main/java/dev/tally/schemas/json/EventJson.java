package dev.tally.schemas.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import dev.tally.schemas.AckReceived;
import dev.tally.schemas.AckTimeout;
import dev.tally.schemas.CacheHit;
import dev.tally.schemas.CacheMiss;
import dev.tally.schemas.CacheSize;
import dev.tally.schemas.CheckpointRecovered;
import dev.tally.schemas.CheckpointSaved;
import dev.tally.schemas.ConnectionClosed;
import dev.tally.schemas.ConnectionError;
import dev.tally.schemas.ConnectionOpened;
import dev.tally.schemas.DedupCheck;
import dev.tally.schemas.DeliveryDelivered;
import dev.tally.schemas.DeliveryDuplicate;
import dev.tally.schemas.DeliveryFailed;
import dev.tally.schemas.Envelope;
import dev.tally.schemas.Event;
import dev.tally.schemas.HttpRequest;
import dev.tally.schemas.MetricSample;
import dev.tally.schemas.PoolSample;
import dev.tally.schemas.ProcessingActionExecuted;
import dev.tally.schemas.ProcessingEventProcessed;
import dev.tally.schemas.QueueDeadLettered;
import dev.tally.schemas.QueueDepth;
import dev.tally.schemas.QueueEnqueued;
import dev.tally.schemas.QueueProcessed;
import dev.tally.schemas.QueueRetried;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Objects;

/**
 * Writes events as canonical JSON: envelope fields first in contract order, labels sorted, absent
 * optional fields left out, whole-number durations without a fraction. What it writes is what
 * {@code EventParser} reads back into an equal event.
 *
 * <pre>{@code
 * byte[] value = EventJson.write(event);
 * producer.send(new ProducerRecord<>("events.im-gateway", event.envelope().service(), value));
 * }</pre>
 *
 * <p>It writes the values it is given: an event built with a negative latency is written as such
 * and rejected by Tally on arrival.
 */
public final class EventJson {
  private static final JsonFactory FACTORY = new JsonFactory();

  // Doubles up to 2^53 are exact integers: write them as such (12 rather than 12.0).
  private static final double MAX_EXACT_INTEGER = 9_007_199_254_740_992d;

  private EventJson() {}

  /** The event as UTF-8 JSON with an RFC 3339 timestamp. */
  public static byte[] write(Event event) {
    return write(event, TimestampFormat.RFC3339);
  }

  /** The event as UTF-8 JSON with the timestamp written as asked. */
  public static byte[] write(Event event, TimestampFormat format) {
    Objects.requireNonNull(event, "event");
    Objects.requireNonNull(format, "format");
    try (ByteArrayBuilder out = new ByteArrayBuilder(256)) {
      try (JsonGenerator json = FACTORY.createGenerator(out)) {
        json.writeStartObject();
        writeEnvelope(json, event.envelope(), format);
        writeFields(json, event);
        json.writeEndObject();
      }
      return out.toByteArray();
    } catch (IOException e) {
      // Only an in-memory buffer is written to.
      throw new UncheckedIOException(e);
    }
  }

  /** The event as a JSON string with an RFC 3339 timestamp. */
  public static String writeString(Event event) {
    return new String(write(event), StandardCharsets.UTF_8);
  }

  private static void writeEnvelope(JsonGenerator json, Envelope envelope, TimestampFormat format)
      throws IOException {
    json.writeStringField("type", envelope.type().wireName());
    json.writeNumberField("schema_version", envelope.schemaVersion());
    json.writeStringField("service", envelope.service());
    json.writeStringField("instance", envelope.instance());
    json.writeStringField("event_id", envelope.eventId());
    if (format == TimestampFormat.EPOCH_MILLIS) {
      json.writeNumberField("timestamp", envelope.timestamp().toEpochMilli());
    } else {
      json.writeStringField(
          "timestamp", DateTimeFormatter.ISO_INSTANT.format(envelope.timestamp()));
    }
    if (!envelope.labels().isEmpty()) {
      json.writeObjectFieldStart("labels");
      for (Map.Entry<String, String> label : envelope.labels().entrySet()) {
        json.writeStringField(label.getKey(), label.getValue());
      }
      json.writeEndObject();
    }
    string(json, "trace_id", envelope.traceId());
  }

  private static void writeFields(JsonGenerator json, Event event) throws IOException {
    switch (event.type()) {
      case DELIVERY_DELIVERED:
        {
          DeliveryDelivered e = (DeliveryDelivered) event;
          number(json, "latency_ms", e.latencyMs());
          integer(json, "device_count", e.deviceCount());
          string(json, "group_id", e.groupId());
          integer(json, "fanout", e.fanout());
          string(json, "message_id", e.messageId());
          return;
        }
      case DELIVERY_FAILED:
        {
          DeliveryFailed e = (DeliveryFailed) event;
          string(json, "reason", e.reason());
          string(json, "message_id", e.messageId());
          return;
        }
      case DELIVERY_DUPLICATE:
        string(json, "message_id", ((DeliveryDuplicate) event).messageId());
        return;
      case ACK_RECEIVED:
        number(json, "latency_ms", ((AckReceived) event).latencyMs());
        return;
      case ACK_TIMEOUT:
        number(json, "timeout_ms", ((AckTimeout) event).timeoutMs());
        return;
      case CACHE_HIT:
        string(json, "cache", ((CacheHit) event).cache());
        return;
      case CACHE_MISS:
        string(json, "cache", ((CacheMiss) event).cache());
        return;
      case CACHE_SIZE:
        {
          CacheSize e = (CacheSize) event;
          string(json, "cache", e.cache());
          integer(json, "bytes", e.bytes());
          integer(json, "entries", e.entries());
          return;
        }
      case QUEUE_ENQUEUED:
        string(json, "queue", ((QueueEnqueued) event).queue());
        return;
      case QUEUE_PROCESSED:
        {
          QueueProcessed e = (QueueProcessed) event;
          string(json, "queue", e.queue());
          number(json, "duration_ms", e.durationMs());
          return;
        }
      case QUEUE_RETRIED:
        {
          QueueRetried e = (QueueRetried) event;
          string(json, "queue", e.queue());
          integer(json, "attempt", e.attempt());
          return;
        }
      case QUEUE_DEAD_LETTERED:
        {
          QueueDeadLettered e = (QueueDeadLettered) event;
          string(json, "queue", e.queue());
          string(json, "reason", e.reason());
          return;
        }
      case QUEUE_DEPTH:
        {
          QueueDepth e = (QueueDepth) event;
          string(json, "queue", e.queue());
          integer(json, "depth", e.depth());
          return;
        }
      case HTTP_REQUEST:
        {
          HttpRequest e = (HttpRequest) event;
          string(json, "method", e.method().wireName());
          string(json, "route", e.route());
          integer(json, "status", (long) e.status());
          number(json, "duration_ms", e.durationMs());
          return;
        }
      case CONNECTION_OPENED:
        string(json, "protocol", ((ConnectionOpened) event).protocol());
        return;
      case CONNECTION_CLOSED:
        {
          ConnectionClosed e = (ConnectionClosed) event;
          string(json, "protocol", e.protocol());
          number(json, "duration_ms", e.durationMs());
          return;
        }
      case CONNECTION_ERROR:
        {
          ConnectionError e = (ConnectionError) event;
          string(json, "reason", e.reason());
          string(json, "protocol", e.protocol());
          return;
        }
      case DEDUP_CHECK:
        json.writeBooleanField("duplicate", ((DedupCheck) event).duplicate());
        return;
      case CHECKPOINT_SAVED:
        {
          CheckpointSaved e = (CheckpointSaved) event;
          string(json, "checkpoint", e.checkpoint());
          number(json, "duration_ms", e.durationMs());
          return;
        }
      case CHECKPOINT_RECOVERED:
        string(json, "checkpoint", ((CheckpointRecovered) event).checkpoint());
        return;
      case PROCESSING_EVENT_PROCESSED:
        {
          ProcessingEventProcessed e = (ProcessingEventProcessed) event;
          number(json, "duration_ms", e.durationMs());
          string(json, "outcome", e.outcome().wireName());
          integer(json, "in_flight", e.inFlight());
          return;
        }
      case PROCESSING_ACTION_EXECUTED:
        {
          ProcessingActionExecuted e = (ProcessingActionExecuted) event;
          string(json, "action", e.action());
          string(json, "outcome", e.outcome().wireName());
          number(json, "duration_ms", e.durationMs());
          return;
        }
      case POOL_SAMPLE:
        {
          PoolSample e = (PoolSample) event;
          string(json, "pool", e.pool());
          integer(json, "active", e.active());
          integer(json, "idle", e.idle());
          return;
        }
      case METRIC_SAMPLE:
        {
          MetricSample e = (MetricSample) event;
          string(json, "name", e.name());
          string(json, "kind", e.kind().wireName());
          number(json, "value", e.value());
          string(json, "unit", e.unit());
          return;
        }
    }
    throw new IllegalStateException("no writer for event type " + event.type());
  }

  private static void string(JsonGenerator json, String field, String value) throws IOException {
    if (value != null) {
      json.writeStringField(field, value);
    }
  }

  private static void integer(JsonGenerator json, String field, Long value) throws IOException {
    if (value != null) {
      json.writeNumberField(field, value.longValue());
    }
  }

  private static void number(JsonGenerator json, String field, Double value) throws IOException {
    if (value == null) {
      return;
    }
    double v = value;
    if (v == Math.rint(v) && Math.abs(v) <= MAX_EXACT_INTEGER) {
      json.writeNumberField(field, (long) v);
    } else {
      json.writeNumberField(field, v);
    }
  }
}
