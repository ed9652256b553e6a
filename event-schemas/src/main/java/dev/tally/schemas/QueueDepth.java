package dev.tally.schemas;

import java.util.Objects;

/**
 * A sample of a queue's current depth; also the offline-message backlog (queue {@code
 * offline_messages}).
 *
 * <p>Wire type {@code queue.depth}; see {@link EventType#QUEUE_DEPTH}.
 *
 * @param envelope the fields shared by every event
 * @param queue the queue name
 * @param depth jobs or messages waiting in the queue
 */
public record QueueDepth(Envelope envelope, String queue, long depth) implements Event {
  public QueueDepth {
    envelope = Events.requireType(envelope, EventType.QUEUE_DEPTH);
    Objects.requireNonNull(queue, "queue");
  }
}
