package dev.tally.schemas.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.schemas.Examples;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Generated agreement between the parser and the published JSON Schemas: every valid example is
 * mutated (fields dropped, set to other types, to edge values ...) and both must agree on accept or
 * reject, and every violation the parser reports must be one the schemas report too.
 */
class SchemaAgreementTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  // The schemas have no clock: with an unbounded skew the parser has none either.
  private static final EventParser PARSER =
      new EventParser(
          ValidationLimits.builder().maxFutureSkew(Duration.ofSeconds(Long.MAX_VALUE)).build(),
          Examples.CLOCK);
  private static final JsonSchemaValidator SCHEMA = JsonSchemaValidator.create();

  /** Values every field is set to in turn. */
  private static final List<JsonNode> VALUES =
      List.of(
          NODES.nullNode(),
          NODES.booleanNode(true),
          NODES.booleanNode(false),
          NODES.numberNode(-1),
          NODES.numberNode(0),
          NODES.numberNode(1),
          NODES.numberNode(2),
          NODES.numberNode(99),
          NODES.numberNode(100),
          NODES.numberNode(599),
          NODES.numberNode(600),
          NODES.numberNode(1.0),
          NODES.numberNode(1.5),
          NODES.numberNode(-0.5),
          NODES.numberNode(1e308),
          NODES.numberNode(-1e308),
          NODES.numberNode(1e19),
          NODES.numberNode(Long.MAX_VALUE),
          NODES.numberNode(BigInteger.valueOf(Long.MAX_VALUE).add(BigInteger.ONE)),
          NODES.numberNode(BigInteger.valueOf(Long.MIN_VALUE).subtract(BigInteger.ONE)),
          NODES.numberNode(946_684_799_999L),
          NODES.numberNode(946_684_800_000L),
          NODES.textNode(""),
          NODES.textNode("x"),
          NODES.textNode("/x"),
          NODES.textNode("1"),
          NODES.textNode("GET"),
          NODES.textNode("get"),
          NODES.textNode("success"),
          NODES.textNode("timeout"),
          NODES.textNode("counter"),
          NODES.textNode("gauge"),
          NODES.textNode("ack.received"),
          NODES.textNode("cache.hit"),
          NODES.textNode("no.such_type"),
          NODES.textNode("a".repeat(128)),
          NODES.textNode("a".repeat(129)),
          NODES.textNode("a".repeat(256)),
          NODES.textNode("a".repeat(257)),
          NODES.textNode("\uD83D\uDE00".repeat(128)),
          NODES.textNode("\uD83D\uDE00".repeat(129)),
          NODES.textNode("2026-11-23T11:00:00Z"),
          NODES.textNode("2026-11-23T11:00:00.123456789+14:00"),
          NODES.textNode("2026-11-23t11:00:00z"),
          NODES.textNode("2026-11-23T11:00:00-23:59"),
          NODES.textNode("2028-02-29T11:00:00Z"),
          NODES.textNode("2026-11-23T11:00:00"),
          NODES.textNode("2026-11-23 11:00:00Z"),
          NODES.textNode("2026-11-23T24:00:00Z"),
          NODES.textNode("2026-13-01T00:00:00Z"),
          NODES.textNode("2026-11-23T11:00:00.1234567890Z"),
          NODES.textNode("1999-12-31T23:59:59Z"),
          NODES.textNode("2000-01-01T00:00:00Z"),
          NODES.textNode("0999-01-01T00:00:00Z"),
          NODES.objectNode(),
          NODES.objectNode().put("a", "b"),
          NODES.arrayNode(),
          NODES.arrayNode().add("x"));

  /** Label sets the labels field is set to in turn. */
  private static final List<Map<String, JsonNode>> LABELS =
      List.of(
          Map.of("region", NODES.textNode("eu")),
          Map.of("_private", NODES.textNode("")),
          Map.of("Region9", NODES.textNode("a".repeat(256))),
          Map.of("region", NODES.textNode("a".repeat(257))),
          Map.of("region", NODES.textNode("\u00e9".repeat(256))),
          Map.of("region", NODES.numberNode(1)),
          Map.of("region", NODES.nullNode()),
          Map.of("__name__", NODES.textNode("x")),
          Map.of("__", NODES.textNode("x")),
          Map.of("_", NODES.textNode("x")),
          Map.of("__-", NODES.textNode("x")),
          Map.of("app-name", NODES.textNode("x")),
          Map.of("9lives", NODES.textNode("x")),
          Map.of("", NODES.textNode("x")),
          Map.of("a/b~c", NODES.textNode("x")),
          Map.of("caf\u00e9", NODES.textNode("x")));

  @Test
  void shouldAgreeWithTheJsonSchemaOnEveryGeneratedMutation() {
    List<String> disagreements = new ArrayList<>();
    int[] checked = {0};
    for (String file : Examples.valid()) {
      ObjectNode example = (ObjectNode) read(Examples.validBytes(file));
      mutations(
          example,
          (description, mutated) -> {
            checked[0]++;
            String problem = compare(PARSER, mutated);
            if (problem != null) {
              disagreements.add(file + " " + description + ": " + problem);
            }
          });
    }

    assertThat(checked[0]).isGreaterThan(10_000);
    assertThat(disagreements).isEmpty();
  }

  @Test
  void shouldReportADisagreementWhenTheParserJudgesOtherwise() {
    // The comparison itself must be able to fail: limits set below the schemas' defaults do.
    EventParser strict =
        new EventParser(ValidationLimits.builder().maxLabels(0).build(), Examples.CLOCK);
    ObjectNode example = (ObjectNode) read(Examples.validBytes("cache.miss--local.json"));

    assertThat(compare(PARSER, example)).isNull();
    assertThat(compare(strict, example)).contains("parser rejects").contains("too_many_labels");
  }

  /** Null when both agree, else what differs. */
  private static String compare(EventParser parser, ObjectNode event) {
    byte[] bytes = write(event);
    ParseResult parsed = parser.parse(bytes);
    List<Violation> schemaViolations = SCHEMA.validate(bytes);
    if (parsed instanceof ParseResult.Parsed) {
      return schemaViolations.isEmpty()
          ? null
          : "parser accepts, schema rejects " + schemaViolations;
    }
    List<Violation> parserViolations = ((ParseResult.Rejected) parsed).violations();
    if (schemaViolations.isEmpty()) {
      return "parser rejects " + parserViolations + ", schema accepts";
    }
    Set<String> schemaFindings = new HashSet<>();
    schemaViolations.forEach(v -> schemaFindings.add(v.path() + " " + v.code()));
    for (Violation v : parserViolations) {
      if (!schemaFindings.contains(v.path() + " " + v.code())) {
        return "parser reports " + v + ", schema only " + schemaViolations;
      }
    }
    return null;
  }

  private interface MutationSink {
    void accept(String description, ObjectNode mutated);
  }

  private static void mutations(ObjectNode example, MutationSink sink) {
    List<String> fields = new ArrayList<>();
    example.fieldNames().forEachRemaining(fields::add);
    for (String field : List.of("labels", "trace_id", "device_count", "pool", "unit")) {
      if (!fields.contains(field)) {
        fields.add(field);
      }
    }
    for (String field : fields) {
      if (example.has(field)) {
        sink.accept("without " + field, copy(example, e -> e.remove(field)));
      }
      for (JsonNode value : VALUES) {
        sink.accept(field + "=" + abbreviate(value), copy(example, e -> e.set(field, value)));
      }
    }
    for (Map<String, JsonNode> labels : LABELS) {
      ObjectNode node = NODES.objectNode();
      labels.forEach(node::set);
      sink.accept("labels=" + node, copy(example, e -> e.set("labels", node)));
    }
    for (int count : new int[] {16, 17}) {
      ObjectNode node = NODES.objectNode();
      for (int i = 0; i < count; i++) {
        node.put("l" + i, "v");
      }
      sink.accept(count + " labels", copy(example, e -> e.set("labels", node)));
    }
  }

  private static ObjectNode copy(ObjectNode example, Consumer<ObjectNode> change) {
    ObjectNode copy = example.deepCopy();
    change.accept(copy);
    return copy;
  }

  private static String abbreviate(JsonNode value) {
    String text = value.toString();
    return text.length() <= 24 ? text : text.substring(0, 24) + "...";
  }

  private static JsonNode read(byte[] bytes) {
    try {
      return JSON.readTree(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] write(JsonNode node) {
    try {
      return JSON.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
