package dev.tally.cli;

import dev.tally.streams.config.Durations;
import dev.tally.streams.config.InvalidConfigException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Reads durations the way people type them: {@code 250ms}, {@code 30s}, {@code 5m}, {@code 2h}. */
final class DurationConverter implements ITypeConverter<Duration> {
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

  /** Tally's configuration syntax ({@link Durations}), or ISO-8601; null when neither. */
  private static Duration parse(String text) {
    try {
      return Durations.parse("duration", text);
    } catch (InvalidConfigException e) {
      // ISO-8601 as well (PT1M30S), for people who already have a value in that form.
      try {
        return Duration.parse(text.toUpperCase(Locale.ROOT));
      } catch (DateTimeParseException iso) {
        return null;
      }
    }
  }
}
