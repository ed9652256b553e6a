package dev.tally.streams.query;

import dev.tally.streams.histogram.HistogramView;
import dev.tally.streams.store.Aggregate;
import java.util.Objects;

/**
 * What a series accumulated over a span (a window, all time), as the read side sees it: immutable.
 * Combining two values ({@link #plus}) makes a new one; merges are exact and order-independent, as
 * {@link Aggregate}'s are (counter totals are exact sums, histograms merge bucket by bucket).
 */
public final class AggregateValue {
  private final Aggregate aggregate;

  private AggregateValue(Aggregate aggregate) {
    this.aggregate = aggregate;
  }

  /**
   * Wraps {@code aggregate}, which the caller hands over: nobody may change it afterwards (a value
   * freshly decoded from a store, or a copy).
   */
  public static AggregateValue of(Aggregate aggregate) {
    return new AggregateValue(Objects.requireNonNull(aggregate, "aggregate"));
  }

  /**
   * A new value holding both; throws {@link IllegalArgumentException} for a counter + histogram.
   */
  public AggregateValue plus(AggregateValue other) {
    Aggregate sum = aggregate.copy();
    sum.merge(other.aggregate);
    return new AggregateValue(sum);
  }

  /** Events folded in. */
  public long events() {
    return aggregate.events();
  }

  public boolean isHistogram() {
    return aggregate.isHistogram();
  }

  /** A counter's total, rounded once from the exact sum; 0 for a histogram. */
  public double total() {
    return aggregate.total();
  }

  /** The histogram (histograms only, otherwise null). */
  public HistogramView histogram() {
    return aggregate.histogram();
  }

  /** A copy to change or serialize; this value stays as it is. */
  public Aggregate toAggregate() {
    return aggregate.copy();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AggregateValue v && aggregate.equals(v.aggregate);
  }

  @Override
  public int hashCode() {
    return aggregate.hashCode();
  }

  @Override
  public String toString() {
    return aggregate.toString();
  }
}
