package dev.tally.schemas;

/**
 * A message was delivered more than once, or a duplicate delivery was suppressed.
 *
 * <p>Wire type {@code delivery.duplicate}; see {@link EventType#DELIVERY_DUPLICATE}.
 *
 * @param envelope the fields shared by every event
 * @param messageId the duplicated message, or {@code null}
 */
public record DeliveryDuplicate(Envelope envelope, String messageId) implements Event {
  public DeliveryDuplicate {
    envelope = Events.requireType(envelope, EventType.DELIVERY_DUPLICATE);
  }
}
