package dev.tally.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two Tally instances as canned exposition text; the truth is split between them. */
class VerifyTest {
  private HttpServer server;

  private static final String INSTANCE_A =
      """
      # TYPE ack_received_total counter
      ack_received_total{service="im-gateway"} 3
      # TYPE ack_latency_seconds histogram
      ack_latency_seconds_bucket{service="im-gateway",le="0.01"} 1
      ack_latency_seconds_bucket{service="im-gateway",le="+Inf"} 3
      ack_latency_seconds_count{service="im-gateway"} 3
      ack_latency_seconds_sum{service="im-gateway"} 0.1234560000001
      tally_events_consumed_total{topic="events.im-gateway"} 2
      tally_stores_queryable 1
      """;
  private static final String INSTANCE_B =
      """
      tally_events_consumed_total{topic="events.im-gateway"} 2
      tally_stores_queryable 1
      """;

  private static Map<String, BigDecimal> truth() {
    Map<String, BigDecimal> truth = new TreeMap<>();
    truth.put("ack_received_total{service=\"im-gateway\"}", new BigDecimal("3"));
    truth.put("ack_latency_seconds_bucket{service=\"im-gateway\",le=\"0.01\"}", BigDecimal.ONE);
    truth.put("ack_latency_seconds_bucket{service=\"im-gateway\",le=\"+Inf\"}", new BigDecimal(3));
    truth.put("ack_latency_seconds_count{service=\"im-gateway\"}", new BigDecimal(3));
    truth.put("ack_latency_seconds_sum{service=\"im-gateway\"}", new BigDecimal("0.123456"));
    truth.put("tally_events_consumed_total{topic=\"events.im-gateway\"}", new BigDecimal(4));
    return truth;
  }

  @BeforeEach
  void serve() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    serve("/a/metrics", INSTANCE_A);
    serve("/b/metrics", INSTANCE_B);
    serve(
        "/wrong/metrics",
        INSTANCE_A.replace(
                "ack_received_total{service=\"im-gateway\"} 3",
                "ack_received_total{service=\"im-gateway\"} 2")
            + "ack_received_total{service=\"ghost\"} 1\n");
    server.start();
  }

  private void serve(String path, String body) {
    server.createContext(
        path,
        exchange -> {
          byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4");
          exchange.sendResponseHeaders(200, bytes.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
          }
        });
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private URI url(String instance) {
    return URI.create(
        "http://127.0.0.1:" + server.getAddress().getPort() + "/" + instance + "/metrics");
  }

  @Test
  void shouldMatchWhenTheSumOverInstancesIsTheTruth() throws Exception {
    Map<String, Double> scraped = Verify.scrape(List.of(url("a"), url("b")));

    assertThat(scraped)
        .containsEntry("tally_events_consumed_total{topic=\"events.im-gateway\"}", 4.0);
    assertThat(Verify.diff(truth(), scraped)).isEmpty();
  }

  @Test
  void shouldListEverySeriesThatDiffersOrIsMissingOrUnexpected() throws Exception {
    Map<String, Double> scraped = Verify.scrape(List.of(url("wrong")));

    assertThat(Verify.diff(truth(), scraped))
        .extracting(Object::toString)
        .containsExactly(
            "ack_received_total{service=\"ghost\"}  expected absent, got 1",
            "ack_received_total{service=\"im-gateway\"}  expected 3, got 2",
            "tally_events_consumed_total{topic=\"events.im-gateway\"}  expected 4, got 2");
  }

  @Test
  void shouldAllowASumOnlyItsFloatingPointRounding() {
    String sum = "ack_latency_seconds_sum{service=\"im-gateway\"}";
    BigDecimal expected = new BigDecimal("0.123456");

    assertThat(Verify.matches(sum, expected, 0.1234560000001)).isTrue();
    assertThat(Verify.matches(sum, expected, 0.123457)).isFalse();
    assertThat(Verify.matches("ack_received_total", new BigDecimal(3), 3.0000001)).isFalse();
  }
}
