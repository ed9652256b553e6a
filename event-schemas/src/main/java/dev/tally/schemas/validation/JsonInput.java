package dev.tally.schemas.validation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
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
    if (!wellFormedUtf8(bytes)) {
      violations.add(
          "", ReasonCode.INVALID_UTF8, "the record value is not well-formed UTF-8 (RFC 8259 8.1)");
      return Optional.empty();
    }
    JsonNode tree;
    try {
      tree = reader.readTree(bytes);
    } catch (IOException | RuntimeException e) {
      String why = describe(e);
      // Jackson refuses a lone surrogate escape in a field name itself (one in a value it reads);
      // the reason is the same either way.
      if (why.toLowerCase(Locale.ROOT).contains("surrogate")) {
        violations.add(
            "",
            ReasonCode.INVALID_UTF8,
            "a name escapes half of a surrogate pair, which is no character (RFC 8259 8.2): "
                + why);
      } else {
        violations.add("", ReasonCode.NOT_JSON, "not well-formed JSON: " + why);
      }
      return Optional.empty();
    }
    if (tree == null || tree.isMissingNode()) {
      violations.add("", ReasonCode.NOT_JSON, "the record value holds no JSON value");
      return Optional.empty();
    }
    // Jackson turns an escaped lone surrogate into a lone char that no encoder can write back:
    // two different inputs would print as the same "?" and merge into one series.
    if (mayEscapeASurrogate(bytes)) {
      String at = unpairedSurrogate(tree, "");
      if (at != null) {
        violations.add(
            at,
            ReasonCode.INVALID_UTF8,
            "a string escapes half of a surrogate pair, which is no character (RFC 8259 8.2)");
        return Optional.empty();
      }
    }
    return Optional.of(tree);
  }

  /**
   * Strict UTF-8: the JDK's decoder refuses overlong forms, surrogates and code points > 10FFFF. A
   * NUL byte, never part of JSON text, is refused too: it is how UTF-16 and UTF-32 text, which
   * Jackson would otherwise detect and read, shows in bytes.
   */
  private static boolean wellFormedUtf8(byte[] bytes) {
    int i = 0;
    while (i < bytes.length && bytes[i] > 0) {
      i++; // ASCII, the common case, needs no decoder
    }
    if (i == bytes.length) {
      return true;
    }
    for (int j = i; j < bytes.length; j++) {
      if (bytes[j] == 0) {
        return false;
      }
    }
    try {
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes, i, bytes.length - i));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  /** Whether the bytes hold a backslash, {@code u} and {@code d}/{@code D}: a surrogate escape. */
  private static boolean mayEscapeASurrogate(byte[] bytes) {
    for (int i = 0; i + 2 < bytes.length; i++) {
      if (bytes[i] == '\\' && bytes[i + 1] == 'u' && (bytes[i + 2] | 0x20) == 'd') {
        return true;
      }
    }
    return false;
  }

  /** The JSON pointer of the first name or string with an unpaired surrogate, or null. */
  private static String unpairedSurrogate(JsonNode node, String path) {
    if (node.isTextual()) {
      return hasUnpairedSurrogate(node.textValue()) ? path : null;
    }
    if (node.isObject()) {
      var fields = node.fields();
      while (fields.hasNext()) {
        var field = fields.next();
        String child = path + "/" + field.getKey().replace("~", "~0").replace("/", "~1");
        if (hasUnpairedSurrogate(field.getKey())) {
          return child;
        }
        String found = unpairedSurrogate(field.getValue(), child);
        if (found != null) {
          return found;
        }
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        String found = unpairedSurrogate(node.get(i), path + "/" + i);
        if (found != null) {
          return found;
        }
      }
    }
    return null;
  }

  private static boolean hasUnpairedSurrogate(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
        } else {
          return true;
        }
      } else if (Character.isLowSurrogate(c)) {
        return true;
      }
    }
    return false;
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
