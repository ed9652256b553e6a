package dev.tally.schemas;

/**
 * No acknowledgement arrived in time.
 *
 * <p>Wire type {@code ack.timeout}; see {@link EventType#ACK_TIMEOUT}.
 *
 * @param envelope the fields shared by every event
 * @param timeoutMs the timeout that expired in milliseconds, or {@code null}
 */
public record AckTimeout(Envelope envelope, Double timeoutMs) implements Event {
  public AckTimeout {
    envelope = Events.requireType(envelope, EventType.ACK_TIMEOUT);
  }
}
