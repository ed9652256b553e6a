package dev.tally.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code tally query} against a canned query API: the requests it sends, the tables it prints and
 * how it reports errors. The answers are shaped as docs/api.md shows them.
 */
class QueryCommandTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private final CannedApi api = new CannedApi();

  @AfterEach
  void stopApi() {
    api.close();
  }

  private int tally(Map<String, String> env, String... args) {
    return TallyCli.commandLine(new CliEnvironment(env, StopSignal.manual()))
        .setOut(new PrintWriter(out, true))
        .setErr(new PrintWriter(err, true))
        .execute(args);
  }

  /** {@code tally query ARGS --url <the canned API>}. */
  private int query(String... args) {
    return queryWith(Map.of(), args);
  }

  private int queryWith(Map<String, String> env, String... args) {
    String[] all = new String[args.length + 3];
    all[0] = "query";
    System.arraycopy(args, 0, all, 1, args.length);
    all[args.length + 1] = "--url";
    all[args.length + 2] = api.url();
    return tally(env, all);
  }

  @Test
  void shouldUrlEncodeEveryMatcher() {
    api.answer(200, "{\"metric\": \"http_requests_total\", \"series\": []}");

    int exit =
        query(
            "series",
            "http_requests_total",
            "--match",
            "route=~/api/v1/.*",
            "--match",
            "path=~a+b|c(d)?",
            "--match",
            "service!~im gw");

    assertThat(exit).isZero();
    assertThat(api.only().path()).isEqualTo("/api/v1/series");
    assertThat(api.only().query())
        .isEqualTo(
            "metric=http_requests_total"
                + "&match=route%3D%7E%2Fapi%2Fv1%2F.*"
                + "&match=path%3D%7Ea%2Bb%7Cc%28d%29%3F"
                + "&match=service%21%7Eim%20gw");
  }

  @Test
  void shouldPrintSeriesOneColumnPerLabel() {
    api.answer(
        200,
        """
        {"metric": "delivery_latency_seconds", "series": [
          {"labels": {"service": "im-gateway", "channel": "push"}},
          {"labels": {"service": "media-gateway", "channel": "sms"}},
          {"labels": {"service": "im-gateway"}}]}
        """);

    assertThat(query("series", "delivery_latency_seconds", "--match", "service=~.*gateway"))
        .isZero();

    assertThat(api.only().query())
        .isEqualTo("metric=delivery_latency_seconds&match=service%3D%7E.*gateway");
    assertThat(out.toString())
        .isEqualTo(
            """
            channel  service
            push     im-gateway
            sms      media-gateway
            -        im-gateway
            """);
  }

  @Test
  void shouldSayWhenNoSeriesMatch() {
    api.answer(200, "{\"metric\": \"ack_timeouts_total\", \"series\": []}");

    assertThat(query("series", "ack_timeouts_total", "--match", "service=nope")).isZero();

    assertThat(out.toString()).isEqualTo("no live series of ack_timeouts_total\n");
  }

  @Test
  void shouldPrintCounterTotalsExactlyAndAligned() {
    api.answer(
        200,
        """
        {"metric": "ack_timeouts_total", "type": "counter",
         "series": [{"labels": {"service": "im-gateway"}, "value": 1873},
                    {"labels": {"service": "media-gateway"}, "value": 42.0},
                    {"labels": {"service": "event-observer"}, "value": 18014398509481985}]}
        """);

    assertThat(query("totals", "ack_timeouts_total", "--by", "service")).isZero();

    assertThat(api.only().path()).isEqualTo("/api/v1/totals");
    assertThat(api.only().query()).isEqualTo("metric=ack_timeouts_total&by=service");
    assertThat(out.toString())
        .isEqualTo(
            """
            service                     value
            im-gateway                   1873
            media-gateway                  42
            event-observer  18014398509481985
            """);
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void shouldPrintHistogramTotalsWithAColumnPerQuantile() {
    api.answer(
        200,
        """
        {"metric": "delivery_latency_seconds", "type": "histogram",
         "series": [{"labels": {"channel": "push", "service": "im-gateway"}, "count": 52011,
                     "sum": 1203.50, "quantiles": {"0.5": 0.0118, "0.99": 0.2412, "0.999": 0.9811}},
                    {"labels": {"channel": "sms", "service": "im-gateway"}, "count": 0,
                     "sum": 0, "quantiles": {"0.5": null, "0.99": null, "0.999": null}},
                    {"labels": {"channel": "email", "service": "im-gateway"}, "count": 3,
                     "sum": 4.5E-4, "quantiles": {"0.5": 1.5E-4, "0.99": 2.0E-4, "0.999": 2E+1}}]}
        """);

    assertThat(query("totals", "delivery_latency_seconds", "--q", "0.5,0.99,0.999")).isZero();

    assertThat(api.only().query())
        .isEqualTo("metric=delivery_latency_seconds&q=0.5%2C0.99%2C0.999");
    assertThat(out.toString())
        .isEqualTo(
            """
            channel  service     count      sum     q0.5   q0.99  q0.999
            push     im-gateway  52011   1203.5   0.0118  0.2412  0.9811
            sms      im-gateway      0        0        -       -       -
            email    im-gateway      3  0.00045  0.00015  0.0002      20
            """);
  }

  @Test
  void shouldSendAnEmptyByToSumEverything() {
    api.answer(
        200,
        """
        {"metric": "ack_timeouts_total", "type": "counter",
         "series": [{"labels": {}, "value": 1915}]}
        """);

    assertThat(query("totals", "ack_timeouts_total", "--by", "")).isZero();

    assertThat(api.only().query()).isEqualTo("metric=ack_timeouts_total&by=");
    assertThat(out.toString()).isEqualTo("value\n 1915\n");
  }

  @Test
  void shouldPrintOneRowPerSeriesAndWindow() {
    api.answer(
        200,
        """
        {"metric": "ack_timeouts_total", "resolution": "1m", "agg": "sum",
         "from": "2026-11-30T11:00:00Z", "to": "2026-11-30T11:03:00Z",
         "series": [{"labels": {"service": "im-gateway"},
                     "points": [{"start": "2026-11-30T11:00:00Z", "value": 31},
                                {"start": "2026-11-30T11:01:00Z", "value": 28},
                                {"start": "2026-11-30T11:02:00Z", "value": 0}]},
                    {"labels": {"service": "media-gateway"},
                     "points": [{"start": "2026-11-30T11:00:00Z", "value": 1250}]}]}
        """);

    int exit =
        query(
            "range",
            "ack_timeouts_total",
            "--match",
            "service=im-gateway",
            "--from",
            "-1h",
            "--resolution",
            "1m",
            "--agg",
            "sum");

    assertThat(exit).isZero();
    assertThat(api.only().path()).isEqualTo("/api/v1/query");
    assertThat(api.only().query())
        .isEqualTo(
            "metric=ack_timeouts_total&match=service%3Dim-gateway&from=-1h&resolution=1m&agg=sum");
    assertThat(out.toString())
        .isEqualTo(
            """
            service        start                  sum
            im-gateway     2026-11-30T11:00:00Z    31
            im-gateway     2026-11-30T11:01:00Z    28
            im-gateway     2026-11-30T11:02:00Z     0
            media-gateway  2026-11-30T11:00:00Z  1250
            """);
  }

  @Test
  void shouldPrintAWindowWithoutValueAsADashAndSayWhatWasReadStale() {
    api.answer(
        200,
        """
        {"metric": "delivery_latency_seconds", "resolution": "10s", "agg": "p99",
         "from": "2026-11-30T11:50:00Z", "to": "2026-11-30T11:50:20Z",
         "stale": [{"partition": 3, "lag": 120}],
         "series": [{"labels": {"service": "im-gateway"},
                     "points": [{"start": "2026-11-30T11:50:00Z", "value": 0.2412},
                                {"start": "2026-11-30T11:50:10Z", "value": null}]}]}
        """);

    int exit =
        query(
            "range",
            "delivery_latency_seconds",
            "--from=-10m",
            "--to",
            "now",
            "--resolution",
            "10s",
            "--agg",
            "p99",
            "--by",
            "service",
            "--allow-stale");

    assertThat(exit).isZero();
    assertThat(api.only().query())
        .isEqualTo(
            "metric=delivery_latency_seconds&from=-10m&to=now&resolution=10s&agg=p99&by=service"
                + "&allowStale=true");
    assertThat(out.toString())
        .isEqualTo(
            """
            service     start                    p99
            im-gateway  2026-11-30T11:50:00Z  0.2412
            im-gateway  2026-11-30T11:50:10Z       -
            """);
    assertThat(err.toString())
        .isEqualTo("tally: read from standby copies, which may lag: partition=3 lag=120\n");
  }

  @Test
  void shouldPrintAColumnPerBucket() {
    api.answer(
        200,
        """
        {"metric": "delivery_latency_seconds", "resolution": "1m", "agg": "buckets",
         "from": "2026-11-30T11:00:00Z", "to": "2026-11-30T11:01:00Z",
         "series": [{"labels": {},
                     "points": [{"start": "2026-11-30T11:00:00Z",
                                 "value": {"0.005": 3, "0.1": 38, "+Inf": 40}}]}]}
        """);

    assertThat(query("range", "delivery_latency_seconds", "--agg", "buckets", "--by", "")).isZero();

    assertThat(out.toString())
        .isEqualTo(
            """
            start                 le=0.005  le=0.1  le=+Inf
            2026-11-30T11:00:00Z         3      38       40
            """);
  }

  @Test
  void shouldSayWhenARangeHasNoValues() {
    api.answer(
        200,
        """
        {"metric": "ack_timeouts_total", "resolution": "1m", "agg": "sum",
         "from": "2026-11-30T11:00:00Z", "to": "2026-11-30T12:00:00Z", "series": []}
        """);

    assertThat(query("range", "ack_timeouts_total")).isZero();

    assertThat(api.only().query()).isEqualTo("metric=ack_timeouts_total");
    assertThat(out.toString())
        .isEqualTo(
            "no values of ack_timeouts_total from 2026-11-30T11:00:00Z to 2026-11-30T12:00:00Z\n");
  }

  @Test
  void shouldPrintTheCatalogAndFilterItByName() {
    api.answer(
        200,
        """
        {"metrics": [
          {"name": "ack_timeouts_total", "type": "counter", "unit": "", "help": "ACKs that timed out.",
           "labels": ["service"], "windows": ["10s", "1m", "1h"]},
          {"name": "delivery_latency_seconds", "type": "histogram", "unit": "seconds",
           "help": "Time from send to delivery.", "labels": ["service", "channel"],
           "windows": ["10s", "1m", "1h"]},
          {"name": "ack_timeout_ratio", "type": "ratio", "unit": "", "help": "Timed-out ACKs.",
           "labels": ["service"], "windows": ["1m"]},
          {"name": "tally_events_total", "type": "counter", "unit": "", "help": "Events read.",
           "labels": ["topic"], "windows": []}]}
        """);

    assertThat(query("metrics", "--filter", "ACK")).isZero();

    assertThat(api.only().path()).isEqualTo("/api/v1/metrics");
    assertThat(api.only().query()).isNull();
    assertThat(out.toString())
        .isEqualTo(
            """
            name                type     unit  labels   windows    help
            ack_timeouts_total  counter  -     service  10s,1m,1h  ACKs that timed out.
            ack_timeout_ratio   ratio    -     service  1m         Timed-out ACKs.
            """);
  }

  @Test
  void shouldSayWhenNoMetricNameContainsTheFilter() {
    api.answer(200, "{\"metrics\": []}");

    assertThat(query("metrics", "--filter", "nope")).isZero();

    assertThat(out.toString()).isEqualTo("no metric name contains 'nope'\n");
  }

  @Test
  void shouldPrintInstancesWithPartitionRanges() {
    api.answer(
        200,
        """
        {"self": "10.0.0.1:8080",
         "instances": [{"server": "10.0.0.1:8080", "state": "RUNNING",
                        "active": {"partitions": [0, 1, 2, 5], "stores": ["tally-cumulative"]},
                        "standby": {"partitions": [], "stores": []}},
                       {"server": "10.0.0.2:8080", "state": "UNREACHABLE",
                        "active": {"partitions": [3, 4], "stores": []},
                        "standby": {"partitions": [0, 1, 2], "stores": []}}]}
        """);

    assertThat(query("instances")).isZero();

    assertThat(api.only().path()).isEqualTo("/api/v1/instances");
    assertThat(out.toString())
        .isEqualTo(
            """
            server         state        active  standby
            10.0.0.1:8080  RUNNING      0-2,5   -
            10.0.0.2:8080  UNREACHABLE  3-4     0-2
            """);
  }

  @Test
  void shouldPrintTheServersJsonAsItIs() {
    String body = "{\"metric\": \"ack_timeouts_total\", \"type\": \"counter\",  \"series\": []}";
    api.answer(200, body);

    assertThat(query("totals", "ack_timeouts_total", "--json")).isZero();

    assertThat(out.toString()).isEqualTo(body + "\n");
  }

  @Test
  void shouldReportABadParameterWithTheServersMessage() {
    api.answer(
        400,
        "{\"error\": \"match: unknown label 'servce' of ack_timeouts_total\", \"parameter\": \"match\"}");

    int exit = query("series", "ack_timeouts_total", "--match", "servce=im-gateway");

    assertThat(exit).isEqualTo(1);
    assertThat(err.toString())
        .isEqualTo("tally: match: unknown label 'servce' of ack_timeouts_total\n");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void shouldReportAnUnknownMetric() {
    api.answer(
        404, "{\"error\": \"no metric named ack_timeout_total\", \"parameter\": \"metric\"}");

    assertThat(query("totals", "ack_timeout_total")).isEqualTo(1);

    assertThat(err.toString()).isEqualTo("tally: no metric named ack_timeout_total\n");
  }

  @Test
  void shouldNameWhatIsUnavailableAndWhenToAskAgain() {
    api.answer(
        503,
        """
        {"error": "series partitions unavailable",
         "unavailable": [{"partition": 3, "reason": "restoring"},
                         {"partition": 4, "server": "10.0.0.2:8080", "reason": "timeout"}]}
        """,
        Map.of("Retry-After", "5"));

    assertThat(query("range", "ack_timeouts_total")).isEqualTo(1);

    assertThat(err.toString())
        .isEqualTo(
            "tally: series partitions unavailable (unavailable: partition=3 reason=restoring,"
                + " partition=4 server=10.0.0.2:8080 reason=timeout; retry after 5 s)\n");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void shouldReportAnErrorThatIsNotJsonByItsStatus() {
    api.answer(502, "<html>Bad Gateway</html>");

    assertThat(query("instances")).isEqualTo(1);

    assertThat(err.toString()).isEqualTo("tally: HTTP 502 from " + api.url() + "\n");
  }

  @Test
  void shouldSayHowToLogInWhenAuthIsRequired() {
    api.answer(401, "{\"error\":\"authentication required\"}");

    assertThat(query("instances")).isEqualTo(1);

    assertThat(err.toString())
        .isEqualTo(
            "tally: authentication required (give --user, with the password in TALLY_PASSWORD"
                + " or --password-file)\n");
  }

  @Test
  void shouldReportAServerItCannotReach() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    String url = "http://127.0.0.1:" + port;

    int exit = tally(Map.of(), "query", "metrics", "--url", url);

    assertThat(exit).isEqualTo(1);
    assertThat(err.toString())
        .startsWith("tally: cannot reach " + url + ": ")
        .doesNotContain("Exception")
        .doesNotContain("\tat ");
    assertThat(err.toString().lines()).hasSize(1);
  }

  @Test
  void shouldGiveUpAfterTheTimeout() {
    CountDownLatch release = new CountDownLatch(1);
    api.answerAfter(release);
    try {
      int exit = query("instances", "--timeout", "300ms");

      assertThat(exit).isEqualTo(1);
      assertThat(err.toString())
          .isEqualTo("tally: no answer from " + api.url() + " within 300ms\n");
    } finally {
      release.countDown();
    }
  }

  @Test
  void shouldSendBasicAuthWithThePasswordFromTheEnvironment() {
    api.answer(200, "{\"metrics\": []}");

    assertThat(queryWith(Map.of("TALLY_PASSWORD", "s3cr:t p"), "metrics", "--user", "alice"))
        .isZero();

    assertThat(api.only().authorization()).isEqualTo("Basic YWxpY2U6czNjcjp0IHA=");
  }

  @Test
  void shouldPreferThePasswordFileWithoutItsLineBreak(@TempDir Path dir) throws IOException {
    api.answer(200, "{\"metrics\": []}");
    Path file = Files.writeString(dir.resolve("password"), "from-file\n");

    int exit =
        queryWith(
            Map.of("TALLY_PASSWORD", "from-env"),
            "metrics",
            "--user",
            "alice",
            "--password-file",
            file.toString());

    assertThat(exit).isZero();
    assertThat(api.only().authorization()).isEqualTo("Basic YWxpY2U6ZnJvbS1maWxl");
  }

  @Test
  void shouldSendNoCredentialsWithoutUser() {
    api.answer(200, "{\"metrics\": []}");

    assertThat(queryWith(Map.of("TALLY_PASSWORD", "unused"), "metrics")).isZero();

    assertThat(api.only().authorization()).isNull();
  }

  @Test
  void shouldRefuseAUserWithoutPassword() {
    assertThat(query("metrics", "--user", "alice")).isEqualTo(2);

    assertThat(err.toString())
        .startsWith("--user needs a password: set $TALLY_PASSWORD or give --password-file");
    assertThat(api.requests).isEmpty();
  }

  @Test
  void shouldTakeTheUrlFromTheEnvironment() {
    api.answer(200, "{\"metrics\": []}");

    assertThat(tally(Map.of("TALLY_URL", api.url()), "query", "metrics")).isZero();

    assertThat(api.requests).hasSize(1);
    assertThat(out.toString()).isEqualTo("no metrics\n");
  }

  @Test
  void shouldRefuseAUrlThatIsNotHttp() {
    assertThat(tally(Map.of(), "query", "metrics", "--url", "localhost:8080")).isEqualTo(2);

    assertThat(err.toString()).startsWith("--url: 'localhost:8080' is not an http or https URL");
  }

  @Test
  void shouldTreatAMissingMetricAsAUsageError() {
    assertThat(query("totals")).isEqualTo(2);

    assertThat(err.toString()).startsWith("Missing required parameter: 'METRIC'");
  }

  @Test
  void shouldListTheQueryCommands() {
    assertThat(tally(Map.of(), "query", "--help")).isZero();

    assertThat(out.toString())
        .containsPattern("(?m)^  metrics ")
        .containsPattern("(?m)^  series ")
        .containsPattern("(?m)^  totals ")
        .containsPattern("(?m)^  range ")
        .containsPattern("(?m)^  instances ");
  }

  @Test
  void shouldAcceptEveryExampleOfTheApiDocs() throws IOException {
    String doc = Files.readString(Path.of("..", "..", "docs", "api.md"));
    String terminal = doc.substring(doc.indexOf("## From a terminal"));
    List<String> examples =
        terminal
            .lines()
            .filter(line -> line.startsWith("./tally query "))
            .map(line -> line.substring("./tally ".length()))
            .toList();

    assertThat(examples).hasSizeGreaterThanOrEqualTo(3);
    for (String example : examples) {
      CommandLine.ParseResult parsed =
          TallyCli.commandLine(new CliEnvironment(Map.of(), StopSignal.manual()))
              .parseArgs(example.split(" "));
      assertThat(parsed.subcommand().subcommand()).as(example).isNotNull();
    }
  }

  /** One recorded request: its path, raw query string and Authorization header. */
  record Request(String path, String query, String authorization) {}

  /** The JDK's HTTP server on a free port, answering every request the same way. */
  private static final class CannedApi implements AutoCloseable {
    final List<Request> requests = new CopyOnWriteArrayList<>();
    private final HttpServer server;
    private volatile int status = 200;
    private volatile String body = "{}";
    private volatile Map<String, String> headers = Map.of();
    private volatile CountDownLatch holdUntil;

    CannedApi() {
      try {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
      server.createContext("/", this::handle);
      server.start();
    }

    String url() {
      return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    void answer(int status, String body) {
      answer(status, body, Map.of());
    }

    void answer(int status, String body, Map<String, String> headers) {
      this.status = status;
      this.body = body;
      this.headers = new HashMap<>(headers);
    }

    /** Holds every answer until {@code release} counts down. */
    void answerAfter(CountDownLatch release) {
      holdUntil = release;
    }

    Request only() {
      assertThat(requests).hasSize(1);
      return requests.get(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
      requests.add(
          new Request(
              exchange.getRequestURI().getRawPath(),
              exchange.getRequestURI().getRawQuery(),
              exchange.getRequestHeaders().getFirst("Authorization")));
      CountDownLatch hold = holdUntil;
      if (hold != null) {
        try {
          hold.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      headers.forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
      exchange.sendResponseHeaders(status, bytes.length);
      try (var response = exchange.getResponseBody()) {
        response.write(bytes);
      }
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }
}
