package dev.tally.schemas;

import java.util.Objects;
import java.util.Optional;

/**
 * One observation of a named metric, for measurements no other event type covers.
 *
 * <p>Wire type {@code metric.sample}; see {@link EventType#METRIC_SAMPLE}.
 *
 * @param envelope the fields shared by every event
 * @param name a Prometheus metric name, {@code [a-zA-Z_:][a-zA-Z0-9_:]*}
 * @param kind how Tally aggregates the value
 * @param value the increment (counter, at least 0), the current value (gauge) or the observation
 *     (histogram)
 * @param unit the unit of the value, e.g. {@code seconds}, or {@code null}
 */
public record MetricSample(Envelope envelope, String name, Kind kind, double value, String unit)
    implements Event {
  public MetricSample {
    envelope = Events.requireType(envelope, EventType.METRIC_SAMPLE);
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(kind, "kind");
  }

  /** How Tally aggregates a sample, lower case on the wire. */
  public enum Kind {
    COUNTER("counter"),
    GAUGE("gauge"),
    HISTOGRAM("histogram");

    private final String wireName;

    Kind(String wireName) {
      this.wireName = wireName;
    }

    /** The value on the wire. */
    public String wireName() {
      return wireName;
    }

    /** The constant with the given wire name; wire names are case-sensitive. */
    public static Optional<Kind> fromWireName(String wireName) {
      for (Kind value : values()) {
        if (value.wireName.equals(wireName)) {
          return Optional.of(value);
        }
      }
      return Optional.empty();
    }
  }
}
