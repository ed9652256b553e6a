package dev.tally.schemas;

import java.util.Objects;
import java.util.Optional;

/**
 * The producer finished processing one of its own input events.
 *
 * <p>Wire type {@code processing.event_processed}; see {@link
 * EventType#PROCESSING_EVENT_PROCESSED}.
 *
 * @param envelope the fields shared by every event
 * @param durationMs milliseconds spent processing the event
 * @param outcome how processing ended
 * @param inFlight events in flight at the producer when this one finished, or {@code null}
 */
public record ProcessingEventProcessed(
    Envelope envelope, double durationMs, Outcome outcome, Long inFlight) implements Event {
  public ProcessingEventProcessed {
    envelope = Events.requireType(envelope, EventType.PROCESSING_EVENT_PROCESSED);
    Objects.requireNonNull(outcome, "outcome");
  }

  /** How processing an event ended, lower case on the wire. */
  public enum Outcome {
    SUCCESS("success"),
    FAILURE("failure");

    private final String wireName;

    Outcome(String wireName) {
      this.wireName = wireName;
    }

    /** The value on the wire. */
    public String wireName() {
      return wireName;
    }

    /** The constant with the given wire name; wire names are case-sensitive. */
    public static Optional<Outcome> fromWireName(String wireName) {
      for (Outcome value : values()) {
        if (value.wireName.equals(wireName)) {
          return Optional.of(value);
        }
      }
      return Optional.empty();
    }
  }
}
