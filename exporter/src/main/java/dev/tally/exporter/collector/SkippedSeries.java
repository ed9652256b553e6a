package dev.tally.exporter.collector;

import dev.tally.exporter.exposition.Names;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import java.time.Clock;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts the series a scrape left out, by metric and reason, so that a broken series shows up as
 * {@code tally_scrape_series_skipped_total} instead of failing the whole scrape. Thread-safe: two
 * scrapes may run at once.
 */
final class SkippedSeries {
  static final String NAME = "tally_scrape_series_skipped_total";
  private static final Logger LOG = LoggerFactory.getLogger(SkippedSeries.class);

  /** Why a series was left out of a scrape. */
  enum Reason {
    /** The stores hold a series of a metric the catalog does not define (any more). */
    UNKNOWN_METRIC,
    /** The stored aggregate is not of the catalog's type (a histogram for a counter, say). */
    TYPE_MISMATCH,
    /** The value cannot be exposed: NaN, infinite, or a negative counter. */
    INVALID_VALUE,
    /** A second series with the same labels in one metric; the first one is kept. */
    DUPLICATE_SERIES,
    /** Another family of the same exposed name came first (e.g. one of Tally's own). */
    NAME_CLASH,
    /** Converting the series failed in an unexpected way. */
    CONVERSION_ERROR;

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private record Key(String metric, Reason reason) {}

  private record Count(AtomicLong value, long createdMs) {}

  private final Clock clock;
  private final Map<Key, Count> counts = new ConcurrentHashMap<>();

  SkippedSeries(Clock clock) {
    this.clock = clock;
  }

  void skip(String metric, Reason reason, String series, Throwable cause) {
    Count count =
        counts.computeIfAbsent(
            new Key(metric, reason),
            k -> {
              // Once per metric and reason: a broken series is skipped on every scrape, and one
              // line tells the operator as much as a thousand would.
              LOG.warn(
                  "Leaving {} out of /metrics ({}); counted in {}",
                  series,
                  reason.label(),
                  NAME,
                  cause);
              return new Count(new AtomicLong(), clock.millis());
            });
    count.value().incrementAndGet();
  }

  /** The counter family, or null when nothing was ever skipped. */
  CounterSnapshot snapshot() {
    if (counts.isEmpty()) {
      return null;
    }
    CounterSnapshot.Builder family =
        CounterSnapshot.builder()
            .name(Names.counterBaseName(NAME))
            .help("Series left out of a scrape because they could not be exposed, by reason.");
    counts.forEach(
        (key, count) ->
            family.dataPoint(
                CounterSnapshot.CounterDataPointSnapshot.builder()
                    .labels(Labels.of("metric", key.metric(), "reason", key.reason().label()))
                    .value(count.value().get())
                    .createdTimestampMillis(count.createdMs())
                    .build()));
    return family.build();
  }
}
