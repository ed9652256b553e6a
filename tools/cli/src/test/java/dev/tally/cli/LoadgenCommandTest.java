package dev.tally.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tally loadgen} without Kafka: its options and {@code --verify} against canned scrapes. */
class LoadgenCommandTest {
  private static final String TRUTH =
      """
      {
        "format" : "tally-loadgen-truth/1",
        "series" : {
          "ack_received_total{service=\\"im-gateway\\"}" : 3,
          "ack_latency_seconds_bucket{service=\\"im-gateway\\",le=\\"1.0\\"}" : 3,
          "ack_latency_seconds_sum{service=\\"im-gateway\\"}" : 0.123456,
          "tally_events_consumed_total{topic=\\"events.im-gateway\\"}" : 4
        }
      }
      """;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private HttpServer server;
  @TempDir Path dir;

  @BeforeEach
  void serve() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    serve(
        "/a/metrics",
        """
        # TYPE ack_received_total counter
        ack_received_total{service="im-gateway"} 3
        ack_latency_seconds_bucket{le="1",service="im-gateway"} 3
        ack_latency_seconds_sum{service="im-gateway"} 0.123456
        tally_events_consumed_total{topic="events.im-gateway"} 1
        """);
    serve("/b/metrics", "tally_events_consumed_total{topic=\"events.im-gateway\"} 3\n");
    server.start();
  }

  private void serve(String path, String body) {
    server.createContext(
        path,
        exchange -> {
          byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, bytes.length);
          try (OutputStream o = exchange.getResponseBody()) {
            o.write(bytes);
          }
        });
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private String url(String instance) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/" + instance + "/metrics";
  }

  private int tally(String... args) {
    return TallyCli.commandLine(new CliEnvironment(Map.of(), StopSignal.manual()))
        .setOut(new PrintWriter(out, true))
        .setErr(new PrintWriter(err, true))
        .execute(args);
  }

  @Test
  void shouldExitZeroWhenTheSumOfTheScrapesIsTheTruth() throws IOException {
    Path truth = Files.writeString(dir.resolve("truth.json"), TRUTH);

    int exit = tally("loadgen", "--verify", url("a"), url("b"), "--truth", truth.toString());

    assertThat(exit).as(err.toString()).isZero();
    assertThat(out.toString()).isEqualTo("all 4 series match over 2 scrape(s)\n");
  }

  @Test
  void shouldPrintEachMismatchAndExitOneWhenASeriesDiffers() throws IOException {
    Path truth = Files.writeString(dir.resolve("truth.json"), TRUTH);

    int exit = tally("loadgen", "--verify", url("a"), "--truth", truth.toString());

    assertThat(exit).isEqualTo(1);
    assertThat(out.toString())
        .isEqualTo(
            "tally_events_consumed_total{topic=\"events.im-gateway\"}  expected 4, got 1\n"
                + "1 of 4 series differ (series, expected, got)\n");
  }

  @Test
  void shouldRefuseVerifyWithoutATruthFile() {
    assertThat(tally("loadgen", "--verify", url("a"))).isEqualTo(2);
    assertThat(err.toString()).contains("--verify needs --truth FILE");
  }

  @Test
  void shouldRefuseARateThatIsNeitherANumberNorMax() {
    assertThat(tally("loadgen", "--rate", "fast", "--bootstrap-servers", "localhost:1"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("--rate: 'fast' is neither a number nor max");
  }

  @Test
  void shouldRefuseAnUnknownServiceAndAFractionAboveOne() {
    assertThat(tally("loadgen", "--services", "mailer", "--bootstrap-servers", "localhost:1"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("unknown service 'mailer'");
    assertThat(tally("loadgen", "--late", "1.5", "--bootstrap-servers", "localhost:1"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("late fraction must be within 0..1");
  }

  @Test
  void shouldRefuseEventsAndDurationTogether() {
    assertThat(tally("loadgen", "--events", "10", "--duration", "5s")).isEqualTo(2);
    assertThat(err.toString()).contains("mutually exclusive");
  }
}
