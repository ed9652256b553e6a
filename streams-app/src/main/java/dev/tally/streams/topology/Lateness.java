package dev.tally.streams.topology;

import dev.tally.streams.config.WindowSpec;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * Decides which windows an event still counts in. Lateness follows the data's own event time, per
 * source: an event is late for a window when its source (same input topic, {@code service} and
 * {@code instance}) already sent an event at least {@code window.grace} past that window's end.
 * Neither Tally's own records, nor other producers, nor the wall clock move a source's clock, so a
 * producer whose clock runs ahead only makes its own older events late, and a backlog that Tally
 * replays after a crash is judged exactly as it was the first time (the clocks are restored with
 * the input offsets under exactly-once).
 *
 * <p>One bound is the wall clock's: a window no longer kept ({@code retention} in {@code windows})
 * cannot take events. A window is refused when it started its retention minus {@code
 * event.max.future.skew} or longer before Tally's clock at arrival; the skew keeps the bound below
 * what the window store itself still accepts (its clock is the latest window start it was given, at
 * most the skew ahead of Tally's clock), so no event is dropped silently by the store.
 *
 * <p>The result is a bit set over {@code windows} (bit {@code i} for the {@code i}-th resolution,
 * finest first): set when the event counts in that resolution's window. An event is counted late
 * ({@code tally_late_events_total}) when it misses its finest window.
 */
final class Lateness {
  private final long[] sizesMs;
  private final long[] retentionsMs;
  private final long graceMs;
  private final long futureSkewMs;
  private final long longestRetentionMs;

  Lateness(List<WindowSpec> windows, Duration grace, Duration futureSkew) {
    sizesMs = windows.stream().mapToLong(w -> w.size().toMillis()).toArray();
    retentionsMs = windows.stream().mapToLong(w -> w.retention().toMillis()).toArray();
    graceMs = grace.toMillis();
    futureSkewMs = futureSkew.toMillis();
    longestRetentionMs = Arrays.stream(retentionsMs).max().orElse(0);
  }

  /** Every resolution: the mask of an event that is on time everywhere. */
  int all() {
    return (1 << sizesMs.length) - 1;
  }

  /**
   * @param eventTimeMs the event's own timestamp, epoch ms
   * @param sourceClockMs the latest event time its source sent before it, or {@link Long#MIN_VALUE}
   *     for a source not seen (within the longest retention)
   * @param arrivalMs Tally's clock when the event is processed, epoch ms
   * @return the resolutions whose window takes the event, as a bit set
   */
  int accepted(long eventTimeMs, long sourceClockMs, long arrivalMs) {
    int mask = 0;
    for (int i = 0; i < sizesMs.length; i++) {
      long start = Math.floorDiv(eventTimeMs, sizesMs[i]) * sizesMs[i];
      boolean closedForSource = start + sizesMs[i] + graceMs <= sourceClockMs;
      boolean expired = start <= arrivalMs + futureSkewMs - retentionsMs[i];
      if (!closedForSource && !expired) {
        mask |= 1 << i;
      }
    }
    return mask;
  }

  /**
   * Whether a source clock can be forgotten at {@code arrivalMs}: any event it would make late is
   * late by the retention bound anyway, so forgetting it changes no decision.
   */
  boolean forgettable(long sourceClockMs, long arrivalMs) {
    return sourceClockMs < arrivalMs + futureSkewMs - longestRetentionMs;
  }
}
