package dev.tally.schemas;

/**
 * A message reached its recipient.
 *
 * <p>Wire type {@code delivery.delivered}; see {@link EventType#DELIVERY_DELIVERED}.
 *
 * @param envelope the fields shared by every event
 * @param latencyMs milliseconds from accepting the message to delivering it
 * @param deviceCount devices the message was delivered to (at least 1; more than 1 means a
 *     multi-device delivery), or {@code null}
 * @param groupId the group the message was sent to, or {@code null}
 * @param fanout group members the group message was fanned out to, or {@code null}
 * @param messageId the delivered message, or {@code null}
 */
public record DeliveryDelivered(
    Envelope envelope,
    double latencyMs,
    Long deviceCount,
    String groupId,
    Long fanout,
    String messageId)
    implements Event {
  public DeliveryDelivered {
    envelope = Events.requireType(envelope, EventType.DELIVERY_DELIVERED);
  }

  /** Whether the message went to more than one device of the recipient. */
  public boolean isMultiDevice() {
    return deviceCount != null && deviceCount > 1;
  }
}
