package dev.tally.schemas.validation;

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
import dev.tally.schemas.EventType;
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

/**
 * Reads the fields of each event type, mirroring the per-family JSON Schemas. Every case reads all
 * fields first, so that every problem is recorded, and builds the record only when the whole event
 * (envelope included) is valid.
 */
final class EventBodies {
  private EventBodies() {}

  /**
   * The event of the given type, or {@code null} when a violation was recorded.
   *
   * @param envelope the envelope, or {@code null} when the envelope had violations
   */
  static Event read(EventType type, Envelope envelope, Fields f) {
    switch (type) {
      case DELIVERY_DELIVERED:
        {
          double latencyMs = f.duration("latency_ms");
          Long deviceCount = f.optionalCount("device_count", 1);
          String groupId = f.optionalId("group_id");
          Long fanout = f.optionalCount("fanout", 0);
          String messageId = f.optionalId("message_id");
          return f.ok()
              ? new DeliveryDelivered(envelope, latencyMs, deviceCount, groupId, fanout, messageId)
              : null;
        }
      case DELIVERY_FAILED:
        {
          String reason = f.name("reason");
          String messageId = f.optionalId("message_id");
          return f.ok() ? new DeliveryFailed(envelope, reason, messageId) : null;
        }
      case DELIVERY_DUPLICATE:
        {
          String messageId = f.optionalId("message_id");
          return f.ok() ? new DeliveryDuplicate(envelope, messageId) : null;
        }
      case ACK_RECEIVED:
        {
          double latencyMs = f.duration("latency_ms");
          return f.ok() ? new AckReceived(envelope, latencyMs) : null;
        }
      case ACK_TIMEOUT:
        {
          Double timeoutMs = f.optionalDuration("timeout_ms");
          return f.ok() ? new AckTimeout(envelope, timeoutMs) : null;
        }
      case CACHE_HIT:
        {
          String cache = f.name("cache");
          return f.ok() ? new CacheHit(envelope, cache) : null;
        }
      case CACHE_MISS:
        {
          String cache = f.name("cache");
          return f.ok() ? new CacheMiss(envelope, cache) : null;
        }
      case CACHE_SIZE:
        {
          String cache = f.name("cache");
          long bytes = f.count("bytes");
          Long entries = f.optionalCount("entries", 0);
          return f.ok() ? new CacheSize(envelope, cache, bytes, entries) : null;
        }
      case QUEUE_ENQUEUED:
        {
          String queue = f.name("queue");
          return f.ok() ? new QueueEnqueued(envelope, queue) : null;
        }
      case QUEUE_PROCESSED:
        {
          String queue = f.name("queue");
          double durationMs = f.duration("duration_ms");
          return f.ok() ? new QueueProcessed(envelope, queue, durationMs) : null;
        }
      case QUEUE_RETRIED:
        {
          String queue = f.name("queue");
          Long attempt = f.optionalCount("attempt", 1);
          return f.ok() ? new QueueRetried(envelope, queue, attempt) : null;
        }
      case QUEUE_DEAD_LETTERED:
        {
          String queue = f.name("queue");
          String reason = f.name("reason");
          return f.ok() ? new QueueDeadLettered(envelope, queue, reason) : null;
        }
      case QUEUE_DEPTH:
        {
          String queue = f.name("queue");
          long depth = f.count("depth");
          return f.ok() ? new QueueDepth(envelope, queue, depth) : null;
        }
      case HTTP_REQUEST:
        return httpRequest(envelope, f);
      case CONNECTION_OPENED:
        {
          String protocol = f.optionalName("protocol");
          return f.ok() ? new ConnectionOpened(envelope, protocol) : null;
        }
      case CONNECTION_CLOSED:
        {
          String protocol = f.optionalName("protocol");
          Double durationMs = f.optionalDuration("duration_ms");
          return f.ok() ? new ConnectionClosed(envelope, protocol, durationMs) : null;
        }
      case CONNECTION_ERROR:
        {
          String reason = f.name("reason");
          String protocol = f.optionalName("protocol");
          return f.ok() ? new ConnectionError(envelope, reason, protocol) : null;
        }
      case DEDUP_CHECK:
        {
          boolean duplicate = f.bool("duplicate");
          return f.ok() ? new DedupCheck(envelope, duplicate) : null;
        }
      case CHECKPOINT_SAVED:
        {
          String checkpoint = f.optionalName("checkpoint");
          double durationMs = f.duration("duration_ms");
          return f.ok() ? new CheckpointSaved(envelope, checkpoint, durationMs) : null;
        }
      case CHECKPOINT_RECOVERED:
        {
          String checkpoint = f.optionalName("checkpoint");
          return f.ok() ? new CheckpointRecovered(envelope, checkpoint) : null;
        }
      case PROCESSING_EVENT_PROCESSED:
        {
          double durationMs = f.duration("duration_ms");
          ProcessingEventProcessed.Outcome outcome =
              f.choice(
                  "outcome", ProcessingEventProcessed.Outcome::fromWireName, "success, failure");
          Long inFlight = f.optionalCount("in_flight", 0);
          return f.ok()
              ? new ProcessingEventProcessed(envelope, durationMs, outcome, inFlight)
              : null;
        }
      case PROCESSING_ACTION_EXECUTED:
        {
          String action = f.name("action");
          ProcessingActionExecuted.Outcome outcome =
              f.choice(
                  "outcome",
                  ProcessingActionExecuted.Outcome::fromWireName,
                  "success, failure, timeout");
          double durationMs = f.duration("duration_ms");
          return f.ok()
              ? new ProcessingActionExecuted(envelope, action, outcome, durationMs)
              : null;
        }
      case POOL_SAMPLE:
        {
          String pool = f.optionalName("pool");
          long active = f.count("active");
          long idle = f.count("idle");
          return f.ok() ? new PoolSample(envelope, pool, active, idle) : null;
        }
      case METRIC_SAMPLE:
        return metricSample(envelope, f);
    }
    throw new IllegalStateException("no reader for event type " + type);
  }

  private static Event httpRequest(Envelope envelope, Fields f) {
    HttpRequest.Method method =
        f.choice(
            "method",
            HttpRequest.Method::fromWireName,
            "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, CONNECT, TRACE");
    String route = f.name("route");
    if (route != null && !route.startsWith("/")) {
      f.add("route", ReasonCode.INVALID_VALUE, "must start with /");
    }
    int status = f.intInRange("status", 100, 599);
    double durationMs = f.duration("duration_ms");
    return f.ok() ? new HttpRequest(envelope, method, route, status, durationMs) : null;
  }

  private static Event metricSample(Envelope envelope, Fields f) {
    String name = f.name("name");
    if (name != null && !isMetricName(name)) {
      f.add("name", ReasonCode.INVALID_VALUE, "must match [a-zA-Z_:][a-zA-Z0-9_:]*");
    }
    MetricSample.Kind kind =
        f.choice("kind", MetricSample.Kind::fromWireName, "counter, gauge, histogram");
    // An invalid value reads as 0, which passes the counter check below.
    double value = f.finite("value");
    if (kind == MetricSample.Kind.COUNTER && value < 0) {
      f.add("value", ReasonCode.INVALID_VALUE, "a counter increment must be at least 0");
    }
    String unit = f.optionalName("unit");
    return f.ok() ? new MetricSample(envelope, name, kind, value, unit) : null;
  }

  /** Whether {@code name} matches {@code [a-zA-Z_:][a-zA-Z0-9_:]*}. */
  static boolean isMetricName(String name) {
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
      if (!letter && (i == 0 || c < '0' || c > '9')) {
        return false;
      }
    }
    return !name.isEmpty();
  }
}
