package dev.tally.exporter.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.exporter.FakeMetricStores;
import dev.tally.exporter.TallyExporter;
import dev.tally.exporter.api.ParsedQuery.Endpoint;
import dev.tally.exporter.http.HttpSettings;
import dev.tally.exporter.http.TestKeystores;
import dev.tally.streams.catalog.MetricCatalog;
import dev.tally.streams.config.TallyConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Instances reach each other as docs/operations.md says: over HTTPS when TLS is on, trusting the
 * certificate of their own keystore, with the caller's credentials passed on.
 */
class FanOutSecurityTest {
  private static final String STORE_PASSWORD = "keystore-secret";

  @TempDir Path dir;

  @Test
  void fansOutOverHttpsWithTheCallersCredentials() throws Exception {
    Path keystore = keystore();
    TallyConfig config =
        TallyConfig.fromMap(
            Map.of(
                TallyConfig.HTTP_PORT, "0",
                TallyConfig.HTTP_TLS_KEYSTORE_PATH, keystore.toString(),
                TallyConfig.HTTP_TLS_KEYSTORE_PASSWORD, STORE_PASSWORD,
                TallyConfig.HTTP_AUTH_USERNAME, "ops",
                TallyConfig.HTTP_AUTH_PASSWORD, "s3cret"));
    long now = System.currentTimeMillis();
    FakeMetricStores peerStores =
        new FakeMetricStores().counter("ack_timeouts_total", 4, now, "service", "b");
    FakeMetricStores localStores =
        new FakeMetricStores().counter("ack_timeouts_total", 3, now, "service", "a");
    try (TallyExporter peer =
        TallyExporter.builder()
            .stores(peerStores)
            .catalog(MetricCatalog.builtin(10_000))
            .config(config)
            .jvmMetrics(false)
            .start()) {
      assertThat(peer.url().getScheme()).isEqualTo("https");
      FakeCluster cluster = new FakeCluster(localStores);
      cluster.active.put(5, "localhost:" + peer.port());
      QueryService coordinator =
          new QueryService(
              cluster,
              MetricCatalog.builtin(10_000),
              config,
              new PeerClient(HttpSettings.from(config).tls().orElseThrow(), new ObjectMapper()),
              Clock.systemUTC());
      Map<String, List<String>> params =
          Map.of("metric", List.of("ack_timeouts_total"), "by", List.of(""));
      String credentials =
          "Basic "
              + Base64.getEncoder().encodeToString("ops:s3cret".getBytes(StandardCharsets.UTF_8));

      var answer = coordinator.answer(Endpoint.TOTALS, params, credentials);
      // 3 here + 4 read from the peer over HTTPS.
      assertThat(answer.get("series")).isEqualTo(List.of(Map.of("labels", Map.of(), "value", 7L)));

      assertThatThrownBy(() -> coordinator.answer(Endpoint.TOTALS, params, null))
          .as("without credentials the peer refuses, and the answer is no partial sum")
          .isInstanceOfSatisfying(
              QueryException.class,
              e -> {
                assertThat(e.status()).isEqualTo(503);
                assertThat(e.body().get("unavailable").toString()).contains("answered 401");
              });
    }
  }

  private Path keystore() throws Exception {
    return TestKeystores.selfSignedLocalhost(dir, STORE_PASSWORD);
  }
}
