package dev.tally.schemas.validation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.util.Optional;

/** How record values are read into JSON trees, shared by the parser and the schema validator. */
final class JsonInput {

  // Duplicate keys make an event ambiguous and trailing tokens mean a corrupt or concatenated
  // record: both are rejected as not_json rather than silently resolved.
  private static JsonMapper.Builder strict() {
    return JsonMapper.builder()
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  }

  /**
   * What producers send: JSON plus the NaN and Infinity tokens that Go and Java encoders can emit,
   * read as numbers so that they are reported as not_finite instead of not_json.
   */
  static final ObjectReader EVENTS =
      strict().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build().reader();

  /** Standard JSON (RFC 8259) only, as any JSON Schema tool reads it. */
  static final ObjectReader STANDARD = strict().build().reader();

  private static final int MAX_MESSAGE_LENGTH = 160;

  private JsonInput() {}

  /**
   * Reads one JSON value, or returns the reason it is not JSON as a not_json violation.
   *
   * @return the tree, or empty with the violation added to {@code violations}
   */
  static Optional<JsonNode> read(ObjectReader reader, byte[] bytes, Violations violations) {
    if (bytes == null || bytes.length == 0) {
      violations.add("", ReasonCode.NOT_JSON, "the record value is empty");
      return Optional.empty();
    }
    JsonNode tree;
    try {
      tree = reader.readTree(bytes);
    } catch (IOException | RuntimeException e) {
      violations.add("", ReasonCode.NOT_JSON, "not well-formed JSON: " + describe(e));
      return Optional.empty();
    }
    if (tree == null || tree.isMissingNode()) {
      violations.add("", ReasonCode.NOT_JSON, "the record value holds no JSON value");
      return Optional.empty();
    }
    return Optional.of(tree);
  }

  private static String describe(Exception e) {
    String message =
        e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : e.getMessage();
    if (message == null) {
      message = e.getClass().getSimpleName();
    }
    message = message.replaceAll("\\s+", " ");
    return message.length() <= MAX_MESSAGE_LENGTH
        ? message
        : message.substring(0, MAX_MESSAGE_LENGTH) + "...";
  }
}
