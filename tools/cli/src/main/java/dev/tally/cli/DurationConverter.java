package dev.tally.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Reads durations the way people type them: {@code 250ms}, {@code 30s}, {@code 5m}, {@code 2h}. */
final class DurationConverter implements ITypeConverter<Duration> {
  private static final Pattern SIMPLE = Pattern.compile("(\\d+)(ms|s|m|h|d)");

  @Override
  public Duration convert(String text) {
    Duration duration = parse(text.trim().toLowerCase(Locale.ROOT));
    if (duration == null) {
      throw new TypeConversionException(
          "'" + text + "' is not a duration; use a number and a unit, e.g. 30s, 5m or 1h");
    }
    if (duration.isZero() || duration.isNegative()) {
      throw new TypeConversionException("'" + text + "' is not a positive duration");
    }
    return duration;
  }

  /** {@code 30s}, {@code 5m}, {@code 1h30m}: the form people type, for messages. */
  static String format(Duration duration) {
    return duration.toString().substring(2).toLowerCase(Locale.ROOT);
  }

  private static Duration parse(String text) {
    Matcher simple = SIMPLE.matcher(text);
    if (simple.matches()) {
      try {
        long amount = Long.parseLong(simple.group(1));
        return switch (simple.group(2)) {
          case "ms" -> Duration.ofMillis(amount);
          case "s" -> Duration.ofSeconds(amount);
          case "m" -> Duration.ofMinutes(amount);
          case "h" -> Duration.ofHours(amount);
          default -> Duration.ofDays(amount);
        };
      } catch (ArithmeticException | NumberFormatException e) {
        return null;
      }
    }
    // ISO-8601 as well (PT1M30S), for people who already have a value in that form.
    try {
      return Duration.parse(text.toUpperCase(Locale.ROOT));
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
