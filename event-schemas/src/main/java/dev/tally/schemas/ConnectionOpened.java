package dev.tally.schemas;

/**
 * A connection was opened.
 *
 * <p>Wire type {@code connection.opened}; see {@link EventType#CONNECTION_OPENED}.
 *
 * @param envelope the fields shared by every event
 * @param protocol the connection protocol, e.g. {@code websocket}, or {@code null}
 */
public record ConnectionOpened(Envelope envelope, String protocol) implements Event {
  public ConnectionOpened {
    envelope = Events.requireType(envelope, EventType.CONNECTION_OPENED);
  }
}
