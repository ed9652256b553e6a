package dev.tally.streams.load;

import java.util.Map;

/**
 * One generated input record with the facts it was generated from, so that a test or benchmark can
 * compute the expected totals without going through Tally's own parser and catalog.
 *
 * @param type wire type, or null for a record that is not an event at all
 * @param fields the type's own fields as written (numbers, strings, booleans)
 * @param expectedReason the reason code Tally must reject it with, or null for a valid event
 */
public record GeneratedEvent(
    String topic,
    String type,
    String service,
    String instance,
    long timestampMs,
    Map<String, Object> fields,
    byte[] json,
    String expectedReason) {

  public boolean valid() {
    return expectedReason == null;
  }
}
