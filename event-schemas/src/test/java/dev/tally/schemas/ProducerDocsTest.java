package dev.tally.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.schemas.validation.EventParser;
import dev.tally.schemas.validation.JsonSchemaValidator;
import dev.tally.schemas.validation.ParseResult;
import dev.tally.schemas.validation.ReasonCode;
import dev.tally.schemas.validation.ValidationLimits;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** docs/events.md is what producer teams read: it must match the contract this module holds. */
class ProducerDocsTest {

  private static final Path DOC = Path.of("..", "docs", "events.md");
  private static final Pattern JSON_BLOCK = Pattern.compile("```json\\n(.*?)```", Pattern.DOTALL);
  private static final Pattern FIELD_ROW =
      Pattern.compile("^\\| `([a-z0-9_]+)` \\|", Pattern.MULTILINE);
  private static final ObjectMapper JSON = new ObjectMapper();

  private static String doc;

  @BeforeAll
  static void readDoc() throws IOException {
    doc = Files.readString(DOC, StandardCharsets.UTF_8);
  }

  @Test
  void shouldShowOnlyExamplesThatTallyAccepts() {
    EventParser parser = new EventParser(ValidationLimits.defaults(), Examples.CLOCK);
    JsonSchemaValidator schema = JsonSchemaValidator.create();
    List<String> examples = new ArrayList<>();
    Matcher blocks = JSON_BLOCK.matcher(doc);
    while (blocks.find()) {
      examples.add(blocks.group(1));
    }

    assertThat(examples).hasSizeGreaterThan(EventType.values().length);
    for (String example : examples) {
      byte[] bytes = example.getBytes(StandardCharsets.UTF_8);
      assertThat(parser.parse(bytes)).as(example).isInstanceOf(ParseResult.Parsed.class);
      assertThat(schema.validate(bytes)).as(example).isEmpty();
    }
  }

  @Test
  void shouldDocumentEveryEventTypeWithTheFieldsOfItsSchema() throws IOException {
    for (EventType type : EventType.values()) {
      String section = section("#### `" + type.wireName() + "`");
      JsonNode properties =
          schema(type.family()).path("$defs").path(type.eventName()).path("properties");

      assertThat(fieldNames(section)).as(type.wireName()).isEqualTo(names(properties));
      assertThat(section).contains("```json\n{\n  \"type\": \"" + type.wireName() + "\"");
    }
  }

  @Test
  void shouldDocumentEveryEnvelopeField() throws IOException {
    assertThat(fieldNames(section("## Envelope")))
        .isEqualTo(names(schema("envelope").path("properties")));
  }

  @Test
  void shouldDocumentEveryReasonCode() {
    String section = section("## Reason codes");
    List<String> documented = new ArrayList<>(fieldNames(section));
    List<String> codes = new ArrayList<>();
    for (ReasonCode reason : ReasonCode.values()) {
      codes.add(reason.code());
    }

    assertThat(documented).isEqualTo(codes);
  }

  /** The text from the heading to the next heading of the same or a higher level. */
  private static String section(String heading) {
    int start = doc.indexOf(heading + "\n");
    assertThat(start).as(heading).isNotNegative();
    String level = heading.substring(0, heading.indexOf(' ') + 1);
    int end = doc.length();
    for (String prefix = level; prefix.length() >= 3; prefix = prefix.substring(1)) {
      int next = doc.indexOf("\n" + prefix, start + heading.length());
      if (next >= 0 && next < end) {
        end = next;
      }
    }
    return doc.substring(start, end);
  }

  /** The names in the first column of the section's first table. */
  private static Set<String> fieldNames(String section) {
    Set<String> names = new LinkedHashSet<>();
    Matcher rows = FIELD_ROW.matcher(section);
    while (rows.find()) {
      names.add(rows.group(1));
    }
    return names;
  }

  private static Set<String> names(JsonNode properties) {
    Set<String> names = new LinkedHashSet<>();
    properties.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static JsonNode schema(String name) throws IOException {
    try (InputStream in = Examples.class.getResourceAsStream("/schemas/" + name + ".schema.json")) {
      return JSON.readTree(in);
    }
  }
}
