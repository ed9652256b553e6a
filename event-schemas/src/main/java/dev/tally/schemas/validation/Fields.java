package dev.tally.schemas.validation;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;
import java.util.function.Function;

/**
 * Reads the members of one event object, recording a violation for every member that breaks the
 * contract. Readers return {@code null} (or a neutral value for primitives) for a member that is
 * absent or invalid; callers build an event only when {@link #ok()}.
 *
 * <p>Required members that are absent are missing_field; present but JSON null is wrong_type.
 * Optional members that are absent or JSON null read as {@code null}.
 */
final class Fields {
  private static final int MAX_ECHO_LENGTH = 40;

  private final JsonNode object;
  private final Violations violations;

  Fields(JsonNode object, Violations violations) {
    this.object = object;
    this.violations = violations;
  }

  boolean ok() {
    return violations.isEmpty();
  }

  void add(String field, ReasonCode code, String message) {
    violations.add("/" + field, code, message);
  }

  /** The member as sent, or {@code null} when absent. */
  JsonNode raw(String field) {
    return object.get(field);
  }

  String id(String field) {
    return string(required(field, "a string"), field, ValidationLimits.MAX_ID_LENGTH);
  }

  String optionalId(String field) {
    return string(optional(field), field, ValidationLimits.MAX_ID_LENGTH);
  }

  String name(String field) {
    return string(required(field, "a string"), field, ValidationLimits.MAX_NAME_LENGTH);
  }

  String optionalName(String field) {
    return string(optional(field), field, ValidationLimits.MAX_NAME_LENGTH);
  }

  double duration(String field) {
    Double value = duration(required(field, "a number of milliseconds"), field);
    return value == null ? 0 : value;
  }

  Double optionalDuration(String field) {
    return duration(optional(field), field);
  }

  double finite(String field) {
    Double value = finite(required(field, "a number"), field);
    return value == null ? 0 : value;
  }

  long count(String field) {
    Long value = integer(required(field, "an integer"), field, 0, Long.MAX_VALUE);
    return value == null ? 0 : value;
  }

  Long optionalCount(String field, long min) {
    return integer(optional(field), field, min, Long.MAX_VALUE);
  }

  int intInRange(String field, int min, int max) {
    Long value = integer(required(field, "an integer"), field, min, max);
    return value == null ? 0 : value.intValue();
  }

  boolean bool(String field) {
    JsonNode node = required(field, "true or false");
    if (node == null) {
      return false;
    }
    if (!node.isBoolean()) {
      add(field, ReasonCode.WRONG_TYPE, "must be true or false, got " + describe(node));
      return false;
    }
    return node.booleanValue();
  }

  /** One of a fixed set of strings, mapped by {@code lookup}. */
  <E> E choice(String field, Function<String, Optional<E>> lookup, String allowed) {
    JsonNode node = required(field, "a string");
    if (node == null) {
      return null;
    }
    if (!node.isTextual()) {
      add(field, ReasonCode.WRONG_TYPE, "must be a string, got " + describe(node));
      return null;
    }
    Optional<E> value = lookup.apply(node.textValue());
    if (value.isEmpty()) {
      add(field, ReasonCode.INVALID_VALUE, "must be one of " + allowed + ", got " + describe(node));
      return null;
    }
    return value.get();
  }

  private JsonNode required(String field, String expected) {
    JsonNode node = object.get(field);
    if (node == null) {
      add(field, ReasonCode.MISSING_FIELD, "required, must be " + expected);
      return null;
    }
    if (node.isNull()) {
      add(field, ReasonCode.WRONG_TYPE, "must be " + expected + ", got null");
      return null;
    }
    return node;
  }

  private JsonNode optional(String field) {
    JsonNode node = object.get(field);
    return node == null || node.isNull() ? null : node;
  }

  private String string(JsonNode node, String field, int maxLength) {
    if (node == null) {
      return null;
    }
    if (!node.isTextual()) {
      add(field, ReasonCode.WRONG_TYPE, "must be a string, got " + describe(node));
      return null;
    }
    String value = node.textValue();
    if (value.isEmpty()) {
      add(field, ReasonCode.INVALID_VALUE, "must not be empty");
      return null;
    }
    if (longerThan(value, maxLength)) {
      add(field, ReasonCode.INVALID_VALUE, "must be at most " + maxLength + " characters");
      return null;
    }
    return value;
  }

  private Double duration(JsonNode node, String field) {
    Double value = finite(node, field);
    if (value != null && value < 0) {
      add(field, ReasonCode.NEGATIVE_DURATION, "must be at least 0 ms, got " + describe(node));
      return null;
    }
    return value;
  }

  private Double finite(JsonNode node, String field) {
    if (node == null) {
      return null;
    }
    if (!node.isNumber()) {
      add(field, ReasonCode.WRONG_TYPE, "must be a number, got " + describe(node));
      return null;
    }
    double value = node.doubleValue();
    if (!Double.isFinite(value)) {
      add(field, ReasonCode.NOT_FINITE, "must be a finite number, got " + describe(node));
      return null;
    }
    return value;
  }

  private Long integer(JsonNode node, String field, long min, long max) {
    if (node == null) {
      return null;
    }
    if (!node.isNumber()) {
      add(field, ReasonCode.WRONG_TYPE, "must be an integer, got " + describe(node));
      return null;
    }
    if (node.isFloatingPointNumber() && !Double.isFinite(node.doubleValue())) {
      add(field, ReasonCode.NOT_FINITE, "must be a finite integer, got " + describe(node));
      return null;
    }
    // As in JSON Schema, a number with a zero fraction (3.0) is an integer.
    if (!node.canConvertToExactIntegral()) {
      add(field, ReasonCode.WRONG_TYPE, "must be an integer, got " + describe(node));
      return null;
    }
    if (!node.canConvertToLong() || node.longValue() < min || node.longValue() > max) {
      String range =
          max == Long.MAX_VALUE
              ? "at least " + min + " and fit a 64-bit integer"
              : "between " + min + " and " + max;
      add(field, ReasonCode.INVALID_VALUE, "must be " + range + ", got " + describe(node));
      return null;
    }
    return node.longValue();
  }

  /** Whether {@code value} has more than {@code max} Unicode code points, as JSON Schema counts. */
  static boolean longerThan(String value, int max) {
    return value.length() > max && value.codePointCount(0, value.length()) > max;
  }

  /** The value as it appeared, shortened for messages. */
  static String describe(JsonNode node) {
    if (node.isNull()) {
      return "null";
    }
    if (node.isObject()) {
      return "an object";
    }
    if (node.isArray()) {
      return "an array";
    }
    // Numbers as written (NaN rather than "NaN"); strings quoted.
    String text = node.isNumber() ? node.asText() : node.toString();
    return text.length() <= MAX_ECHO_LENGTH ? text : text.substring(0, MAX_ECHO_LENGTH) + "...";
  }
}
