package dev.tally.streams.store;

/**
 * A gauge series in one window: its value (the sum over its live sources, as {@code /metrics}
 * exports it) as the owner computed it after each update that fell into the window.
 *
 * @param last the value after the update with the latest event time in the window
 * @param lastEventTimeMs that update's event time (epoch ms)
 * @param max the highest value after any update in the window
 */
public record GaugeWindow(double last, long lastEventTimeMs, double max) {

  /** The window after one more update leaving the series at {@code value}. */
  public GaugeWindow with(double value, long eventTimeMs) {
    boolean later = eventTimeMs >= lastEventTimeMs;
    return new GaugeWindow(
        later ? value : last, later ? eventTimeMs : lastEventTimeMs, Math.max(max, value));
  }

  /** The window of a first update. */
  public static GaugeWindow of(double value, long eventTimeMs) {
    return new GaugeWindow(value, eventTimeMs, value);
  }
}
