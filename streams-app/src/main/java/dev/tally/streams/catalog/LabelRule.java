package dev.tally.streams.catalog;

/**
 * Where one label of a series comes from.
 *
 * @param name the Prometheus label name
 * @param source an event field ({@code reason}), an envelope field ({@code service}, {@code
 *     instance}, {@code type}) or an event label ({@code labels.region})
 * @param templatePath replace numeric and UUID path segments by {@code :id} (HTTP routes), so a raw
 *     path cannot explode the series count
 */
public record LabelRule(String name, String source, boolean templatePath) {}
