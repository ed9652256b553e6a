package dev.tally.schemas;

/**
 * State was recovered from a checkpoint.
 *
 * <p>Wire type {@code checkpoint.recovered}; see {@link EventType#CHECKPOINT_RECOVERED}.
 *
 * @param envelope the fields shared by every event
 * @param checkpoint the checkpoint name, or {@code null}
 */
public record CheckpointRecovered(Envelope envelope, String checkpoint) implements Event {
  public CheckpointRecovered {
    envelope = Events.requireType(envelope, EventType.CHECKPOINT_RECOVERED);
  }
}
