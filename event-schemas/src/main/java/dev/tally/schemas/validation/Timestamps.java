package dev.tally.schemas.validation;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;

/** Reads RFC 3339 timestamps exactly as the published schema describes them. */
final class Timestamps {

  /** The same pattern as {@code rfc3339} in common.schema.json. */
  static final Pattern RFC3339 =
      Pattern.compile(
          "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[Tt]([01][0-9]|2[0-3]):[0-5][0-9]"
              + ":[0-5][0-9](\\.[0-9]{1,9})?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$");

  private Timestamps() {}

  /**
   * The instant an RFC 3339 date-time names, or {@code null} when the string is not one (wrong
   * shape, or a date the calendar does not have such as 2026-02-30).
   */
  static Instant parseRfc3339(String text) {
    if (!RFC3339.matcher(text).matches()) {
      return null;
    }
    try {
      return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
