package dev.tally.schemas.json;

/** How {@link EventJson} writes the {@code timestamp} field. Tally reads both. */
public enum TimestampFormat {
  /** An RFC 3339 string in UTC, e.g. {@code 2026-11-23T12:00:00.123Z}; keeps every digit. */
  RFC3339,
  /** Integer milliseconds since the epoch; drops anything finer than a millisecond. */
  EPOCH_MILLIS
}
