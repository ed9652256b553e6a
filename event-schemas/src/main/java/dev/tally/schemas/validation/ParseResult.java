package dev.tally.schemas.validation;

import dev.tally.schemas.Event;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The outcome of {@link EventParser#parse(byte[])}: either the event or every reason it was
 * rejected.
 *
 * <pre>{@code
 * ParseResult result = parser.parse(record.value());
 * if (result instanceof ParseResult.Parsed parsed) {
 *   count(parsed.event());
 * } else if (result instanceof ParseResult.Rejected rejected) {
 *   deadLetter(record, rejected.primaryReason().code(), rejected.violations());
 * }
 * }</pre>
 */
public sealed interface ParseResult permits ParseResult.Parsed, ParseResult.Rejected {

  /** An event that satisfies the contract. */
  record Parsed(Event event) implements ParseResult {
    public Parsed {
      Objects.requireNonNull(event, "event");
    }
  }

  /**
   * A record that does not satisfy the contract.
   *
   * @param violations every problem found, most fundamental first; never empty
   */
  record Rejected(List<Violation> violations) implements ParseResult {
    public Rejected {
      violations = List.copyOf(violations);
      if (violations.isEmpty()) {
        throw new IllegalArgumentException("a rejection needs at least one violation");
      }
    }

    /** The reason of the first violation: the one dead-letter headers and counters carry. */
    public ReasonCode primaryReason() {
      return violations.get(0).code();
    }

    /** The distinct reasons among the violations. */
    public Set<ReasonCode> reasons() {
      Set<ReasonCode> reasons = EnumSet.noneOf(ReasonCode.class);
      for (Violation violation : violations) {
        reasons.add(violation.code());
      }
      return reasons;
    }
  }
}
