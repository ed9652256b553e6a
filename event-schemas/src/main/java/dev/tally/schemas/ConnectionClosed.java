package dev.tally.schemas;

/**
 * A connection was closed.
 *
 * <p>Wire type {@code connection.closed}; see {@link EventType#CONNECTION_CLOSED}.
 *
 * @param envelope the fields shared by every event
 * @param protocol the connection protocol, or {@code null}
 * @param durationMs milliseconds the connection was open, or {@code null}
 */
public record ConnectionClosed(Envelope envelope, String protocol, Double durationMs)
    implements Event {
  public ConnectionClosed {
    envelope = Events.requireType(envelope, EventType.CONNECTION_CLOSED);
  }
}
