package dev.tally.schemas.validation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tally.schemas.Envelope;
import dev.tally.schemas.Event;
import dev.tally.schemas.EventType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Turns a record value into an {@link Event}, or into every reason it breaks the event contract.
 *
 * <p>This is the check Tally runs on every input record: one JSON tree parse and hand-written
 * checks that mirror the published JSON Schemas, plus the checks a schema cannot make (event size,
 * timestamps in the future, calendar validity, NaN and Infinity tokens). It never throws, whatever
 * the bytes, and is safe to share between threads.
 *
 * <pre>{@code
 * EventParser parser = new EventParser(ValidationLimits.defaults(), Clock.systemUTC());
 * ParseResult result = parser.parse(record.value());
 * }</pre>
 */
public final class EventParser {

  private final ValidationLimits limits;
  private final Clock clock;

  public EventParser(ValidationLimits limits, Clock clock) {
    this.limits = Objects.requireNonNull(limits, "limits");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** A parser with {@link ValidationLimits#defaults()} and the system clock. */
  public static EventParser withDefaults() {
    return new EventParser(ValidationLimits.defaults(), Clock.systemUTC());
  }

  public ValidationLimits limits() {
    return limits;
  }

  /**
   * Parses and validates one record value.
   *
   * @param bytes the record value; {@code null} and empty values are rejected as not_json
   * @return the event, or every violation found, most fundamental first
   */
  public ParseResult parse(byte[] bytes) {
    Violations violations = new Violations();
    if (bytes != null && bytes.length > limits.maxEventBytes()) {
      violations.add(
          "",
          ReasonCode.EVENT_TOO_LARGE,
          "the event is "
              + bytes.length
              + " bytes, at most "
              + limits.maxEventBytes()
              + " allowed");
      return violations.rejected();
    }
    Optional<JsonNode> tree = JsonInput.read(JsonInput.EVENTS, bytes, violations);
    return tree.isPresent() ? check(tree.get(), violations) : violations.rejected();
  }

  private ParseResult check(JsonNode root, Violations violations) {
    if (!root.isObject()) {
      violations.add("", ReasonCode.NOT_AN_OBJECT, "an event is a JSON object, got " + kind(root));
      return violations.rejected();
    }
    // Under another major version every other field may mean something else: stop here.
    JsonNode version = root.get("schema_version");
    if (version != null && version.isNumber() && version.canConvertToExactIntegral()) {
      if (!version.canConvertToInt() || version.intValue() != Envelope.CURRENT_SCHEMA_VERSION) {
        violations.add(
            "/schema_version",
            ReasonCode.UNSUPPORTED_VERSION,
            "Tally reads schema_version "
                + Envelope.CURRENT_SCHEMA_VERSION
                + ", got "
                + Fields.describe(version));
        return violations.rejected();
      }
    }
    Fields fields = new Fields(root, violations);
    EventType type = type(root, violations);
    fields.intInRange(
        "schema_version", Envelope.CURRENT_SCHEMA_VERSION, Envelope.CURRENT_SCHEMA_VERSION);
    String service = fields.id("service");
    String instance = fields.id("instance");
    String eventId = fields.id("event_id");
    Instant timestamp = timestamp(root.get("timestamp"), violations);
    Map<String, String> labels = labels(root.get("labels"), violations);
    String traceId = fields.optionalId("trace_id");
    if (type == null) {
      return violations.rejected();
    }
    Envelope envelope =
        violations.isEmpty()
            ? new Envelope(
                type,
                Envelope.CURRENT_SCHEMA_VERSION,
                service,
                instance,
                eventId,
                timestamp,
                labels,
                traceId)
            : null;
    Event event = EventBodies.read(type, envelope, fields);
    return event != null ? new ParseResult.Parsed(event) : violations.rejected();
  }

  private static EventType type(JsonNode root, Violations violations) {
    JsonNode node = root.get("type");
    if (node == null) {
      violations.add("/type", ReasonCode.MISSING_FIELD, "required, must be an event type");
      return null;
    }
    if (!node.isTextual()) {
      violations.add(
          "/type", ReasonCode.WRONG_TYPE, "must be a string, got " + Fields.describe(node));
      return null;
    }
    Optional<EventType> type = EventType.fromWireName(node.textValue());
    if (type.isEmpty()) {
      violations.add(
          "/type", ReasonCode.UNKNOWN_TYPE, "unknown event type " + Fields.describe(node));
      return null;
    }
    return type.get();
  }

  private Instant timestamp(JsonNode node, Violations violations) {
    String path = "/timestamp";
    if (node == null) {
      violations.add(path, ReasonCode.MISSING_FIELD, "required, must be a date-time");
      return null;
    }
    Instant instant;
    if (node.isTextual()) {
      instant = Timestamps.parseRfc3339(node.textValue());
      if (instant == null) {
        violations.add(
            path,
            ReasonCode.INVALID_TIMESTAMP,
            "must be an RFC 3339 date-time such as 2026-11-23T12:00:00.123Z, got "
                + Fields.describe(node));
        return null;
      }
    } else if (node.isNumber() && node.canConvertToExactIntegral()) {
      if (!node.canConvertToLong()) {
        // Beyond the range of a long: far in the past or far in the future.
        instant = node.bigIntegerValue().signum() < 0 ? Instant.MIN : Instant.MAX;
      } else {
        instant = Instant.ofEpochMilli(node.longValue());
      }
    } else {
      violations.add(
          path,
          ReasonCode.WRONG_TYPE,
          "must be an RFC 3339 string or integer epoch milliseconds, got " + Fields.describe(node));
      return null;
    }
    if (instant.isBefore(ValidationLimits.EARLIEST_TIMESTAMP)) {
      violations.add(
          path,
          ReasonCode.TIMESTAMP_TOO_OLD,
          "must not be before " + ValidationLimits.EARLIEST_TIMESTAMP + ", got " + instant);
      return null;
    }
    Instant latest = latestAcceptable();
    if (instant.isAfter(latest)) {
      violations.add(
          path,
          ReasonCode.TIMESTAMP_IN_FUTURE,
          "must not be after " + latest + " (now plus " + limits.maxFutureSkew() + ")");
      return null;
    }
    return instant;
  }

  /** Now plus the allowed skew, saturating at {@link Instant#MAX} for very large skews. */
  private Instant latestAcceptable() {
    Instant now = clock.instant();
    Duration skew = limits.maxFutureSkew();
    // Compared in whole seconds so that no overflow (and no exception) happens per event.
    long room = Instant.MAX.getEpochSecond() - now.getEpochSecond() - 1;
    return skew.getSeconds() >= room ? Instant.MAX : now.plus(skew);
  }

  private Map<String, String> labels(JsonNode node, Violations violations) {
    if (node == null || node.isNull()) {
      return Map.of();
    }
    if (!node.isObject()) {
      violations.add(
          "/labels", ReasonCode.WRONG_TYPE, "must be an object, got " + Fields.describe(node));
      return Map.of();
    }
    if (node.size() > limits.maxLabels()) {
      violations.add(
          "/labels",
          ReasonCode.TOO_MANY_LABELS,
          "has " + node.size() + " labels, at most " + limits.maxLabels() + " allowed");
    }
    Map<String, String> labels = new TreeMap<>();
    for (Map.Entry<String, JsonNode> label : node.properties()) {
      String name = label.getKey();
      JsonNode value = label.getValue();
      String path = Violation.pointer("/labels", name);
      if (name.startsWith("__")) {
        violations.add(
            path, ReasonCode.RESERVED_LABEL_NAME, "label names starting with __ are reserved");
      } else if (!isLabelName(name)) {
        violations.add(
            path, ReasonCode.INVALID_LABEL_NAME, "label names must match [a-zA-Z_][a-zA-Z0-9_]*");
      }
      if (!value.isTextual()) {
        violations.add(
            path, ReasonCode.WRONG_TYPE, "must be a string, got " + Fields.describe(value));
      } else if (Fields.longerThan(value.textValue(), limits.maxLabelValueLength())) {
        violations.add(
            path,
            ReasonCode.LABEL_VALUE_TOO_LONG,
            "must be at most " + limits.maxLabelValueLength() + " characters");
      } else {
        labels.put(name, value.textValue());
      }
    }
    return labels;
  }

  /** Whether {@code name} matches {@code [a-zA-Z_][a-zA-Z0-9_]*}. */
  static boolean isLabelName(String name) {
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
      if (!letter && (i == 0 || c < '0' || c > '9')) {
        return false;
      }
    }
    return !name.isEmpty();
  }

  private static String kind(JsonNode node) {
    if (node.isArray()) {
      return "an array";
    }
    if (node.isTextual()) {
      return "a string";
    }
    if (node.isNumber()) {
      return "a number";
    }
    if (node.isBoolean()) {
      return "a boolean";
    }
    return "null";
  }
}
