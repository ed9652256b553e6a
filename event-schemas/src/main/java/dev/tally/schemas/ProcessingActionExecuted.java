package dev.tally.schemas;

import java.util.Objects;
import java.util.Optional;

/**
 * The producer ran an action (a rule, a webhook, a side effect).
 *
 * <p>Wire type {@code processing.action_executed}; see {@link
 * EventType#PROCESSING_ACTION_EXECUTED}.
 *
 * @param envelope the fields shared by every event
 * @param action the action name
 * @param outcome how the action ended
 * @param durationMs milliseconds spent running the action
 */
public record ProcessingActionExecuted(
    Envelope envelope, String action, Outcome outcome, double durationMs) implements Event {
  public ProcessingActionExecuted {
    envelope = Events.requireType(envelope, EventType.PROCESSING_ACTION_EXECUTED);
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(outcome, "outcome");
  }

  /** How an action ended, lower case on the wire. */
  public enum Outcome {
    SUCCESS("success"),
    FAILURE("failure"),
    TIMEOUT("timeout");

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
