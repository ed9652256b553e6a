package dev.tally.schemas.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TimestampsTest {

  @Test
  void shouldReadRfc3339LikeJavaTimeWithAnyRfc3339Offset() {
    Random random = new Random(3339L);
    int valid = 0;
    for (int i = 0; i < 20_000; i++) {
      String text = randomDateTime(random);

      Instant expected = javaTime(text);
      assertThat(Timestamps.parseRfc3339(text)).as(text).isEqualTo(expected);
      if (expected != null) {
        valid++;
      }
    }
    // Most generated strings are real dates; the rest (day 31 in short months ...) must be null.
    assertThat(valid).isBetween(15_000, 19_999);
  }

  @Test
  void shouldKnowLeapYears() {
    assertThat(Timestamps.parseRfc3339("2028-02-29T00:00:00Z"))
        .isEqualTo(Instant.parse("2028-02-29T00:00:00Z"));
    assertThat(Timestamps.parseRfc3339("2000-02-29T00:00:00Z")).isNotNull();
    assertThat(Timestamps.parseRfc3339("2100-02-29T00:00:00Z")).isNull();
    assertThat(Timestamps.parseRfc3339("2026-02-29T00:00:00Z")).isNull();
  }

  @Test
  void shouldAcceptOffsetsBeyondEighteenHoursAsRfc3339Does() {
    assertThat(Timestamps.parseRfc3339("2026-11-23T00:00:00+23:59"))
        .isEqualTo(Instant.parse("2026-11-22T00:01:00Z"));
    assertThat(Timestamps.parseRfc3339("2026-11-23T00:00:00-19:30"))
        .isEqualTo(Instant.parse("2026-11-23T19:30:00Z"));
  }

  @Test
  void shouldRejectWhatThePatternRejects() {
    for (String text :
        new String[] {
          "2026-11-23T12:00:00", "2026-11-23T12:00Z", "2026-11-23T12:00:00.Z",
          "2026-11-23T12:00:00.1234567890Z", "2026-11-23T12:00:00+01", "2026-11-23T12:00:00+0100",
          "2026-11-23T24:00:00Z", "2026-11-23T12:60:00Z", "2026-11-23T12:00:60Z",
          "2026-00-23T12:00:00Z", "2026-11-32T12:00:00Z", "2026-11-23T12:00:00Z ",
          "\u0662026-11-23T12:00:00Z"
        }) {
      assertThat(Timestamps.parseRfc3339(text)).as(text).isNull();
    }
  }

  private static String randomDateTime(Random random) {
    StringBuilder text =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "%04d-%02d-%02d%s%02d:%02d:%02d",
                random.nextInt(10_000),
                1 + random.nextInt(12),
                1 + random.nextInt(31),
                random.nextBoolean() ? "T" : "t",
                random.nextInt(24),
                random.nextInt(60),
                random.nextInt(60)));
    if (random.nextBoolean()) {
      text.append('.');
      int digits = 1 + random.nextInt(9);
      for (int d = 0; d < digits; d++) {
        text.append(random.nextInt(10));
      }
    }
    switch (random.nextInt(3)) {
      case 0:
        text.append(random.nextBoolean() ? 'Z' : 'z');
        break;
      default:
        text.append(
            String.format(
                Locale.ROOT,
                "%s%02d:%02d",
                random.nextBoolean() ? "+" : "-",
                random.nextInt(24),
                random.nextInt(60)));
    }
    return text.toString();
  }

  /**
   * The instant java.time reads. RFC 3339 allows offsets up to ±23:59 but {@code ZoneOffset} stops
   * at ±18:00, so the offset is applied by hand to the local date-time java.time reads.
   */
  private static Instant javaTime(String text) {
    int zone = Math.max(text.lastIndexOf('+'), Math.max(text.lastIndexOf('-'), 0));
    boolean utc = zone < 10;
    String local = utc ? text.substring(0, text.length() - 1) : text.substring(0, zone);
    try {
      LocalDateTime dateTime = LocalDateTime.parse(local, DateTimeFormatter.ISO_LOCAL_DATE_TIME);
      long offset =
          utc
              ? 0
              : (text.charAt(zone) == '+' ? 1 : -1)
                  * (Integer.parseInt(text.substring(zone + 1, zone + 3)) * 3600L
                      + Integer.parseInt(text.substring(zone + 4, zone + 6)) * 60L);
      return dateTime.toInstant(ZoneOffset.UTC).minusSeconds(offset);
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
