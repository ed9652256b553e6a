package dev.tally.schemas;

import java.util.Objects;

/** Invariants shared by the event records. */
final class Events {
  private Events() {}

  static Envelope requireType(Envelope envelope, EventType expected) {
    Objects.requireNonNull(envelope, "envelope");
    if (envelope.type() != expected) {
      throw new IllegalArgumentException(
          "envelope type " + envelope.type() + " does not match event type " + expected);
    }
    return envelope;
  }
}
