package dev.tally.schemas;

/**
 * The producer checked whether an item was a duplicate.
 *
 * <p>Wire type {@code dedup.check}; see {@link EventType#DEDUP_CHECK}.
 *
 * @param envelope the fields shared by every event
 * @param duplicate {@code true} when the item was a duplicate
 */
public record DedupCheck(Envelope envelope, boolean duplicate) implements Event {
  public DedupCheck {
    envelope = Events.requireType(envelope, EventType.DEDUP_CHECK);
  }
}
