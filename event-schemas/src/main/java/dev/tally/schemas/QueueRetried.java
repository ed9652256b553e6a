package dev.tally.schemas;

import java.util.Objects;

/**
 * A job was scheduled for another attempt.
 *
 * <p>Wire type {@code queue.retried}; see {@link EventType#QUEUE_RETRIED}.
 *
 * @param envelope the fields shared by every event
 * @param queue the queue name
 * @param attempt the attempt number about to run (at least 1), or {@code null}
 */
public record QueueRetried(Envelope envelope, String queue, Long attempt) implements Event {
  public QueueRetried {
    envelope = Events.requireType(envelope, EventType.QUEUE_RETRIED);
    Objects.requireNonNull(queue, "queue");
  }
}
