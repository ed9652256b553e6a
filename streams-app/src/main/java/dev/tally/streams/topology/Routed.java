package dev.tally.streams.topology;

import dev.tally.streams.store.Partial;

/** What the event router emits: a rejected record for the DLQ, or a partial for a series owner. */
sealed interface Routed {
  /** The original bytes of a rejected record; the reason travels in the record headers. */
  record DeadLetter(byte[] key, byte[] value) implements Routed {}

  /** A pre-aggregated partial; the record key is its series. */
  record SeriesPartial(Partial partial) implements Routed {}
}
