package dev.tally.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.schemas.json.EventJson;
import dev.tally.schemas.json.EventSerde;
import dev.tally.schemas.json.TimestampFormat;
import dev.tally.schemas.validation.EventParser;
import dev.tally.schemas.validation.JsonSchemaValidator;
import dev.tally.schemas.validation.ParseResult;
import dev.tally.schemas.validation.ReasonCode;
import dev.tally.schemas.validation.ValidationLimits;
import dev.tally.schemas.validation.Violation;
import java.time.temporal.ChronoUnit;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every golden example through both the parser and the published JSON Schemas. */
class GoldenExamplesTest {

  private static final EventParser PARSER =
      new EventParser(ValidationLimits.defaults(), Examples.CLOCK);
  private static final JsonSchemaValidator SCHEMA = JsonSchemaValidator.create();

  /**
   * Invalid examples that the JSON Schemas judge differently, and why (docs/events.md lists the
   * same checks as parser-only). A {@code null} value means the schemas accept the example.
   */
  private static final Map<String, ReasonCode> SCHEMA_SEES_OTHERWISE =
      Map.of(
          // NaN and Infinity tokens are not JSON: schema tools cannot read them at all.
          "not_finite--latency-nan.json", ReasonCode.NOT_JSON,
          "not_finite--latency-infinity.json", ReasonCode.NOT_JSON,
          "not_finite--duration-negative-infinity.json", ReasonCode.NOT_JSON,
          "not_finite--metric-value-nan.json", ReasonCode.NOT_JSON);

  /** Invalid examples the JSON Schemas accept: their check needs a clock or a calendar. */
  private static final Set<String> SCHEMA_ACCEPTS =
      Set.of(
          "timestamp_in_future--one-hour-ahead.json",
          "timestamp_in_future--epoch-micros-not-millis.json",
          "invalid_timestamp--february-30.json");

  static List<String> valid() {
    return Examples.valid();
  }

  static List<String> invalid() {
    return Examples.invalid();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("valid")
  void shouldParseEveryValidExampleIntoItsRecord(String file) {
    ParseResult result = PARSER.parse(Examples.validBytes(file));

    assertThat(result).isInstanceOf(ParseResult.Parsed.class);
    Event event = ((ParseResult.Parsed) result).event();
    assertThat(event.type()).isEqualTo(Examples.typeOf(file));
    assertThat(event).isInstanceOf(event.type().eventClass());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("valid")
  void shouldAcceptEveryValidExampleWithTheJsonSchema(String file) {
    assertThat(SCHEMA.validate(Examples.validBytes(file))).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("valid")
  void shouldRoundTripEveryValidExampleThroughEventSerde(String file) {
    Event event = parsed(Examples.validBytes(file));

    try (EventSerde serde = new EventSerde(PARSER, TimestampFormat.RFC3339)) {
      byte[] written = serde.serializer().serialize("events.test", event);
      assertThat(serde.deserializer().deserialize("events.test", written)).isEqualTo(event);
      assertThat(SCHEMA.validate(written)).isEmpty();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("valid")
  void shouldRoundTripEveryValidExampleWithEpochMillisToTheMillisecond(String file) {
    Event event = parsed(Examples.validBytes(file));

    byte[] written = EventJson.write(event, TimestampFormat.EPOCH_MILLIS);
    Event read = parsed(written);

    assertThat(read.envelope().timestamp())
        .isEqualTo(event.envelope().timestamp().truncatedTo(ChronoUnit.MILLIS));
    assertThat(EventJson.write(read, TimestampFormat.EPOCH_MILLIS)).isEqualTo(written);
    assertThat(SCHEMA.validate(written)).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalid")
  void shouldRejectEveryInvalidExampleWithItsExpectedReason(String file) {
    ParseResult result = PARSER.parse(Examples.invalidBytes(file));

    assertThat(result).isInstanceOf(ParseResult.Rejected.class);
    ParseResult.Rejected rejected = (ParseResult.Rejected) result;
    assertThat(rejected.reasons()).contains(Examples.expectedReason(file));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalid")
  void shouldRejectEveryInvalidExampleWithTheJsonSchemaUnlessParserOnly(String file) {
    Set<ReasonCode> reasons = reasons(SCHEMA.validate(Examples.invalidBytes(file)));

    if (SCHEMA_ACCEPTS.contains(file)) {
      assertThat(reasons).as("the schemas cannot check this; the parser does").isEmpty();
    } else {
      ReasonCode expected = SCHEMA_SEES_OTHERWISE.getOrDefault(file, Examples.expectedReason(file));
      assertThat(reasons).contains(expected);
    }
  }

  @Test
  void shouldHaveAValidExampleForEveryEventType() {
    Set<EventType> covered =
        Examples.valid().stream().map(Examples::typeOf).collect(Collectors.toSet());

    assertThat(covered).containsExactlyInAnyOrder(EventType.values());
  }

  @Test
  void shouldHaveAnInvalidExampleForEveryReasonAFileCanCarry() {
    Set<ReasonCode> covered = EnumSet.noneOf(ReasonCode.class);
    Examples.invalid().forEach(file -> covered.add(Examples.expectedReason(file)));

    // An oversized event is generated by EventParserTest rather than stored.
    Set<ReasonCode> expected = EnumSet.complementOf(EnumSet.of(ReasonCode.EVENT_TOO_LARGE));
    assertThat(covered).containsExactlyInAnyOrderElementsOf(expected);
  }

  private static Event parsed(byte[] bytes) {
    ParseResult result = PARSER.parse(bytes);
    assertThat(result).isInstanceOf(ParseResult.Parsed.class);
    return ((ParseResult.Parsed) result).event();
  }

  private static Set<ReasonCode> reasons(List<Violation> violations) {
    Set<ReasonCode> reasons = EnumSet.noneOf(ReasonCode.class);
    violations.forEach(v -> reasons.add(v.code()));
    return reasons;
  }
}
