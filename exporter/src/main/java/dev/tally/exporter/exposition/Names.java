package dev.tally.exporter.exposition;

import io.prometheus.metrics.model.snapshots.Unit;

/** How catalog names and units map onto client_java's snapshot metadata. */
public final class Names {
  private static final String TOTAL = "_total";

  private Names() {}

  /**
   * The catalog names counters as they are exposed ({@code ack_received_total}); client_java wants
   * the name without {@code _total} and appends it itself. Passing the full name would also append
   * the unit after {@code _total} for counters with a unit.
   */
  public static String counterBaseName(String name) {
    return name.endsWith(TOTAL) ? name.substring(0, name.length() - TOTAL.length()) : name;
  }

  /** client_java's unit for the catalog's ({@code null} where the catalog sets none). */
  public static Unit unit(String unit) {
    return unit == null ? null : new Unit(unit);
  }
}
