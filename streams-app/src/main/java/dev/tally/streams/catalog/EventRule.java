package dev.tally.streams.catalog;

import java.util.List;

/**
 * How one event type feeds a metric: which events match, which number they contribute, and where
 * the labels come from.
 *
 * @param eventType wire type, e.g. {@code delivery.delivered}
 * @param when all conditions must hold for the event to count
 * @param valueField field holding the value (histogram observation, gauge sample, counter
 *     increment); null means the constant {@code constant}
 * @param constant the value when {@code valueField} is null (1 for "count the event")
 * @param scale multiplier applied to the value, e.g. 0.001 to turn milliseconds into seconds
 */
public record EventRule(
    String eventType, List<Condition> when, String valueField, double constant, double scale) {}
