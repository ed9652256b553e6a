package dev.tally.schemas;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Every event type Tally reads: its wire name ({@code <family>.<event>}, the value of the {@code
 * type} field) and the record that holds it.
 */
public enum EventType {
  DELIVERY_DELIVERED("delivery.delivered", DeliveryDelivered.class),
  DELIVERY_FAILED("delivery.failed", DeliveryFailed.class),
  DELIVERY_DUPLICATE("delivery.duplicate", DeliveryDuplicate.class),
  ACK_RECEIVED("ack.received", AckReceived.class),
  ACK_TIMEOUT("ack.timeout", AckTimeout.class),
  CACHE_HIT("cache.hit", CacheHit.class),
  CACHE_MISS("cache.miss", CacheMiss.class),
  CACHE_SIZE("cache.size", CacheSize.class),
  QUEUE_ENQUEUED("queue.enqueued", QueueEnqueued.class),
  QUEUE_PROCESSED("queue.processed", QueueProcessed.class),
  QUEUE_RETRIED("queue.retried", QueueRetried.class),
  QUEUE_DEAD_LETTERED("queue.dead_lettered", QueueDeadLettered.class),
  QUEUE_DEPTH("queue.depth", QueueDepth.class),
  HTTP_REQUEST("http.request", HttpRequest.class),
  CONNECTION_OPENED("connection.opened", ConnectionOpened.class),
  CONNECTION_CLOSED("connection.closed", ConnectionClosed.class),
  CONNECTION_ERROR("connection.error", ConnectionError.class),
  DEDUP_CHECK("dedup.check", DedupCheck.class),
  CHECKPOINT_SAVED("checkpoint.saved", CheckpointSaved.class),
  CHECKPOINT_RECOVERED("checkpoint.recovered", CheckpointRecovered.class),
  PROCESSING_EVENT_PROCESSED("processing.event_processed", ProcessingEventProcessed.class),
  PROCESSING_ACTION_EXECUTED("processing.action_executed", ProcessingActionExecuted.class),
  POOL_SAMPLE("pool.sample", PoolSample.class),
  METRIC_SAMPLE("metric.sample", MetricSample.class);

  private static final Map<String, EventType> BY_WIRE_NAME = new HashMap<>();

  static {
    for (EventType type : values()) {
      BY_WIRE_NAME.put(type.wireName, type);
    }
  }

  private final String wireName;
  private final Class<? extends Event> eventClass;

  EventType(String wireName, Class<? extends Event> eventClass) {
    this.wireName = wireName;
    this.eventClass = eventClass;
  }

  /** The value of the {@code type} field, e.g. {@code delivery.delivered}. */
  public String wireName() {
    return wireName;
  }

  /** The part of the wire name before the dot, e.g. {@code delivery}. */
  public String family() {
    return wireName.substring(0, wireName.indexOf('.'));
  }

  /** The part of the wire name after the dot, e.g. {@code delivered}. */
  public String eventName() {
    return wireName.substring(wireName.indexOf('.') + 1);
  }

  /** The record that holds events of this type. */
  public Class<? extends Event> eventClass() {
    return eventClass;
  }

  /** The type with the given wire name; wire names are case-sensitive. */
  public static Optional<EventType> fromWireName(String wireName) {
    return Optional.ofNullable(wireName == null ? null : BY_WIRE_NAME.get(wireName));
  }

  @Override
  public String toString() {
    return wireName;
  }
}
