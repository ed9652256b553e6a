package dev.tally.streams.catalog;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A derived ratio computed per closed window from windowed counters, e.g. the ACK-timeout ratio
 * {@code ack_timeouts / (acks + ack_timeouts)} per service.
 *
 * @param by labels the ratio keeps; series of the terms are summed over the other labels
 * @param window resolution of the windows it is computed on
 * @param scale multiplier (100 for a percentage)
 */
public record RatioDefinition(
    String name,
    String help,
    List<Term> numerator,
    List<Term> denominator,
    List<String> by,
    Duration window,
    double scale) {

  /** A counter metric, optionally restricted to series whose labels take the listed values. */
  public record Term(String metric, Map<String, List<String>> where) {}
}
