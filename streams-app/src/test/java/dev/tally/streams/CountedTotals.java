package dev.tally.streams;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.streams.query.CumulativeValue;
import dev.tally.streams.query.MetricStores;
import dev.tally.streams.query.SeriesSelector;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.streams.errors.InvalidStateStoreException;

/** Reads a running instance's totals once it has counted every produced record. */
final class CountedTotals {
  private CountedTotals() {}

  /**
   * Waits until {@code tally_events_consumed_total} reaches {@code expected} and {@code settled}
   * holds, then returns every cumulative series by its printed key (Tally's own series summed over
   * tasks). Records are counted on one owner task and the series they feed on others, so those may
   * trail the record count by a commit. Fails as soon as more records than produced are counted;
   * when the time is up with every record counted, returns the last read for the caller's
   * assertions to say what differs.
   */
  static Map<String, CumulativeValue> await(
      MetricStores stores,
      long expected,
      Duration timeout,
      Predicate<Map<String, CumulativeValue>> settled)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    double consumed = -1;
    Map<String, CumulativeValue> last = Map.of();
    while (System.nanoTime() < deadline) {
      try {
        Map<String, CumulativeValue> totals = new HashMap<>();
        stores.cumulative(
            SeriesSelector.ALL,
            (k, v) ->
                totals.merge(
                    k.toString(),
                    v,
                    (a, b) ->
                        new CumulativeValue(
                            a.createdMs(), a.updatedMs(), a.seenMs(), a.value().plus(b.value()))));
        consumed = sum(totals, "tally_events_consumed_total");
        last = totals;
        if (consumed == expected && settled.test(totals)) {
          return totals;
        }
        assertThat(consumed).as("consumed more than produced").isLessThanOrEqualTo(expected);
      } catch (InvalidStateStoreException rebalancing) {
        // Stores are not queryable while the instance rebalances or restores; ask again.
      }
      Thread.sleep(500);
    }
    if (consumed == expected) {
      return last;
    }
    throw new AssertionError("only " + consumed + " of " + expected + " events counted in time");
  }

  /** Whether every expected counter total is reached exactly. */
  static Predicate<Map<String, CumulativeValue>> reached(Map<String, Double> expected) {
    return totals ->
        expected.entrySet().stream()
            .allMatch(
                e ->
                    totals.containsKey(e.getKey())
                        && totals.get(e.getKey()).value().total() == e.getValue());
  }

  /** The sum of every series of a counter metric. */
  static double sum(Map<String, CumulativeValue> totals, String metric) {
    return totals.entrySet().stream()
        .filter(e -> e.getKey().startsWith(metric + "{"))
        .mapToDouble(e -> e.getValue().value().total())
        .sum();
  }
}
