package dev.tally.schemas;

/**
 * An acknowledgement arrived.
 *
 * <p>Wire type {@code ack.received}; see {@link EventType#ACK_RECEIVED}.
 *
 * @param envelope the fields shared by every event
 * @param latencyMs milliseconds from sending to receiving the acknowledgement
 */
public record AckReceived(Envelope envelope, double latencyMs) implements Event {
  public AckReceived {
    envelope = Events.requireType(envelope, EventType.ACK_RECEIVED);
  }
}
