package dev.tally.schemas;

import java.util.Objects;

/**
 * A job entered a queue.
 *
 * <p>Wire type {@code queue.enqueued}; see {@link EventType#QUEUE_ENQUEUED}.
 *
 * @param envelope the fields shared by every event
 * @param queue the queue name
 */
public record QueueEnqueued(Envelope envelope, String queue) implements Event {
  public QueueEnqueued {
    envelope = Events.requireType(envelope, EventType.QUEUE_ENQUEUED);
    Objects.requireNonNull(queue, "queue");
  }
}
