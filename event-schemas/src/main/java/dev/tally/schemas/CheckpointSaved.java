package dev.tally.schemas;

/**
 * A checkpoint was saved.
 *
 * <p>Wire type {@code checkpoint.saved}; see {@link EventType#CHECKPOINT_SAVED}.
 *
 * @param envelope the fields shared by every event
 * @param checkpoint the checkpoint name, or {@code null}
 * @param durationMs milliseconds spent saving the checkpoint
 */
public record CheckpointSaved(Envelope envelope, String checkpoint, double durationMs)
    implements Event {
  public CheckpointSaved {
    envelope = Events.requireType(envelope, EventType.CHECKPOINT_SAVED);
  }
}
