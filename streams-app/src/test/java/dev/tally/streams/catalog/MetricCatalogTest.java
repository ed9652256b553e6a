package dev.tally.streams.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.schemas.EventType;
import dev.tally.streams.config.InvalidConfigException;
import dev.tally.streams.topology.EventMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricCatalogTest {
  @TempDir Path dir;

  @Test
  void shouldCoverEveryEventTypeButTheGenericSampleWithBuiltInMetrics() {
    MetricCatalog catalog = MetricCatalog.builtin(10_000);

    Set<String> fed =
        catalog.metrics().stream()
            .flatMap(m -> m.rules().stream())
            .map(EventRule::eventType)
            .collect(Collectors.toSet());
    Set<String> expected =
        EnumSet.complementOf(EnumSet.of(EventType.METRIC_SAMPLE)).stream()
            .map(EventType::wireName)
            .collect(Collectors.toSet());
    assertThat(fed).isEqualTo(expected);
  }

  @Test
  void shouldResolveEveryBuiltInFieldReferenceAgainstTheEventRecords() {
    MetricCatalog catalog = MetricCatalog.builtin(10_000);

    new EventMapper(catalog); // throws naming the entry if a field does not exist

    assertThat(catalog.metric("delivery_latency_seconds").orElseThrow().type())
        .isEqualTo(MetricType.HISTOGRAM);
    assertThat(catalog.metric("connections_active").orElseThrow().gaugeMode())
        .isEqualTo(GaugeMode.DELTA);
    assertThat(catalog.ratios())
        .extracting(RatioDefinition::name)
        .contains(
            "ack_timeout_ratio",
            "cache_hit_ratio",
            "dedup_duplicate_ratio",
            "action_failure_ratio");
  }

  @Test
  void shouldFollowPrometheusNamingConventions() {
    for (MetricDefinition m : MetricCatalog.builtin(10_000).metrics()) {
      if (m.type() == MetricType.COUNTER) {
        assertThat(m.name()).as(m.name()).endsWith("_total");
      }
      if (m.type() == MetricType.HISTOGRAM) {
        assertThat(m.name()).as(m.name()).endsWith("_seconds");
        assertThat(m.unit()).isEqualTo("seconds");
      }
      assertThat(m.help()).as(m.name()).isNotBlank();
    }
  }

  @Test
  void shouldApplyDropRenameExtendAndNewMetricsFromAUserCatalog() throws IOException {
    Path file =
        write(
            """
            drop: [connections_closed_total]
            rename: {delivery_latency_seconds: im_delivery_latency_seconds}
            extend:
              http_requests_total: {add_labels: [labels.region], cap: 20000}
              ack_latency_seconds: {buckets: [0.01, 0.1, 1]}
            metrics:
              - name: custom_jobs_total
                type: counter
                help: Jobs reported through metric.sample.
                labels: [service, {name: region, from: labels.region}]
                from:
                  - event: metric.sample
                    when: {name: custom_jobs_total}
                    value: value
            """);

    MetricCatalog catalog = MetricCatalog.load(Optional.of(file), 10_000);

    assertThat(catalog.metric("connections_closed_total")).isEmpty();
    assertThat(catalog.metric("delivery_latency_seconds")).isEmpty();
    assertThat(catalog.metric("im_delivery_latency_seconds")).isPresent();
    MetricDefinition http = catalog.metric("http_requests_total").orElseThrow();
    assertThat(http.labelNames()).containsExactly("service", "method", "route", "status", "region");
    assertThat(http.seriesCap()).isEqualTo(20_000);
    assertThat(catalog.metric("ack_latency_seconds").orElseThrow().layout().classicUpperBounds())
        .containsExactly(0.01, 0.1, 1);
    assertThat(catalog.metric("custom_jobs_total")).isPresent();
    new EventMapper(catalog);
  }

  @Test
  void shouldStartFromNothingWhenBuiltinsAreOff() throws IOException {
    Path file =
        write(
            """
            builtins: false
            metrics:
              - name: acks_total
                type: counter
                help: ACKs.
                from: [{event: ack.received}]
            """);

    MetricCatalog catalog = MetricCatalog.load(Optional.of(file), 10_000);

    assertThat(catalog.metrics()).extracting(MetricDefinition::name).containsExactly("acks_total");
    assertThat(catalog.ratios()).isEmpty();
  }

  @Test
  void shouldFailAtStartUpNamingTheBadEntry() throws IOException {
    assertBad(
        "metrics: [{name: acks, type: counter, help: h, from: [{event: ack.received}]}]",
        "catalog metric 'acks'",
        "_total");
    assertBad(
        "metrics: [{name: x_total, type: counter, help: h, from: [{event: ack.teleported}]}]",
        "catalog metric 'x_total' rule for 'ack.teleported'",
        "unknown event type");
    assertBad(
        "metrics: [{name: x_seconds, type: histogram, help: h,"
            + " from: [{event: ack.received, value: speed_ms}]}]",
        "catalog metric 'x_seconds' rule for 'ack.received'",
        "no field 'speed_ms'");
    assertBad(
        "metrics: [{name: x_seconds, type: histogram, help: h, buckets: [1, 0.5],"
            + " from: [{event: ack.received, value: latency_ms}]}]",
        "catalog metric 'x_seconds'",
        "");
    assertBad(
        "metrics: [{name: x_total, type: counter, help: h, colour: red,"
            + " from: [{event: ack.received}]}]",
        "catalog metric 'x_total'",
        "unknown key 'colour'");
    assertBad("drop: [no_such_metric]", "catalog drop 'no_such_metric'", "no such metric");
    assertBad("mertics: []", "catalog", "unknown top-level key 'mertics'");
    assertBad(
        "ratios: [{name: r, numerator: [no_such_total], denominator: [ack_received_total]}]",
        "catalog ratio 'r'",
        "not a counter");
  }

  @Test
  void shouldRefuseEventLabelsThatCollideWithLabelsTallyOrPrometheusSet() throws IOException {
    // An event label of the same name as one the metric already has (service here).
    assertBad(
        "metrics: [{name: x_total, type: counter, help: h, labels: [service, labels.service],"
            + " from: [{event: ack.received}]}]",
        "catalog metric 'x_total'",
        "label 'service' appears twice");
    // Histogram buckets carry le; summaries carry quantile.
    for (String reserved : new String[] {"le", "quantile"}) {
      assertBad(
          "metrics: [{name: x_seconds, type: histogram, help: h, labels: [labels."
              + reserved
              + "], from: [{event: ack.received, value: latency_ms}]}]",
          "catalog metric 'x_seconds'",
          "'" + reserved + "' is not a usable label name");
    }
    assertBad(
        "metrics: [{name: x_total, type: counter, help: h,"
            + " labels: [{name: route, from: route, template: path, ids: '(['}],"
            + " from: [{event: http.request}]}]",
        "catalog metric 'x_total'",
        "label ids is not a regular expression");
  }

  private void assertBad(String yaml, String key, String message) throws IOException {
    Path file = write(yaml);
    assertThatThrownBy(() -> new EventMapper(MetricCatalog.load(Optional.of(file), 10_000)), yaml)
        .isInstanceOf(InvalidConfigException.class)
        .satisfies(e -> assertThat(((InvalidConfigException) e).key()).isEqualTo(key))
        .hasMessageContaining(message);
  }

  private Path write(String yaml) throws IOException {
    Path file = Files.createTempFile(dir, "catalog", ".yaml");
    Files.writeString(file, yaml);
    return file;
  }

  @Test
  void shouldKeepBucketsSortedAndFinite() {
    for (MetricDefinition m : MetricCatalog.builtin(10_000).metrics()) {
      if (m.layout() != null) {
        double[] b = m.layout().classicUpperBounds();
        assertThat(Arrays.stream(b).allMatch(Double::isFinite)).isTrue();
        assertThat(b).isSorted();
      }
    }
  }
}
