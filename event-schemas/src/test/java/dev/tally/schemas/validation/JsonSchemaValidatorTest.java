package dev.tally.schemas.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.SchemaLocation;
import dev.tally.schemas.EventType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class JsonSchemaValidatorTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonSchemaValidator SCHEMA = JsonSchemaValidator.create();

  private static final List<String> SCHEMA_FILES =
      List.of(
          "event",
          "envelope",
          "common",
          "delivery",
          "ack",
          "cache",
          "queue",
          "http",
          "connection",
          "dedup",
          "checkpoint",
          "processing",
          "pool",
          "metric");

  private static JsonNode schemaFile(String name) {
    try (InputStream in =
        JsonSchemaValidator.class.getResourceAsStream("/schemas/" + name + ".schema.json")) {
      assertThat(in).as(name).isNotNull();
      return JSON.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void shouldPublishEverySchemaAsDraft202012UnderATallyId() {
    for (String name : SCHEMA_FILES) {
      JsonNode schema = schemaFile(name);

      assertThat(schema.path("$schema").asText())
          .isEqualTo("https://json-schema.org/draft/2020-12/schema");
      assertThat(schema.path("$id").asText())
          .isEqualTo(JsonSchemaValidator.SCHEMA_ID_PREFIX + name + ".schema.json");
    }
  }

  @Test
  void shouldNeverForbidUnknownFields() {
    List<String> closed = new ArrayList<>();
    for (String name : SCHEMA_FILES) {
      findClosedObjects(schemaFile(name), name + "#", closed);
    }

    assertThat(closed).isEmpty();
  }

  private static void findClosedObjects(JsonNode node, String where, List<String> closed) {
    if (node.isObject()) {
      for (String keyword : List.of("additionalProperties", "unevaluatedProperties")) {
        if (node.path(keyword).isBoolean() && !node.path(keyword).booleanValue()) {
          closed.add(where + "/" + keyword);
        }
      }
      node.properties()
          .forEach(e -> findClosedObjects(e.getValue(), where + "/" + e.getKey(), closed));
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        findClosedObjects(node.get(i), where + "/" + i, closed);
      }
    }
  }

  @Test
  void shouldListEveryEventTypeInTheDispatchingSchema() {
    JsonNode event = schemaFile("event");
    List<String> wireNames =
        Arrays.stream(EventType.values()).map(EventType::wireName).collect(Collectors.toList());

    List<String> enumerated = new ArrayList<>();
    event.path("properties").path("type").path("enum").forEach(n -> enumerated.add(n.asText()));
    List<String> dispatched = new ArrayList<>();
    List<String> targets = new ArrayList<>();
    for (JsonNode branch : event.path("allOf")) {
      dispatched.add(branch.path("if").path("properties").path("type").path("const").asText());
      targets.add(branch.path("then").path("$ref").asText());
    }

    assertThat(enumerated).isEqualTo(wireNames);
    assertThat(dispatched).isEqualTo(wireNames);
    for (EventType type : EventType.values()) {
      assertThat(targets).contains(type.family() + ".schema.json#/$defs/" + type.eventName());
      assertThat(schemaFile(type.family()).path("$defs").has(type.eventName()))
          .as(type.wireName())
          .isTrue();
    }
  }

  @Test
  void shouldRefuseToLoadSchemasFromAnywhereButTheClasspath() {
    assertThatThrownBy(
            () ->
                JsonSchemaValidator.factory()
                    .getSchema(SchemaLocation.of("https://schemas.example.com/other.json")))
        .hasMessageContaining("not allowed");
  }

  @Test
  void shouldReportMissingFieldsAtTheirOwnPath() {
    List<Violation> violations =
        SCHEMA.validate(
            "{\"type\":\"http.request\",\"schema_version\":1,\"service\":\"s\",\"instance\":\"i\",\"event_id\":\"e\",\"timestamp\":1795431600250,\"method\":\"GET\",\"route\":\"/\",\"status\":200}"
                .getBytes(StandardCharsets.UTF_8));

    assertThat(violations)
        .extracting(Violation::path, Violation::code)
        .containsExactly(tuple("/duration_ms", ReasonCode.MISSING_FIELD));
  }

  @Test
  void shouldMapLabelRulesToTheirOwnReasons() {
    String labels =
        "{\"__name__\":\"x\",\"app-name\":\"y\",\"long\":\"" + "v".repeat(257) + "\",\"n\":1}";
    List<Violation> violations =
        SCHEMA.validate(
            ("{\"type\":\"cache.hit\",\"schema_version\":1,\"service\":\"s\",\"instance\":\"i\",\"event_id\":\"e\",\"timestamp\":1795431600250,\"cache\":\"redis\",\"labels\":"
                    + labels
                    + "}")
                .getBytes(StandardCharsets.UTF_8));

    assertThat(violations)
        .extracting(Violation::path, Violation::code)
        .containsExactlyInAnyOrder(
            tuple("/labels/__name__", ReasonCode.RESERVED_LABEL_NAME),
            tuple("/labels/app-name", ReasonCode.INVALID_LABEL_NAME),
            tuple("/labels/long", ReasonCode.LABEL_VALUE_TOO_LONG),
            tuple("/labels/n", ReasonCode.WRONG_TYPE));
  }

  @Test
  void shouldMapEachNamedRuleToItsReason() throws IOException {
    Map<String, ReasonCode> expected =
        Map.of(
            "{\"timestamp\":\"2026-11-23\"}", ReasonCode.INVALID_TIMESTAMP,
            "{\"timestamp\":\"1999-12-31T23:59:59Z\"}", ReasonCode.TIMESTAMP_TOO_OLD,
            "{\"timestamp\":946684799999}", ReasonCode.TIMESTAMP_TOO_OLD,
            "{\"timestamp\":{}}", ReasonCode.WRONG_TYPE,
            "{\"type\":\"cache.hot\"}", ReasonCode.UNKNOWN_TYPE,
            "{\"schema_version\":3}", ReasonCode.UNSUPPORTED_VERSION,
            "{\"latency_ms\":-2}", ReasonCode.NEGATIVE_DURATION,
            "{\"latency_ms\":1e400}", ReasonCode.NOT_FINITE,
            "{\"service\":\"\"}", ReasonCode.INVALID_VALUE);
    for (Map.Entry<String, ReasonCode> change : expected.entrySet()) {
      ObjectNode event =
          (ObjectNode)
              JSON.readTree(
                  "{\"type\":\"ack.received\",\"schema_version\":1,\"service\":\"s\","
                      + "\"instance\":\"i\",\"event_id\":\"e\",\"timestamp\":1795431600250,"
                      + "\"latency_ms\":1}");
      event.setAll((ObjectNode) JSON.readTree(change.getKey()));

      assertThat(SCHEMA.validate(event))
          .as(change.getKey())
          .extracting(Violation::code)
          .contains(change.getValue());
    }
  }
}
