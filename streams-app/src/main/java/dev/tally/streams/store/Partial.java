package dev.tally.streams.store;

/**
 * A pre-aggregated contribution to one series, sent from the task that read the events to the task
 * that owns the series. Partials, not single events, cross the repartition topic.
 */
public sealed interface Partial {

  /** Latest event time of the partial; the record time it is sent with. */
  long eventTimeMs();

  /**
   * Events of one series in one finest-resolution window.
   *
   * @param windows the resolutions whose windows take these events, a bit set over {@code windows}
   *     (finest first); 0 for totals only (late events, Tally's own counters)
   */
  record Window(long windowStartMs, long eventTimeMs, int windows, Aggregate aggregate)
      implements Partial {}

  /**
   * Gauge samples of one series from one source. A delta partial carries the sum of its deltas; a
   * last-value partial the sample with the latest event time.
   */
  record Gauge(String source, boolean delta, double value, long eventTimeMs, long seenMs)
      implements Partial {
    public Gauge merge(Gauge later) {
      long seen = Math.max(seenMs, later.seenMs);
      if (delta) {
        return new Gauge(
            source, true, value + later.value, Math.max(eventTimeMs, later.eventTimeMs), seen);
      }
      // Last value by event time; on a tie the sample read later wins.
      Gauge last = later.eventTimeMs >= eventTimeMs ? later : this;
      return new Gauge(source, false, last.value, last.eventTimeMs, seen);
    }
  }

  /**
   * A source (service/instance) sent an event at {@code seenMs} (Tally's clock): keeps its gauges
   * live. Sent to every owner partition, since its gauges may live on any of them.
   */
  record Seen(String source, long seenMs) implements Partial {
    @Override
    public long eventTimeMs() {
      return seenMs;
    }
  }
}
