package dev.tally.exporter.exposition;

import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

/**
 * A {@link ScrapeFormat}: the catalog's families first, written straight from what was read, then
 * the snapshots with client_java's writer of the same format (whose last line, in OpenMetrics, is
 * {@code # EOF}).
 */
record DirectFormat(ExpositionFormatWriter snapshots, CatalogWriter catalog)
    implements ScrapeFormat {

  /** Writes catalog families in one format. */
  interface CatalogWriter {
    void write(OutputStream out, List<CatalogFamily> families) throws IOException;
  }

  @Override
  public String contentType() {
    return snapshots.getContentType();
  }

  @Override
  public void write(OutputStream out, Scrape scrape) throws IOException {
    catalog.write(out, scrape.catalog());
    snapshots.write(out, scrape.snapshots());
  }
}
