package dev.tally.exporter.jvm;

import io.prometheus.metrics.config.PrometheusProperties;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.registry.PrometheusScrapeRequest;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.function.Predicate;

/**
 * client_java's JVM and process metrics ({@code jvm_*}, {@code process_*}) of one Tally instance,
 * kept in a registry of their own rather than the default one, so that several instances can run in
 * one JVM.
 *
 * <p>client_java remembers every registry it registered JVM metrics with for the life of the JVM;
 * keeping them in this separate registry means it remembers only JVM collectors, never Tally's
 * stores.
 */
public final class JvmCollector implements MultiCollector {
  private final PrometheusRegistry jvm = new PrometheusRegistry();

  public JvmCollector() {
    JvmMetrics.builder(PrometheusProperties.builder().build()).register(jvm);
  }

  @Override
  public MetricSnapshots collect() {
    return jvm.scrape();
  }

  @Override
  public MetricSnapshots collect(
      Predicate<String> includedNames, PrometheusScrapeRequest scrapeRequest) {
    return jvm.scrape(includedNames, scrapeRequest);
  }
}
