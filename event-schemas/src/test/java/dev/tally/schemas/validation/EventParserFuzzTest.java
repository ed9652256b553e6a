package dev.tally.schemas.validation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.schemas.Event;
import dev.tally.schemas.Examples;
import dev.tally.schemas.json.EventJson;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Bad input never breaks the parser: whatever the bytes, it answers with a result. */
class EventParserFuzzTest {

  private static final EventParser PARSER =
      new EventParser(ValidationLimits.defaults(), Examples.CLOCK);

  /** Fragments that steer random input towards the parser's interesting paths. */
  private static final String[] FRAGMENTS = {
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\"",
    "\\",
    "\\u",
    "\\ud83d",
    "null",
    "true",
    "NaN",
    "-Infinity",
    "1e400",
    "-0",
    "0.5",
    "9223372036854775808",
    "\"type\"",
    "\"ack.received\"",
    "\"schema_version\"",
    "1",
    "\"timestamp\"",
    "\"2026-11-23T11:00:00Z\"",
    "\"labels\"",
    "\"__name__\"",
    "\"latency_ms\"",
    "\u00e9",
    "\uD83D\uDE00",
    "\u0000",
    " ",
    "\n"
  };

  @Test
  void shouldNeverThrowOnRandomBytes() {
    Random random = new Random(20261123L);
    for (int i = 0; i < 4_000; i++) {
      byte[] bytes = new byte[random.nextInt(600)];
      random.nextBytes(bytes);

      assertAnswers(bytes);
    }
  }

  @Test
  void shouldNeverThrowOnRandomJsonLikeText() {
    Random random = new Random(7L);
    for (int i = 0; i < 4_000; i++) {
      StringBuilder text = new StringBuilder();
      int parts = random.nextInt(40);
      for (int p = 0; p < parts; p++) {
        text.append(FRAGMENTS[random.nextInt(FRAGMENTS.length)]);
      }

      assertAnswers(text.toString().getBytes(StandardCharsets.UTF_8));
    }
  }

  @Test
  void shouldNeverThrowOnCorruptedValidEventsAndRoundTripWhatItAccepts() {
    Random random = new Random(42L);
    List<byte[]> examples = new ArrayList<>();
    Examples.valid().forEach(file -> examples.add(Examples.validBytes(file)));
    int accepted = 0;
    for (int i = 0; i < 4_000; i++) {
      byte[] bytes = corrupt(examples.get(random.nextInt(examples.size())), random);

      ParseResult result = assertAnswers(bytes);

      if (result instanceof ParseResult.Parsed parsed) {
        accepted++;
        Event event = parsed.event();
        ParseResult again = PARSER.parse(EventJson.write(event));
        assertThat(again).isEqualTo(new ParseResult.Parsed(event));
      }
    }
    // Some corruptions land in strings and stay valid: the round trip above was exercised.
    assertThat(accepted).isPositive();
  }

  @Test
  void shouldNeverThrowFromTheSchemaValidatorEither() {
    JsonSchemaValidator schema = JsonSchemaValidator.create();
    Random random = new Random(99L);
    List<byte[]> examples = new ArrayList<>();
    Examples.valid().forEach(file -> examples.add(Examples.validBytes(file)));
    for (int i = 0; i < 1_000; i++) {
      byte[] bytes = corrupt(examples.get(random.nextInt(examples.size())), random);

      assertThat(schema.validate(bytes)).isNotNull();
    }
  }

  private static ParseResult assertAnswers(byte[] bytes) {
    ParseResult result = PARSER.parse(bytes);
    assertThat(result).isNotNull();
    if (result instanceof ParseResult.Rejected rejected) {
      assertThat(rejected.violations()).isNotEmpty();
      assertThat(rejected.primaryReason()).isNotNull();
    }
    return result;
  }

  /** One to four random edits: replace, insert or delete a byte. */
  private static byte[] corrupt(byte[] original, Random random) {
    byte[] bytes = Arrays.copyOf(original, original.length);
    int edits = 1 + random.nextInt(4);
    for (int e = 0; e < edits && bytes.length > 0; e++) {
      int at = random.nextInt(bytes.length);
      switch (random.nextInt(3)) {
        case 0:
          bytes[at] = (byte) random.nextInt(256);
          break;
        case 1:
          {
            byte[] longer = new byte[bytes.length + 1];
            System.arraycopy(bytes, 0, longer, 0, at);
            longer[at] = (byte) "{}[]\",:0-.e\\ax".charAt(random.nextInt(14));
            System.arraycopy(bytes, at, longer, at + 1, bytes.length - at);
            bytes = longer;
            break;
          }
        default:
          {
            byte[] shorter = new byte[bytes.length - 1];
            System.arraycopy(bytes, 0, shorter, 0, at);
            System.arraycopy(bytes, at + 1, shorter, at, bytes.length - at - 1);
            bytes = shorter;
          }
      }
    }
    return bytes;
  }
}
