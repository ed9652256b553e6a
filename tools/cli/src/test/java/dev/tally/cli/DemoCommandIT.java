package dev.tally.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tally demo} end to end: embedded broker, pipeline, load, and /metrics over HTTP. */
class DemoCommandIT {
  private static final Pattern CONSOLE_URL = Pattern.compile("(?m)^console at (http://\\S+/)$");
  private static final Pattern METRICS_URL = Pattern.compile("(?m)^metrics at (http://\\S+)$");
  private static final Pattern EXAMPLE_QUERY =
      Pattern.compile("(?m)^try: curl -s '(http://\\S+)'$");

  /** One metric per event family of the contract, as the built-in and demo catalogs name them. */
  private static final List<String> ONE_PER_FAMILY =
      List.of(
          "delivery_messages_delivered_total",
          "ack_received_total",
          "cache_hits_total",
          "queue_jobs_enqueued_total",
          "http_requests_total",
          "connections_opened_total",
          "dedup_checks_total",
          "checkpoint_saves_total",
          "events_processed_total",
          "db_pool_connections_active",
          "custom_jobs_total");

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private final StopSignal stop = StopSignal.manual();

  @Test
  void shouldServeSeriesOfEveryEventFamilyWithinAMinute(@TempDir Path state) throws Exception {
    Map<String, String> env = Map.of("TALLY_HTTP_PORT", "0", "TALLY_STATE_DIR", state.toString());
    long started = System.nanoTime();
    CompletableFuture<Integer> exit =
        CompletableFuture.supplyAsync(
            () ->
                TallyCli.commandLine(new CliEnvironment(env, stop))
                    .setOut(new PrintWriter(out, true))
                    .setErr(new PrintWriter(err, true))
                    .execute("demo"));
    try {
      URI metrics = URI.create(awaitMetricsUrl(exit));
      HttpClient http = HttpClient.newHttpClient();
      String body = "";
      List<String> missing = ONE_PER_FAMILY;
      while (System.nanoTime() - started < Duration.ofSeconds(60).toNanos()) {
        HttpResponse<String> response =
            http.send(
                HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString());
        body = response.body();
        String text = body;
        missing = ONE_PER_FAMILY.stream().filter(m -> !text.contains("\n" + m + "{")).toList();
        if (response.statusCode() == 200 && missing.isEmpty()) {
          break;
        }
        Thread.sleep(1000);
      }
      assertThat(missing).as("families without series after a minute").isEmpty();
      assertThat(body).contains("tally_events_consumed_total{");

      // The console the demo points to answers with its page.
      Matcher console = CONSOLE_URL.matcher(out.toString());
      assertThat(console.find()).as(out.toString()).isTrue();
      HttpResponse<String> page =
          http.send(
              HttpRequest.newBuilder(URI.create(console.group(1))).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.body()).contains("<title>Tally console</title>");

      // The example query the demo prints answers with ACK-timeout totals per service.
      Matcher example = EXAMPLE_QUERY.matcher(out.toString());
      assertThat(example.find()).as(out.toString()).isTrue();
      HttpResponse<String> answer =
          http.send(
              HttpRequest.newBuilder(URI.create(example.group(1))).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
      assertThat(answer.body())
          .startsWith("{\"metric\":\"ack_timeouts_total\"")
          .contains("\"labels\":{\"service\":");
    } finally {
      stop.request();
      assertThat(exit.get(120, TimeUnit.SECONDS)).isZero();
    }
    assertThat(out.toString()).contains("Tally pipeline stopped");
  }

  private String awaitMetricsUrl(CompletableFuture<Integer> exit) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      Matcher m = METRICS_URL.matcher(out.toString());
      if (m.find()) {
        return m.group(1);
      }
      assertThat(exit).as("tally demo exited early: %s", err).isNotDone();
      Thread.sleep(50);
    }
    throw new AssertionError("no metrics line within 60 s; out: " + out + " err: " + err);
  }
}
