package dev.tally.exporter.http;

import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.IOException;
import java.io.OutputStream;

/**
 * One scrape in two parts: a few families as client_java snapshots, written by client_java's
 * writer, and the bulk of the series, which writes itself as text without building snapshots first.
 * Together they are the same families a scrape of the registry returns.
 */
public interface SplitScrape {

  /** The families client_java writes; none of them shares a name with the bulk. */
  MetricSnapshots snapshots();

  /**
   * Writes the bulk in the format of {@code format} (OpenMetrics text with {@code _created} lines,
   * Prometheus text, or Prometheus protobuf), without OpenMetrics' closing {@code # EOF} line.
   */
  void write(OutputStream out, ExpositionFormatWriter format) throws IOException;
}
