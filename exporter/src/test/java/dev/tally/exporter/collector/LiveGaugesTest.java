package dev.tally.exporter.collector;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.exporter.FakeMetricStores;
import dev.tally.streams.catalog.MetricCatalog;
import dev.tally.streams.query.Gauges;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LiveGaugesTest {
  private static final MetricCatalog CATALOG = MetricCatalog.builtin(10_000);

  @Test
  void shouldSumExactlyAsGaugesLiveDoes() {
    long now = 1_763_892_125_000L;
    Duration ttl = Duration.ofMinutes(5);
    Random random = new Random(11);
    FakeMetricStores stores = new FakeMetricStores();
    String[] metrics = {"queue_depth", "connections_active", "cache_size_bytes", "not_a_metric"};
    for (int i = 0; i < 2_000; i++) {
      String metric = metrics[random.nextInt(metrics.length)];
      long age = random.nextInt((int) ttl.toMillis() * 2);
      stores.gauge(
          metric,
          "svc/i-" + random.nextInt(5),
          random.nextInt(200) - 50,
          now - age,
          "service",
          "s" + random.nextInt(4));
    }

    assertThat(LiveGauges.live(stores, CATALOG, ttl, now))
        .hasSizeGreaterThan(10)
        .isEqualTo(Gauges.live(stores, CATALOG, ttl, now));
  }
}
