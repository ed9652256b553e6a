package dev.tally.streams.topology;

import dev.tally.schemas.Envelope;
import dev.tally.schemas.Event;
import java.util.List;

/** What flows between the steps of the reading task: parse, map, dead-letter, pre-aggregate. */
sealed interface Checked {
  /**
   * An event that passed validation ({@link ParseStep}), not yet mapped; {@code value} is the
   * record's original bytes, for the dead-letter topic should mapping fail.
   */
  record Valid(byte[] value, Event event) implements Checked {}

  /** A valid event's series updates through the catalog ({@link MapStep}); may be empty. */
  record Mapped(Envelope envelope, List<SeriesUpdate> updates) implements Checked {}

  /**
   * A record Tally cannot count: it goes to the dead-letter topic as it came ({@code value}), with
   * {@code reason} (the primary reason code), {@code reasons} (every code, comma-separated) and
   * {@code message} in its headers.
   */
  record Invalid(byte[] value, String reason, String reasons, String message) implements Checked {}
}
