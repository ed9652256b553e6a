package dev.tally.schemas;

import java.util.Objects;

/**
 * A connection failed.
 *
 * <p>Wire type {@code connection.error}; see {@link EventType#CONNECTION_ERROR}.
 *
 * @param envelope the fields shared by every event
 * @param reason why the connection failed, from a small fixed set
 * @param protocol the connection protocol, or {@code null}
 */
public record ConnectionError(Envelope envelope, String reason, String protocol) implements Event {
  public ConnectionError {
    envelope = Events.requireType(envelope, EventType.CONNECTION_ERROR);
    Objects.requireNonNull(reason, "reason");
  }
}
