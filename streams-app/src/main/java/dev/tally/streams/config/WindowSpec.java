package dev.tally.streams.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One windowed resolution: tumbling windows of {@code size}, kept for {@code retention}.
 *
 * <p>Every size must divide every larger size so that a partial aggregate of the finest window adds
 * exactly into the coarser windows that contain it.
 */
public record WindowSpec(Duration size, Duration retention) {
  /** The most resolutions {@code windows} may list. */
  public static final int MAX_RESOLUTIONS = 30;

  /** The store-name suffix, e.g. {@code 10s}, {@code 1m}, {@code 1h}. */
  public String label() {
    return Durations.format(size);
  }

  /**
   * Parses {@code 10s:2h,1m:48h,1h:30d} (size:retention pairs, finest first).
   *
   * @throws InvalidConfigException naming {@code key} when the list is malformed
   */
  public static List<WindowSpec> parseList(String key, String text) {
    List<WindowSpec> specs = new ArrayList<>();
    for (String part : text.split(",")) {
      String[] sizeAndRetention = part.trim().split(":");
      if (sizeAndRetention.length != 2) {
        throw new InvalidConfigException(
            key, "'" + part.trim() + "' is not size:retention (e.g. 10s:2h)");
      }
      Duration size = Durations.parse(key, sizeAndRetention[0]);
      Duration retention = Durations.parse(key, sizeAndRetention[1]);
      if (size.isZero() || retention.compareTo(size) < 0) {
        throw new InvalidConfigException(
            key, "window " + part.trim() + " must have a size > 0 and retention >= size");
      }
      specs.add(new WindowSpec(size, retention));
    }
    // Partials carry the resolutions that take them as bits of an int (Lateness).
    if (specs.size() > MAX_RESOLUTIONS) {
      throw new InvalidConfigException(
          key, "at most " + MAX_RESOLUTIONS + " resolutions, got " + specs.size());
    }
    for (int i = 1; i < specs.size(); i++) {
      long finer = specs.get(i - 1).size().toMillis();
      long coarser = specs.get(i).size().toMillis();
      if (coarser <= finer || coarser % finer != 0) {
        throw new InvalidConfigException(
            key,
            "window sizes must grow and each must be a multiple of the previous one ("
                + specs.get(i - 1).label()
                + " then "
                + specs.get(i).label()
                + ")");
      }
    }
    return List.copyOf(specs);
  }
}
