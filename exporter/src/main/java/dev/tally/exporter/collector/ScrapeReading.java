package dev.tally.exporter.collector;

import dev.tally.exporter.exposition.CatalogFamily;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.List;

/**
 * What one scrape read from the stores: Tally's own families, already client_java snapshots (a
 * handful of series), and the catalog's families as read, every series checked to be exposable. The
 * catalog part is where the series count lies, so it is either converted into snapshots or written
 * as text without any intermediate objects.
 */
public final class ScrapeReading {
  private final List<MetricSnapshot> own;
  private final List<CatalogFamily> catalog;
  private final SkippedSeries skipped;

  ScrapeReading(List<MetricSnapshot> own, List<CatalogFamily> catalog, SkippedSeries skipped) {
    this.own = own;
    this.catalog = List.copyOf(catalog);
    this.skipped = skipped;
  }

  /** Everything as client_java snapshots, for the protobuf format and in-process scrapes. */
  public MetricSnapshots snapshots() {
    List<MetricSnapshot> all = new ArrayList<>(own);
    for (CatalogFamily family : catalog) {
      MetricSnapshot snapshot = Snapshots.of(family, skipped);
      if (snapshot != null) {
        all.add(snapshot);
      }
    }
    addSkipped(all);
    return new MetricSnapshots(all);
  }

  /**
   * Tally's own families (the count of skipped series among them), as client_java snapshots; the
   * scrape writes them with client_java's writer after the {@link #catalog()}.
   */
  public MetricSnapshots ownSnapshots() {
    List<MetricSnapshot> all = new ArrayList<>(own);
    addSkipped(all);
    return new MetricSnapshots(all);
  }

  /**
   * The catalog's families as read, every series checked; a {@link
   * dev.tally.exporter.exposition.ScrapeFormat} writes them straight, without snapshots.
   */
  public List<CatalogFamily> catalog() {
    return catalog;
  }

  /** Last, so that it counts what this scrape skipped too. */
  private void addSkipped(List<MetricSnapshot> all) {
    MetricSnapshot snapshot = skipped.snapshot();
    if (snapshot != null) {
      all.add(snapshot);
    }
  }
}
