/**
 * Mergeable latency histograms: the aggregate Tally keeps per series and window.
 *
 * <p>{@link dev.tally.streams.histogram.Histogram} counts observations into Prometheus native
 * (exponential) buckets and classic {@code le} buckets at once, merges exactly in any order, and
 * estimates quantiles within a known relative error; {@link
 * dev.tally.streams.histogram.HistogramLayout} says how it buckets; {@link
 * dev.tally.streams.histogram.HistogramSerde} stores it; {@link
 * dev.tally.streams.histogram.ExponentialBuckets} is the native bucket arithmetic the exporter
 * shares.
 */
package dev.tally.streams.histogram;
