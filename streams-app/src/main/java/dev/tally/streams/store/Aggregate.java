package dev.tally.streams.store;

import dev.tally.streams.histogram.Histogram;
import dev.tally.streams.histogram.HistogramLayout;
import java.util.Objects;

/**
 * What one series accumulated over some span (a window, a flush interval, all time): the number of
 * events and either a counter total or a histogram. Mutable so that aggregators can fold in place;
 * merging is exact and order-independent for the counts.
 */
public final class Aggregate {
  private long events;
  private double total;
  private final Histogram histogram;

  private Aggregate(long events, double total, Histogram histogram) {
    this.events = events;
    this.total = total;
    this.histogram = histogram;
  }

  public static Aggregate counter() {
    return new Aggregate(0, 0, null);
  }

  /** A counter that counted {@code events} events of one each. */
  public static Aggregate count(long events) {
    return new Aggregate(events, events, null);
  }

  public static Aggregate histogram(HistogramLayout layout) {
    return new Aggregate(0, 0, Histogram.empty(layout));
  }

  static Aggregate of(long events, double total, Histogram histogram) {
    return new Aggregate(events, total, histogram);
  }

  /** Counts one event that adds {@code amount} to a counter. */
  public void add(double amount) {
    events++;
    total += amount;
  }

  /** Counts one event observing {@code value} in the histogram. */
  public void observe(double value) {
    events++;
    histogram.observe(value);
  }

  /** Adds {@code other} (same kind) into this aggregate. */
  public void merge(Aggregate other) {
    if ((histogram == null) != (other.histogram == null)) {
      throw new IllegalArgumentException("cannot merge a counter with a histogram");
    }
    events += other.events;
    total += other.total;
    if (histogram != null) {
      histogram.merge(other.histogram);
    }
  }

  public Aggregate copy() {
    return new Aggregate(events, total, histogram == null ? null : histogram.copy());
  }

  public boolean isHistogram() {
    return histogram != null;
  }

  /** Events folded into this aggregate. */
  public long events() {
    return events;
  }

  /** Counter total (counters only). */
  public double total() {
    return total;
  }

  /** The histogram (histograms only, otherwise null). */
  public Histogram histogram() {
    return histogram;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Aggregate a
        && events == a.events
        && Double.compare(total, a.total) == 0
        && Objects.equals(histogram, a.histogram);
  }

  @Override
  public int hashCode() {
    return Objects.hash(events, total, histogram);
  }

  @Override
  public String toString() {
    return histogram == null
        ? "Aggregate{events=" + events + ", total=" + total + "}"
        : "Aggregate{events=" + events + ", histogram count=" + histogram.count() + "}";
  }
}
