package dev.tally.streams.catalog;

/**
 * Where one label of a series comes from.
 *
 * @param name the Prometheus label name
 * @param source an event field ({@code reason}), an envelope field ({@code service}, {@code
 *     instance}, {@code type}) or an event label ({@code labels.region})
 * @param pathIds when not null, the value is a path made a route template: segments that fully
 *     match this regex become {@code :id} (HTTP routes), so a raw path cannot explode the series
 *     count; a route sent as a template is kept as sent
 */
public record LabelRule(String name, String source, String pathIds) {
  /** The default id segments of a path: a number, a UUID, or 16 or more hex digits. */
  public static final String DEFAULT_PATH_IDS =
      "\\d+|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
          + "|[0-9a-fA-F]{16,}";

  /** A label taken as it is. */
  public static LabelRule plain(String name, String source) {
    return new LabelRule(name, source, null);
  }
}
