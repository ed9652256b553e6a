package dev.tally.streams.store;

import dev.tally.streams.histogram.ExactSum;
import dev.tally.streams.histogram.Histogram;
import dev.tally.streams.histogram.HistogramLayout;
import java.util.Objects;

/**
 * What one series accumulated over some span (a window, a flush interval, all time): the number of
 * events and either a counter total or a histogram. Mutable so that aggregators can fold in place;
 * merging is exact and order-independent: counter totals are exact sums ({@link ExactSum}), so
 * integer increments add up to the exact integer whatever the order of flushes and merges, and the
 * total is rounded to a double only when it is read.
 */
public final class Aggregate {
  private long events;
  private final ExactSum total;
  private final Histogram histogram;

  private Aggregate(long events, ExactSum total, Histogram histogram) {
    this.events = events;
    this.total = total;
    this.histogram = histogram;
  }

  public static Aggregate counter() {
    return new Aggregate(0, new ExactSum(), null);
  }

  /** A counter that counted {@code events} events of one each. */
  public static Aggregate count(long events) {
    Aggregate count = counter();
    if (events > 0) {
      count.total.add(1, events);
    }
    count.events = events;
    return count;
  }

  public static Aggregate histogram(HistogramLayout layout) {
    return new Aggregate(0, null, Histogram.empty(layout));
  }

  static Aggregate counter(long events, ExactSum total) {
    return new Aggregate(events, total, null);
  }

  static Aggregate histogram(long events, Histogram histogram) {
    return new Aggregate(events, null, histogram);
  }

  /**
   * Counts one event that adds the integer {@code amount} to a counter, exactly: a long beyond 2^53
   * is added as two doubles that each hold their bits exactly.
   */
  public void add(long amount) {
    events++;
    long high = amount & 0xFFFF_FFFF_0000_0000L;
    total.add((double) high, 1);
    total.add((double) (amount - high), 1);
  }

  /** Counts one event that adds {@code amount} (finite) to a counter. */
  public void add(double amount) {
    events++;
    total.add(amount, 1);
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
    if (total != null) {
      total.addAll(other.total);
    }
    if (histogram != null) {
      histogram.merge(other.histogram);
    }
  }

  public Aggregate copy() {
    return new Aggregate(
        events, total == null ? null : total.copy(), histogram == null ? null : histogram.copy());
  }

  public boolean isHistogram() {
    return histogram != null;
  }

  /** Events folded into this aggregate. */
  public long events() {
    return events;
  }

  /** Counter total rounded to the nearest double (counters only; 0 for histograms). */
  public double total() {
    return total == null ? 0 : total.toDouble();
  }

  /** The exact counter total (counters only, otherwise null); do not change it. */
  public ExactSum exactTotal() {
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
        && Objects.equals(total, a.total)
        && Objects.equals(histogram, a.histogram);
  }

  @Override
  public int hashCode() {
    return Objects.hash(events, total, histogram);
  }

  @Override
  public String toString() {
    return histogram == null
        ? "Aggregate{events=" + events + ", total=" + total() + "}"
        : "Aggregate{events=" + events + ", histogram count=" + histogram.count() + "}";
  }
}
