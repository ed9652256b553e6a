package dev.tally.exporter.collector;

import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusProtobufWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.IOException;
import java.io.OutputStream;
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
    this.catalog = catalog;
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
   * caller writes them with client_java and the catalog's with {@link #writeCatalog}.
   */
  public MetricSnapshots ownSnapshots() {
    List<MetricSnapshot> all = new ArrayList<>(own);
    addSkipped(all);
    return new MetricSnapshots(all);
  }

  /**
   * Writes the catalog's families in the format of {@code format} (OpenMetrics text with {@code
   * _created} lines, Prometheus text, or Prometheus protobuf), as that client_java writer would,
   * minus OpenMetrics' closing {@code # EOF} line.
   *
   * @throws IllegalArgumentException for any other writer
   */
  public void writeCatalog(OutputStream out, ExpositionFormatWriter format) throws IOException {
    if (format instanceof OpenMetricsTextFormatWriter) {
      new TextExposition(out, true).write(catalog);
    } else if (format instanceof PrometheusTextFormatWriter) {
      new TextExposition(out, false).write(catalog);
    } else if (format instanceof PrometheusProtobufWriter) {
      new ProtobufExposition(out).write(catalog);
    } else {
      throw new IllegalArgumentException("no direct writer for " + format.getClass().getName());
    }
  }

  /** Last, so that it counts what this scrape skipped too. */
  private void addSkipped(List<MetricSnapshot> all) {
    MetricSnapshot snapshot = skipped.snapshot();
    if (snapshot != null) {
      all.add(snapshot);
    }
  }
}
