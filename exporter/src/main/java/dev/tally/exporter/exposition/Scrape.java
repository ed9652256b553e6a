package dev.tally.exporter.exposition;

import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.List;
import java.util.Objects;

/**
 * Everything one scrape exposes: the catalog's families as read from the stores (where the series
 * count lies) and the few other families as client_java snapshots (JVM, Kafka Streams client
 * metrics, Tally's own). No snapshot shares a name with a catalog family: the catalog refuses the
 * {@code tally_}, {@code jvm_} and {@code process_} prefixes, and the reading leaves out any family
 * that clashes with Tally's own.
 *
 * <pre>{@code
 * ScrapeFormat.OPENMETRICS.write(out, new Scrape(reading.catalog(), snapshots));
 * }</pre>
 */
public record Scrape(List<CatalogFamily> catalog, MetricSnapshots snapshots) {
  public Scrape {
    catalog = List.copyOf(catalog);
    Objects.requireNonNull(snapshots, "snapshots");
  }
}
