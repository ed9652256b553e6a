package dev.tally.streams.config;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the short duration syntax used in Tally's configuration: {@code 500ms, 30s, 5m, 2h, 30d}.
 */
public final class Durations {
  private static final Pattern SYNTAX = Pattern.compile("(\\d+)(ms|s|m|h|d)");

  private Durations() {}

  /**
   * Parses {@code text}; the key names the setting in the error message.
   *
   * <pre>{@code Durations.parse("window.grace", "30s") // PT30S}</pre>
   */
  public static Duration parse(String key, String text) {
    if (text.trim().equals("0")) {
      return Duration.ZERO; // a zero needs no unit
    }
    Matcher m = SYNTAX.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new InvalidConfigException(
          key, "'" + text + "' is not a duration (use e.g. 0, 500ms, 30s, 5m, 2h, 30d)");
    }
    try {
      long amount = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(amount);
        case "s" -> Duration.ofSeconds(amount);
        case "m" -> Duration.ofMinutes(amount);
        case "h" -> Duration.ofHours(amount);
        default -> Duration.ofDays(amount);
      };
    } catch (NumberFormatException | ArithmeticException e) {
      throw new InvalidConfigException(key, "'" + text + "' is too long a duration");
    }
  }

  /** The shortest text that {@link #parse} reads back as {@code d}, e.g. {@code 10s}. */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms % 86_400_000L == 0 && ms > 0) {
      return ms / 86_400_000L + "d";
    }
    if (ms % 3_600_000L == 0 && ms > 0) {
      return ms / 3_600_000L + "h";
    }
    if (ms % 60_000L == 0 && ms > 0) {
      return ms / 60_000L + "m";
    }
    if (ms % 1000L == 0 && ms > 0) {
      return ms / 1000L + "s";
    }
    return ms + "ms";
  }
}
