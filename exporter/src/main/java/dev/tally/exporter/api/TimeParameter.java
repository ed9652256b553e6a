package dev.tally.exporter.api;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the query API's times: RFC 3339 ({@code 2026-11-30T11:00:00Z}, {@code
 * 2026-11-30T12:00:00.5+01:00}), epoch milliseconds ({@code 1764500400000}), {@code now}, or a
 * duration before now ({@code -1h}, {@code -15m}, {@code -30s}, {@code -2d}, {@code -500ms}; also
 * written {@code now-1h}).
 */
final class TimeParameter {
  private static final Pattern RELATIVE = Pattern.compile("(?:now)?-(\\d{1,12})(ms|s|m|h|d)");
  private static final Pattern EPOCH_MS = Pattern.compile("\\d{1,15}");

  private TimeParameter() {}

  /**
   * @return epoch milliseconds
   * @throws QueryException 400 naming {@code parameter} for anything else
   */
  static long parse(String parameter, String text, long nowMs) {
    long ms;
    try {
      ms = parseUnchecked(parameter, text, nowMs);
    } catch (ArithmeticException | java.time.DateTimeException e) {
      ms = -1; // beyond what a long of milliseconds holds
    }
    if (ms < 0 || ms > LATEST) {
      throw QueryException.badParameter(
          parameter,
          parameter
              + " must lie between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z; got '"
              + text
              + "'");
    }
    return ms;
  }

  /**
   * 9999-12-31T23:59:59.999Z: no later time is asked for in earnest, and it keeps sums in range.
   */
  static final long LATEST = 253_402_300_799_999L;

  private static long parseUnchecked(String parameter, String text, long nowMs) {
    String t = text.trim();
    if (t.equals("now")) {
      return nowMs;
    }
    Matcher relative = RELATIVE.matcher(t);
    if (relative.matches()) {
      long amount = Long.parseLong(relative.group(1));
      Duration d =
          switch (relative.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
          };
      return Math.subtractExact(nowMs, d.toMillis());
    }
    if (EPOCH_MS.matcher(t).matches()) {
      return Long.parseLong(t);
    }
    try {
      return OffsetDateTime.parse(t).toInstant().toEpochMilli();
    } catch (DateTimeParseException e) {
      throw QueryException.badParameter(
          parameter,
          parameter
              + " must be RFC 3339 (2026-11-30T11:00:00Z), epoch milliseconds, now, or relative"
              + " (-1h, -15m, -30s, -2d); got '"
              + text
              + "'");
    }
  }

  /** RFC 3339 in UTC, as the answers print times. */
  static String format(long epochMs) {
    return Instant.ofEpochMilli(epochMs).toString();
  }
}
