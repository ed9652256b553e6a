package dev.tally.streams;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.streams.query.MetricStores;
import dev.tally.streams.store.Cumulative;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.errors.InvalidStateStoreException;

/** Reads a running instance's totals once it has counted every produced record. */
final class CountedTotals {
  private CountedTotals() {}

  /**
   * Waits until {@code tally_events_consumed_total} reaches {@code expected}, then returns every
   * cumulative series by its printed key (Tally's own series summed over tasks). Fails as soon as
   * more records than produced are counted.
   */
  static Map<String, Cumulative> await(MetricStores stores, long expected, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    double consumed = -1;
    while (System.nanoTime() < deadline) {
      try {
        Map<String, Cumulative> totals = new HashMap<>();
        stores.forEachCumulative(
            (k, v) ->
                totals.merge(
                    k.toString(),
                    v,
                    (a, b) -> {
                      a.aggregate().merge(b.aggregate());
                      return a;
                    }));
        consumed = sum(totals, "tally_events_consumed_total");
        if (consumed == expected) {
          return totals;
        }
        assertThat(consumed).as("consumed more than produced").isLessThanOrEqualTo(expected);
      } catch (InvalidStateStoreException rebalancing) {
        // Stores are not queryable while the instance rebalances or restores; ask again.
      }
      Thread.sleep(500);
    }
    throw new AssertionError("only " + consumed + " of " + expected + " events counted in time");
  }

  /** The sum of every series of a counter metric. */
  static double sum(Map<String, Cumulative> totals, String metric) {
    return totals.entrySet().stream()
        .filter(e -> e.getKey().startsWith(metric + "{"))
        .mapToDouble(e -> e.getValue().aggregate().total())
        .sum();
  }
}
