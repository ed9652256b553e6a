package dev.tally.schemas;

import java.util.Objects;

/**
 * A job was given up on and moved to a dead-letter queue.
 *
 * <p>Wire type {@code queue.dead_lettered}; see {@link EventType#QUEUE_DEAD_LETTERED}.
 *
 * @param envelope the fields shared by every event
 * @param queue the queue name
 * @param reason why the job was given up on
 */
public record QueueDeadLettered(Envelope envelope, String queue, String reason) implements Event {
  public QueueDeadLettered {
    envelope = Events.requireType(envelope, EventType.QUEUE_DEAD_LETTERED);
    Objects.requireNonNull(queue, "queue");
    Objects.requireNonNull(reason, "reason");
  }
}
