package dev.tally.streams.catalog;

import dev.tally.streams.histogram.HistogramLayout;
import java.util.List;

/**
 * One metric of the catalog: what it is called and means, how it is typed and labelled, and which
 * events feed it.
 *
 * @param name exposed name; counters end in {@code _total}
 * @param layout histogram buckets (histograms only, otherwise null)
 * @param gaugeMode how samples of one source combine (gauges only, otherwise null)
 * @param seriesCap live label sets allowed before updates go to the overflow series
 */
public record MetricDefinition(
    String name,
    MetricType type,
    String help,
    String unit,
    List<LabelRule> labels,
    List<EventRule> rules,
    HistogramLayout layout,
    GaugeMode gaugeMode,
    int seriesCap) {

  public List<String> labelNames() {
    return labels.stream().map(LabelRule::name).toList();
  }
}
