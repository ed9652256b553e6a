package dev.tally.schemas.validation;

import java.time.Instant;
import java.time.LocalDate;
import java.time.Month;
import java.time.Year;
import java.util.regex.Pattern;

/** Reads RFC 3339 timestamps exactly as the published schema describes them. */
final class Timestamps {

  /** The same pattern as {@code rfc3339} in common.schema.json. */
  static final Pattern RFC3339 =
      Pattern.compile(
          "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[Tt]([01][0-9]|2[0-3]):[0-5][0-9]"
              + ":[0-5][0-9](\\.[0-9]{1,9})?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$");

  private static final int SECONDS_PER_DAY = 86_400;

  private Timestamps() {}

  /**
   * The instant an RFC 3339 date-time names, or {@code null} when the string is not one (wrong
   * shape, or a date the calendar does not have such as 2026-02-30).
   */
  static Instant parseRfc3339(String text) {
    if (!RFC3339.matcher(text).matches()) {
      return null;
    }
    // The pattern fixed every position and range; what is left is arithmetic, done by hand
    // because this runs for every event and java.time's formatter costs several times more.
    int year = digits(text, 0, 4);
    int month = digits(text, 5, 7);
    int day = digits(text, 8, 10);
    if (day > Month.of(month).length(Year.isLeap(year))) {
      return null;
    }
    long seconds =
        LocalDate.of(year, month, day).toEpochDay() * SECONDS_PER_DAY
            + digits(text, 11, 13) * 3600L
            + digits(text, 14, 16) * 60L
            + digits(text, 17, 19);
    int i = 19;
    int nanos = 0;
    if (text.charAt(i) == '.') {
      int fractionDigits = 0;
      for (i++; Character.isDigit(text.charAt(i)); i++, fractionDigits++) {
        nanos = nanos * 10 + (text.charAt(i) - '0');
      }
      for (; fractionDigits < 9; fractionDigits++) {
        nanos *= 10;
      }
    }
    char zone = text.charAt(i);
    if (zone == '+' || zone == '-') {
      int offset = digits(text, i + 1, i + 3) * 3600 + digits(text, i + 4, i + 6) * 60;
      seconds -= zone == '+' ? offset : -offset;
    }
    return Instant.ofEpochSecond(seconds, nanos);
  }

  private static int digits(String text, int from, int to) {
    int value = 0;
    for (int i = from; i < to; i++) {
      value = value * 10 + (text.charAt(i) - '0');
    }
    return value;
  }
}
