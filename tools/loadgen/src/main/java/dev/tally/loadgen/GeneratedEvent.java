package dev.tally.loadgen;

import java.util.Map;

/**
 * One generated input record with the facts it was generated from, so that a test, a benchmark or
 * {@link GroundTruth} can work out the expected totals without going through Tally's own parser and
 * catalog.
 *
 * @param topic the topic it is sent to
 * @param type wire type, or null for a record that is not an event at all
 * @param service the emitting service
 * @param instance the emitting instance; also the record key, so that one source stays on one
 *     partition (lateness and re-sends are judged per partition)
 * @param timestampMs the event's {@code timestamp}
 * @param fields the type's own fields as written (numbers, strings, booleans)
 * @param json the record value
 * @param expectedReason the reason code Tally must reject it with, or null for a valid event
 * @param resent whether this is a second copy of a valid event already generated (same event_id)
 */
public record GeneratedEvent(
    String topic,
    String type,
    String service,
    String instance,
    long timestampMs,
    Map<String, Object> fields,
    byte[] json,
    String expectedReason,
    boolean resent) {

  /** A first copy. */
  public GeneratedEvent(
      String topic,
      String type,
      String service,
      String instance,
      long timestampMs,
      Map<String, Object> fields,
      byte[] json,
      String expectedReason) {
    this(topic, type, service, instance, timestampMs, fields, json, expectedReason, false);
  }

  public boolean valid() {
    return expectedReason == null;
  }

  /** The same record sent again, as a producer re-sends after a timeout. */
  public GeneratedEvent again() {
    return new GeneratedEvent(
        topic, type, service, instance, timestampMs, fields, json, expectedReason, true);
  }

  /** The record key: the instance, so that one source's events keep their order. */
  public byte[] key() {
    return instance.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }
}
