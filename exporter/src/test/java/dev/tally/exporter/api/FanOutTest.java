package dev.tally.exporter.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.exporter.FakeMetricStores;
import dev.tally.exporter.TallyExporter;
import dev.tally.exporter.api.ParsedQuery.Endpoint;
import dev.tally.streams.catalog.MetricCatalog;
import dev.tally.streams.config.TallyConfig;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How a coordinating instance treats what other instances answer, over real HTTP. */
class FanOutTest {
  private static final Map<String, List<String>> TOTALS =
      Map.of("metric", List.of("ack_timeouts_total"), "by", List.of(""));

  private static QueryService coordinator(Cluster cluster, Map<String, String> settings) {
    Map<String, String> all = new java.util.HashMap<>(Map.of(TallyConfig.HTTP_PORT, "0"));
    all.putAll(settings);
    return new QueryService(
        cluster,
        MetricCatalog.builtin(10_000),
        TallyConfig.fromMap(all),
        new PeerClient(null, new ObjectMapper()),
        Clock.systemUTC());
  }

  @Test
  void aPeersBadRequestIsTheCallersBadRequest() {
    long now = System.currentTimeMillis();
    FakeMetricStores peerStores = new FakeMetricStores();
    for (int i = 0; i < 5; i++) {
      peerStores.counter("ack_timeouts_total", 1, now, "service", "svc-" + i);
    }
    TallyConfig limited =
        TallyConfig.fromMap(Map.of(TallyConfig.HTTP_PORT, "0", "api.max.series", "3"));
    try (TallyExporter peer =
        TallyExporter.builder()
            .stores(peerStores)
            .catalog(MetricCatalog.builtin(10_000))
            .config(limited)
            .jvmMetrics(false)
            .start()) {
      FakeCluster cluster = new FakeCluster(new FakeMetricStores());
      cluster.active.put(2, "localhost:" + peer.port());
      assertThatThrownBy(
              () ->
                  coordinator(cluster, Map.of("api.max.series", "3"))
                      .answer(
                          Endpoint.SERIES, Map.of("metric", List.of("ack_timeouts_total")), null))
          .isInstanceOfSatisfying(
              QueryException.class,
              e -> {
                assertThat(e.status()).isEqualTo(400);
                assertThat(e.getMessage()).contains("more than 3 series");
              });
    }
  }

  @Test
  void allowStaleReadsAStandbyWhenTheActiveOwnerDoesNotAnswer() throws Exception {
    long now = System.currentTimeMillis();
    FakeMetricStores local =
        new FakeMetricStores().counter("ack_timeouts_total", 3, now, "service", "a");
    int deadPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      deadPort = socket.getLocalPort();
    }
    FakeCluster cluster = new FakeCluster(local);
    cluster.active.put(5, "127.0.0.1:" + deadPort);
    cluster.standby.put(5, List.of("127.0.0.1:" + deadPort, FakeCluster.SELF));
    cluster.lags.put(5, 42L);

    assertThatThrownBy(() -> coordinator(cluster, Map.of()).answer(Endpoint.TOTALS, TOTALS, null))
        .isInstanceOfSatisfying(
            QueryException.class,
            e -> {
              assertThat(e.status()).isEqualTo(503);
              assertThat(e.body().get("unavailable").toString())
                  .contains("unreachable: ")
                  .doesNotContain("null");
            });

    Map<String, List<String>> stale = new java.util.HashMap<>(TOTALS);
    stale.put("allowStale", List.of("true"));
    var answer = coordinator(cluster, Map.of()).answer(Endpoint.TOTALS, stale, null);
    assertThat(answer.get("stale")).isEqualTo(List.of(Map.of("partition", 5, "offsetLag", 42L)));
  }
}
