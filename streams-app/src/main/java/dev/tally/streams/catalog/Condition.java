package dev.tally.streams.catalog;

import java.util.List;
import java.util.Objects;

/**
 * A test on one event field that decides whether a rule applies, e.g. {@code device_count > 1} for
 * multi-device deliveries or {@code duplicate == true} for dedup hits.
 */
public record Condition(String field, Op op, List<Object> operands) {

  /** Comparison applied to the field's value. */
  public enum Op {
    EQUALS,
    IN,
    NOT_IN,
    GT,
    PRESENT,
    ABSENT
  }

  /** Whether {@code value} (the field's value, null when absent) satisfies this condition. */
  public boolean test(Object value) {
    return switch (op) {
      case PRESENT -> value != null;
      case ABSENT -> value == null;
      case EQUALS -> value != null && same(value, operands.get(0));
      case IN -> value != null && operands.stream().anyMatch(o -> same(value, o));
      case NOT_IN -> value == null || operands.stream().noneMatch(o -> same(value, o));
      case GT ->
          value instanceof Number n && n.doubleValue() > ((Number) operands.get(0)).doubleValue();
    };
  }

  private static boolean same(Object value, Object operand) {
    if (value instanceof Number a && operand instanceof Number b) {
      return a.doubleValue() == b.doubleValue();
    }
    return Objects.equals(String.valueOf(value), String.valueOf(operand));
  }
}
