package dev.tally.schemas;

import java.util.Objects;

/**
 * A message could not be delivered.
 *
 * <p>Wire type {@code delivery.failed}; see {@link EventType#DELIVERY_FAILED}.
 *
 * @param envelope the fields shared by every event
 * @param reason why delivery failed, from a small fixed set
 * @param messageId the message that failed, or {@code null}
 */
public record DeliveryFailed(Envelope envelope, String reason, String messageId) implements Event {
  public DeliveryFailed {
    envelope = Events.requireType(envelope, EventType.DELIVERY_FAILED);
    Objects.requireNonNull(reason, "reason");
  }
}
