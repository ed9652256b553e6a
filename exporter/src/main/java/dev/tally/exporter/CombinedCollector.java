package dev.tally.exporter;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusScrapeRequest;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything one Tally instance exposes, in priority order. Two families with the same name would
 * make client_java reject the whole scrape; the later one (say, a catalog metric named like a JVM
 * metric) is dropped instead, with one warning.
 */
final class CombinedCollector implements MultiCollector {
  private static final Logger LOG = LoggerFactory.getLogger(CombinedCollector.class);

  private final List<MultiCollector> parts;
  private final Set<String> warned = ConcurrentHashMap.newKeySet();

  CombinedCollector(List<MultiCollector> parts) {
    this.parts = List.copyOf(parts);
  }

  @Override
  public MetricSnapshots collect() {
    return collect(name -> true, null);
  }

  @Override
  public MetricSnapshots collect(PrometheusScrapeRequest scrapeRequest) {
    return collect(name -> true, scrapeRequest);
  }

  @Override
  public MetricSnapshots collect(Predicate<String> includedNames) {
    return collect(includedNames, null);
  }

  @Override
  public MetricSnapshots collect(
      Predicate<String> includedNames, PrometheusScrapeRequest scrapeRequest) {
    List<MetricSnapshots> all = new ArrayList<>();
    parts.forEach(part -> all.add(part.collect(includedNames, scrapeRequest)));
    return combine(all);
  }

  /**
   * What {@link #collect()} returns followed by {@code more}'s families: a scrape's own part that
   * was read beside the catalog rather than collected. A family of {@code more} named like one
   * already there is dropped as in {@link #collect()}.
   */
  MetricSnapshots collectWith(MetricSnapshots more) {
    List<MetricSnapshots> all = new ArrayList<>();
    parts.forEach(part -> all.add(part.collect()));
    all.add(more);
    return combine(all);
  }

  private MetricSnapshots combine(List<MetricSnapshots> collected) {
    List<MetricSnapshot> all = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (MetricSnapshots part : collected) {
      for (MetricSnapshot family : part) {
        String name = family.getMetadata().getPrometheusName();
        if (names.add(name)) {
          all.add(family);
        } else if (warned.add(name)) {
          LOG.warn("Two metric families are named {}; exposing the first one only", name);
        }
      }
    }
    return new MetricSnapshots(all);
  }
}
