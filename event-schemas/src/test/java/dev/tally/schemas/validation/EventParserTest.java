package dev.tally.schemas.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.tally.schemas.DeliveryDelivered;
import dev.tally.schemas.Event;
import dev.tally.schemas.EventType;
import dev.tally.schemas.Examples;
import dev.tally.schemas.PoolSample;
import dev.tally.schemas.QueueDepth;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EventParserTest {

  private static final EventParser PARSER =
      new EventParser(ValidationLimits.defaults(), Examples.CLOCK);

  /** An ack.received event with the given members added after the envelope. */
  private static String ack(String timestamp, String extra) {
    return "{\"type\":\"ack.received\",\"schema_version\":1,\"service\":\"im-gateway\","
        + "\"instance\":\"im-1\",\"event_id\":\"e-1\",\"timestamp\":"
        + timestamp
        + ",\"latency_ms\":4"
        + (extra.isEmpty() ? "" : "," + extra)
        + "}";
  }

  private static ParseResult parse(EventParser parser, String json) {
    return parser.parse(json.getBytes(StandardCharsets.UTF_8));
  }

  private static Event parsed(String json) {
    ParseResult result = parse(PARSER, json);
    assertThat(result).isInstanceOf(ParseResult.Parsed.class);
    return ((ParseResult.Parsed) result).event();
  }

  private static ParseResult.Rejected rejected(EventParser parser, String json) {
    ParseResult result = parse(parser, json);
    assertThat(result).isInstanceOf(ParseResult.Rejected.class);
    return (ParseResult.Rejected) result;
  }

  private static ParseResult.Rejected rejected(String json) {
    return rejected(PARSER, json);
  }

  @Test
  void shouldRejectEscapedLoneSurrogatesInsteadOfMergingThem() {
    // Two different inputs that a lenient reader turns into the same "x?y".
    for (String labels : List.of("\"x\\ud800y\"", "\"x\\udc00y\"")) {
      ParseResult.Rejected r =
          rejected(ack("1795435170123", "\"labels\":{\"shard\":" + labels + "}"));
      assertThat(r.primaryReason()).isEqualTo(ReasonCode.INVALID_UTF8);
      assertThat(r.violations().get(0).path()).isEqualTo("/labels/shard");
    }
    // In a field name too (Jackson refuses it while reading the name).
    ParseResult.Rejected inName = rejected(ack("1795435170123", "\"\\ud800\":1"));
    assertThat(inName.primaryReason()).isEqualTo(ReasonCode.INVALID_UTF8);
    // A whole pair, escaped, is one character and fine.
    assertThat(parsed(ack("1795435170123", "\"labels\":{\"shard\":\"x\\ud83d\\ude00y\"}")))
        .isNotNull();
  }

  @Test
  void shouldRejectUtf16TextThatAJsonReaderWouldDetectAndRead() {
    byte[] utf16 = ack("1795435170123", "").getBytes(StandardCharsets.UTF_16LE);
    ParseResult result = PARSER.parse(utf16);
    assertThat(result).isInstanceOf(ParseResult.Rejected.class);
    assertThat(((ParseResult.Rejected) result).primaryReason()).isEqualTo(ReasonCode.INVALID_UTF8);
  }

  @Test
  void shouldRejectMalformedUtf8Bytes() {
    byte[] valid =
        ack("1795435170123", "\"labels\":{\"shard\":\"/a\"}").getBytes(StandardCharsets.UTF_8);
    assertThat(PARSER.parse(valid)).isInstanceOf(ParseResult.Parsed.class);
    String text = new String(valid, StandardCharsets.ISO_8859_1);
    int slash = text.indexOf("/a");
    for (byte[] bad :
        List.of(
            new byte[] {(byte) 0xC0, (byte) 0xAF}, // overlong "/"
            new byte[] {(byte) 0xE0, (byte) 0x80, (byte) 0xAF}, // overlong "/", 3 bytes
            new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, // an encoded surrogate
            new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // above U+10FFFF
            new byte[] {(byte) 0x80}, // a continuation byte alone
            new byte[] {(byte) 0xC3})) { // a truncated sequence
      byte[] event = new byte[valid.length - 1 + bad.length];
      System.arraycopy(valid, 0, event, 0, slash);
      System.arraycopy(bad, 0, event, slash, bad.length);
      System.arraycopy(valid, slash + 1, event, slash + bad.length, valid.length - slash - 1);
      ParseResult result = PARSER.parse(event);
      assertThat(result).isInstanceOf(ParseResult.Rejected.class);
      assertThat(((ParseResult.Rejected) result).primaryReason())
          .isEqualTo(ReasonCode.INVALID_UTF8);
    }
  }

  @Test
  void shouldRejectNullEmptyAndBlankValuesAsNotJson() {
    for (byte[] value :
        new byte[][] {null, new byte[0], " \n\t".getBytes(StandardCharsets.UTF_8)}) {
      ParseResult result = PARSER.parse(value);

      assertThat(result).isInstanceOf(ParseResult.Rejected.class);
      assertThat(((ParseResult.Rejected) result).primaryReason()).isEqualTo(ReasonCode.NOT_JSON);
    }
  }

  @Test
  void shouldRejectEventsLargerThanTheLimitBeforeParsing() {
    String padding = "\"padding\":\"" + "x".repeat(65_536) + "\"";
    // Not even JSON: the size check comes first, so the reason is the size.
    byte[] oversizedGarbage = new byte[65_537];

    String oversized = ack("\"2026-11-23T11:00:00Z\"", padding);

    assertThat(rejected(oversized).violations())
        .containsExactly(
            new Violation(
                "",
                ReasonCode.EVENT_TOO_LARGE,
                "the event is " + oversized.length() + " bytes, at most 65536 allowed"));
    assertThat(((ParseResult.Rejected) PARSER.parse(oversizedGarbage)).primaryReason())
        .isEqualTo(ReasonCode.EVENT_TOO_LARGE);
  }

  @Test
  void shouldAcceptAnEventOfExactlyTheMaximumSize() {
    String json = ack("\"2026-11-23T11:00:00Z\"", "\"padding\":\"\"");
    int room = 65_536 - json.length();
    String atLimit = ack("\"2026-11-23T11:00:00Z\"", "\"padding\":\"" + "x".repeat(room) + "\"");

    assertThat(atLimit.length()).isEqualTo(65_536);
    assertThat(parse(PARSER, atLimit)).isInstanceOf(ParseResult.Parsed.class);
    EventParser small =
        new EventParser(ValidationLimits.builder().maxEventBytes(1024).build(), Examples.CLOCK);
    assertThat(rejected(small, atLimit).primaryReason()).isEqualTo(ReasonCode.EVENT_TOO_LARGE);
  }

  @Test
  void shouldReportEveryViolationInContractOrder() {
    String json =
        "{\"type\":\"http.request\",\"schema_version\":1,\"instance\":\"\",\"event_id\":\"e\","
            + "\"timestamp\":\"1999-01-01T00:00:00Z\",\"labels\":{\"__x\":\"a\",\"ok\":1},"
            + "\"method\":\"FETCH\",\"route\":\"users\",\"status\":42,\"duration_ms\":-1}";

    assertThat(rejected(json).violations())
        .extracting(v -> v.path() + " " + v.code().code())
        .containsExactly(
            "/service missing_field",
            "/instance invalid_value",
            "/timestamp timestamp_too_old",
            "/labels/__x reserved_label_name",
            "/labels/ok wrong_type",
            "/method invalid_value",
            "/route invalid_value",
            "/status invalid_value",
            "/duration_ms negative_duration");
  }

  @Test
  void shouldPutTheTypeFirstSoItBecomesThePrimaryReason() {
    ParseResult.Rejected rejected =
        rejected("{\"schema_version\":1,\"service\":\"s\",\"latency_ms\":-1}");

    assertThat(rejected.primaryReason()).isEqualTo(ReasonCode.MISSING_FIELD);
    assertThat(rejected.violations().get(0).path()).isEqualTo("/type");
    // Without a known type the type's own fields are not checked.
    assertThat(rejected.reasons()).doesNotContain(ReasonCode.NEGATIVE_DURATION);
  }

  @Test
  void shouldReportOnlyTheVersionForAnotherMajorVersion() {
    ParseResult.Rejected rejected =
        rejected("{\"type\":\"ack.received\",\"schema_version\":2,\"shape\":\"new\"}");

    assertThat(rejected.violations())
        .extracting(Violation::path, Violation::code)
        .containsExactly(tuple("/schema_version", ReasonCode.UNSUPPORTED_VERSION));
  }

  @Test
  void shouldAcceptTimestampsUpToTheConfiguredSkewAhead() {
    EventParser parser =
        new EventParser(
            ValidationLimits.builder().maxFutureSkew(Duration.ofMinutes(1)).build(),
            Examples.CLOCK);

    assertThat(parse(parser, ack("\"2026-11-23T12:01:00Z\"", "")))
        .isInstanceOf(ParseResult.Parsed.class);
    assertThat(rejected(parser, ack("\"2026-11-23T12:01:00.001Z\"", "")).primaryReason())
        .isEqualTo(ReasonCode.TIMESTAMP_IN_FUTURE);
    // The default skew is five minutes.
    assertThat(parse(PARSER, ack("\"2026-11-23T12:05:00Z\"", "")))
        .isInstanceOf(ParseResult.Parsed.class);
    assertThat(rejected(ack("1795435500001", "")).primaryReason())
        .isEqualTo(ReasonCode.TIMESTAMP_IN_FUTURE);
  }

  @Test
  void shouldCompareTheExactInstantWithTheEarliestTimestamp() {
    assertThat(parsed(ack("946684800000", "")).envelope().timestamp())
        .isEqualTo(ValidationLimits.EARLIEST_TIMESTAMP);
    assertThat(rejected(ack("946684799999", "")).primaryReason())
        .isEqualTo(ReasonCode.TIMESTAMP_TOO_OLD);
    // Written as 2000 but, with its offset, an instant of 1999.
    assertThat(rejected(ack("\"2000-01-01T00:30:00+01:00\"", "")).primaryReason())
        .isEqualTo(ReasonCode.TIMESTAMP_TOO_OLD);
  }

  @Test
  void shouldReadEveryTimestampFormOfTheSameInstantAlike() {
    Instant expected = Instant.parse("2026-11-23T11:00:00.250Z");

    for (String timestamp :
        List.of(
            "\"2026-11-23T11:00:00.250Z\"",
            "\"2026-11-23T12:00:00.25+01:00\"",
            "\"2026-11-23T06:30:00.250-04:30\"",
            "\"2026-11-23t11:00:00.250z\"",
            "1795431600250",
            "1.79543160025E12")) {
      assertThat(parsed(ack(timestamp, "")).envelope().timestamp())
          .as(timestamp)
          .isEqualTo(expected);
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "\"2026-11-23T11:00:00\"",
        "\"2026-11-23T11:00Z\"",
        "\"2026-11-23 11:00:00Z\"",
        "\"2026-02-29T11:00:00Z\"",
        "\"2026-11-23T11:00:60Z\"",
        "\"2026-11-23T11:00:00+0100\"",
        "\"+2026-11-23T11:00:00Z\"",
        "\"\""
      })
  void shouldRejectTimestampStringsThatAreNotRfc3339(String timestamp) {
    assertThat(rejected(ack(timestamp, "")).primaryReason())
        .isEqualTo(ReasonCode.INVALID_TIMESTAMP);
  }

  @ParameterizedTest
  @ValueSource(strings = {"NaN", "Infinity", "-Infinity", "1e400"})
  void shouldReportNonFiniteNumbersAsNotFinite(String number) {
    String json =
        ack("\"2026-11-23T11:00:00Z\"", "").replace("\"latency_ms\":4", "\"latency_ms\":" + number);

    assertThat(rejected(json).violations())
        .extracting(Violation::path, Violation::code)
        .containsExactly(tuple("/latency_ms", ReasonCode.NOT_FINITE));
  }

  @Test
  void shouldTreatNullOptionalFieldsAsAbsent() {
    DeliveryDelivered event =
        (DeliveryDelivered)
            parsed(
                "{\"type\":\"delivery.delivered\",\"schema_version\":1,\"service\":\"s\","
                    + "\"instance\":\"i\",\"event_id\":\"e\",\"timestamp\":1795431600250,"
                    + "\"labels\":null,\"trace_id\":null,\"latency_ms\":1,\"device_count\":null}");

    assertThat(event.envelope().labels()).isEmpty();
    assertThat(event.envelope().traceId()).isNull();
    assertThat(event.deviceCount()).isNull();
    assertThat(event.isMultiDevice()).isFalse();
  }

  @Test
  void shouldNameThePoolDefaultWhenTheEventNamesNone() {
    PoolSample sample =
        (PoolSample)
            parsed(
                "{\"type\":\"pool.sample\",\"schema_version\":1,\"service\":\"s\","
                    + "\"instance\":\"i\",\"event_id\":\"e\",\"timestamp\":1795431600250,"
                    + "\"active\":3,\"idle\":0}");

    assertThat(sample.pool()).isEqualTo(PoolSample.DEFAULT_POOL).isEqualTo("default");
  }

  @Test
  void shouldAcceptIntegersWrittenWithAZeroFraction() {
    QueueDepth depth =
        (QueueDepth)
            parsed(
                "{\"type\":\"queue.depth\",\"schema_version\":1.0,\"service\":\"s\","
                    + "\"instance\":\"i\",\"event_id\":\"e\",\"timestamp\":1795431600250,"
                    + "\"queue\":\"offline_messages\",\"depth\":3.0}");

    assertThat(depth.depth()).isEqualTo(3L);
    assertThat(depth.type()).isEqualTo(EventType.QUEUE_DEPTH);
  }

  @Test
  void shouldEscapeLabelNamesInViolationPaths() {
    assertThat(rejected(ack("1795431600250", "\"labels\":{\"a/b~c\":\"x\"}")).violations())
        .extracting(Violation::path, Violation::code)
        .containsExactly(tuple("/labels/a~1b~0c", ReasonCode.INVALID_LABEL_NAME));
  }

  @Test
  void shouldApplyTheConfiguredLabelLimits() {
    EventParser parser =
        new EventParser(
            ValidationLimits.builder().maxLabels(2).maxLabelValueLength(3).build(), Examples.CLOCK);

    assertThat(
            rejected(
                    parser,
                    ack("1795431600250", "\"labels\":{\"a\":\"1\",\"b\":\"2\",\"c\":\"3\"}"))
                .violations())
        .extracting(Violation::path, Violation::code)
        .containsExactly(tuple("/labels", ReasonCode.TOO_MANY_LABELS));
    assertThat(
            rejected(parser, ack("1795431600250", "\"labels\":{\"a\":\"abcd\"}")).primaryReason())
        .isEqualTo(ReasonCode.LABEL_VALUE_TOO_LONG);
    // Length is counted in characters, not UTF-16 units: three emoji fit a limit of three.
    Event event =
        ((ParseResult.Parsed)
                parse(
                    parser,
                    ack(
                        "1795431600250",
                        "\"labels\":{\"a\":\"\uD83D\uDE00\uD83D\uDE00\uD83D\uDE00\"}")))
            .event();
    assertThat(event.envelope().labels()).containsEntry("a", "\uD83D\uDE00".repeat(3));
  }

  @Test
  void shouldKeepLabelsSortedByName() {
    Event event = parsed(ack("1795431600250", "\"labels\":{\"zone\":\"b\",\"app\":\"chat\"}"));

    assertThat(event.envelope().labels())
        .containsExactly(Map.entry("app", "chat"), Map.entry("zone", "b"));
  }

  @Test
  void shouldRejectDeeplyNestedInputAsNotJsonWithoutThrowing() {
    String nested = "[".repeat(32_000) + "]".repeat(32_000);

    assertThat(rejected(nested).primaryReason()).isEqualTo(ReasonCode.NOT_JSON);
  }

  @Test
  void shouldRejectAnythingButAnObjectAsNotAnObject() {
    for (String json : List.of("[]", "42", "\"event\"", "true", "null")) {
      assertThat(rejected(json).primaryReason()).as(json).isEqualTo(ReasonCode.NOT_AN_OBJECT);
    }
  }
}
