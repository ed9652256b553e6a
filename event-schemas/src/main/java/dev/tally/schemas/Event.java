package dev.tally.schemas;

/**
 * One operational event: the {@link Envelope} every event carries plus the fields of its type.
 *
 * <p>Each wire type has its own record; {@link EventType} maps wire type strings to records.
 * Optional fields are {@code null} when absent. Events are usually obtained from {@code
 * dev.tally.schemas.validation.EventParser}; producers build them directly:
 *
 * <pre>{@code
 * Envelope envelope = Envelope.builder(EventType.ACK_RECEIVED)
 *     .service("im-gateway").instance("im-gateway-7").eventId("a1b2")
 *     .timestamp(Instant.now())
 *     .build();
 * Event event = new AckReceived(envelope, 12.5);
 * byte[] json = EventJson.write(event);
 * }</pre>
 */
public sealed interface Event
    permits DeliveryDelivered,
        DeliveryFailed,
        DeliveryDuplicate,
        AckReceived,
        AckTimeout,
        CacheHit,
        CacheMiss,
        CacheSize,
        QueueEnqueued,
        QueueProcessed,
        QueueRetried,
        QueueDeadLettered,
        QueueDepth,
        HttpRequest,
        ConnectionOpened,
        ConnectionClosed,
        ConnectionError,
        DedupCheck,
        CheckpointSaved,
        CheckpointRecovered,
        ProcessingEventProcessed,
        ProcessingActionExecuted,
        PoolSample,
        MetricSample {

  /** The fields shared by every event. */
  Envelope envelope();

  /** The wire type of this event, the same as {@code envelope().type()}. */
  default EventType type() {
    return envelope().type();
  }
}
