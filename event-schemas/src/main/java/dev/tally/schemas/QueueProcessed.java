package dev.tally.schemas;

import java.util.Objects;

/**
 * A job finished processing.
 *
 * <p>Wire type {@code queue.processed}; see {@link EventType#QUEUE_PROCESSED}.
 *
 * @param envelope the fields shared by every event
 * @param queue the queue name
 * @param durationMs milliseconds spent processing the job
 */
public record QueueProcessed(Envelope envelope, String queue, double durationMs) implements Event {
  public QueueProcessed {
    envelope = Events.requireType(envelope, EventType.QUEUE_PROCESSED);
    Objects.requireNonNull(queue, "queue");
  }
}
