package dev.tally.exporter.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.tools.kafka.KafkaBrokerExtension;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, HTTP: one Tally instance whose pipeline keeps counting a steady load while its port is
 * fuzzed, scraped and queried by many clients at once, sent oversized requests and held by slow
 * clients. No request gets a 500 or a stack trace, and the other clients are served within a bound.
 * (Auth, TLS and the log are {@link HttpSecurityIT}'s.)
 */
class HttpAbuseIT {
  /**
   * Client threads of the concurrency test and how long they run ({@code -D} to change): 50 for 30
   * s, the bounded load issue 14 names.
   */
  private static final int CLIENTS = Integer.getInteger("tally.http.clients", 50);

  private static final Duration LOAD_TIME =
      Duration.ofSeconds(Integer.getInteger("tally.http.seconds", 30));

  private static final int FUZZED = Integer.getInteger("tally.http.fuzzed", 2_000);
  private static final int SLOW_CLIENTS = 1_000;
  // Generous: a scrape takes tens of ms on an idle machine, but the CI machine's two cores also
  // run the broker, the pipeline and fifty clients.
  private static final Duration LATENCY_BOUND = Duration.ofSeconds(10);
  private static final Pattern STACK_TRACE =
      Pattern.compile("(Exception|\\tat |\\bat (java|org|dev|io|jdk)\\.|Caused by|<html|<HTML)");
  // A stack trace in any answer; HTML is an error page only outside a 200 (the web console at /
  // answers its pages with 200 and HTML).
  private static final Pattern TRACE =
      Pattern.compile("(Exception|\\tat |\\bat (java|org|dev|io|jdk)\\.|Caused by)");
  private static final Pattern HTML = Pattern.compile("(<html|<HTML)");

  @RegisterExtension static KafkaBrokerExtension kafka = new KafkaBrokerExtension();

  @TempDir static Path stateDir;

  private static RunningTally tally;
  private static String topic;
  private static final AtomicBoolean loading = new AtomicBoolean(true);
  private static Thread load;
  private static final ByteArrayOutputStream log = new ByteArrayOutputStream();
  private static PrintStream originalErr;

  @BeforeAll
  static void start() throws Exception {
    // slf4j-simple writes to whatever System.err is at the time: the log is captured from here.
    originalErr = System.err;
    System.setErr(new PrintStream(new TeeStream(originalErr, log), true, StandardCharsets.UTF_8));
    tally = RunningTally.start(kafka, stateDir, Map.of());
    topic = tally.createTopic("web", 2);
    load = new Thread(HttpAbuseIT::steadyLoad, "steady-load");
    load.setDaemon(true);
    load.start();
    tally.awaitScrape(s -> RunningTally.sum(s, "ack_timeouts_total{") > 0, Duration.ofMinutes(1));
    // The first readiness probes this instance ever gets, all at once, while it counts.
    ExecutorService probes = Executors.newFixedThreadPool(20);
    List<Future<Integer>> answers = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      answers.add(probes.submit(() -> tally.get("health/ready").statusCode()));
    }
    for (Future<Integer> answer : answers) {
      firstReadinessAnswers.add(answer.get(60, TimeUnit.SECONDS));
    }
    probes.shutdown();
  }

  private static final List<Integer> firstReadinessAnswers = new ArrayList<>();

  /**
   * An instance that counts is ready for every probe, also for the first ones, asked while it looks
   * for its input topics for the first time.
   */
  @Test
  void shouldAnswerReadyToConcurrentFirstProbesOnceItCounts() {
    RunningTally.figure(
        "HttpAbuseIT", "first 20 concurrent readiness answers", firstReadinessAnswers);
    assertThat(firstReadinessAnswers).hasSize(20).containsOnly(200);
  }

  @AfterAll
  static void stop() throws Exception {
    loading.set(false);
    if (load != null) {
      load.join(10_000);
    }
    if (tally != null) {
      tally.close();
    }
    System.setErr(originalErr);
  }

  /** About 500 events a second for as long as the class runs. */
  private static void steadyLoad() {
    try (KafkaProducer<byte[], byte[]> producer = tally.producer()) {
      long id = 0;
      while (loading.get()) {
        for (int i = 0; i < 50; i++) {
          String json =
              "{\"type\":\"ack.timeout\",\"schema_version\":1,\"service\":\"web\",\"instance\":\"w-1\","
                  + "\"event_id\":\"h"
                  + (id++)
                  + "\",\"timestamp\":"
                  + System.currentTimeMillis()
                  + "}";
          producer.send(new ProducerRecord<>(topic, json.getBytes(StandardCharsets.UTF_8)));
        }
        Thread.sleep(100);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void shouldAnswerFuzzedRequestsWithoutA500OrAStackTrace() throws Exception {
    RequestFuzzer fuzzer = new RequestFuzzer(14_004);
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    Map<Integer, Integer> statuses = new TreeMap<>();
    List<String> failures = new ArrayList<>();
    int logBefore = log.size();
    for (int i = 0; i < FUZZED; i++) {
      String target = fuzzer.safeTarget();
      HttpRequest.Builder request =
          HttpRequest.newBuilder(URI.create(tally.url() + target.substring(1)))
              .timeout(Duration.ofSeconds(30));
      for (String[] header : fuzzer.headers()) {
        request.header(header[0], header[1]);
      }
      HttpResponse<String> response =
          client.send(request.build(), HttpResponse.BodyHandlers.ofString());
      statuses.merge(response.statusCode(), 1, Integer::sum);
      check(target, response.statusCode(), response.body(), failures);
    }
    int noAnswer = 0;
    for (int i = 0; i < FUZZED; i++) {
      byte[] request = fuzzer.rawRequest();
      String response = raw(request);
      if (response.isEmpty()) {
        // Jetty may close a connection whose first bytes are no HTTP at all; no answer is no 500.
        noAnswer++;
        continue;
      }
      int status = status(response);
      statuses.merge(status, 1, Integer::sum);
      check(new String(request, StandardCharsets.UTF_8), status, response, failures);
    }
    String logged = log.toString(StandardCharsets.UTF_8).substring(logBefore);

    RunningTally.figure("HttpAbuseIT", "fuzzed requests (JDK client + raw socket)", 2 * FUZZED);
    RunningTally.figure("HttpAbuseIT", "statuses", statuses);
    RunningTally.figure("HttpAbuseIT", "raw requests closed without an answer", noAnswer);
    assertThat(failures).as("answers with a 500 or a stack trace").isEmpty();
    assertThat(logged)
        .as("log while fuzzing")
        .doesNotContain("HTTP request")
        .doesNotContain("\tat ");
    assertThat(tally.get("metrics").statusCode()).isEqualTo(200);
    tally.assertHealthy(tally.scrape());
  }

  @Test
  void shouldServeFiftyConcurrentClientsWithoutErrorsInBoundedTime() throws Exception {
    String[] targets = {
      "metrics",
      "metrics",
      "api/v1/query?metric=ack_timeouts_total&from=-10m&resolution=10s&agg=sum",
      "api/v1/totals?metric=ack_timeouts_total&by=service",
      "api/v1/series?metric=ack_timeouts_total",
      "api/v1/query?metric=delivery_latency_seconds&from=-1h&resolution=1m&agg=p99",
      "health/ready"
    };
    ConcurrentLinkedQueue<Long> latenciesNanos = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
    ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
    long end = System.nanoTime() + LOAD_TIME.toNanos();
    List<Future<?>> running = new ArrayList<>();
    for (int c = 0; c < CLIENTS; c++) {
      int client = c;
      running.add(
          clients.submit(
              () -> {
                HttpClient http = HttpClient.newHttpClient();
                int i = client;
                while (System.nanoTime() < end) {
                  String target = targets[i++ % targets.length];
                  long t = System.nanoTime();
                  try {
                    HttpResponse<String> response =
                        http.send(
                            HttpRequest.newBuilder(tally.url().resolve(target))
                                .timeout(Duration.ofSeconds(60))
                                .build(),
                            HttpResponse.BodyHandlers.ofString());
                    latenciesNanos.add(System.nanoTime() - t);
                    if (response.statusCode() != 200) {
                      errors.add(target + " → " + response.statusCode() + " " + response.body());
                    }
                  } catch (IOException e) {
                    errors.add(target + " → " + e);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                  }
                }
              }));
    }
    for (Future<?> f : running) {
      f.get(LOAD_TIME.toSeconds() + 120, TimeUnit.SECONDS);
    }
    clients.shutdown();

    List<Long> sorted = new ArrayList<>(latenciesNanos);
    Collections.sort(sorted);
    String test = "HttpAbuseIT";
    RunningTally.figure(
        test, "concurrent clients × seconds", CLIENTS + " × " + LOAD_TIME.toSeconds());
    RunningTally.figure(test, "requests served", sorted.size());
    RunningTally.figure(test, "latency p50 (ms)", millis(percentile(sorted, 0.50)));
    RunningTally.figure(test, "latency p99 (ms)", millis(percentile(sorted, 0.99)));
    RunningTally.figure(test, "latency max (ms)", millis(sorted.get(sorted.size() - 1)));
    assertThat(errors).as("failed requests").isEmpty();
    assertThat(percentile(sorted, 0.99)).isLessThan(LATENCY_BOUND.toNanos());
    tally.assertHealthy(tally.scrape());
  }

  @Test
  void shouldRefuseOversizedRequestsAndKeepServingOthers() throws Exception {
    try (Prober prober = new Prober()) {
      // For five seconds, over and over: a header far beyond the 8 KiB allowed, a 1 MiB request
      // target, and a 64 MiB body sent to a path that takes none.
      Map<String, Map<String, Integer>> answers = new TreeMap<>();
      long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (System.nanoTime() < end) {
        String hugeHeader =
            raw(
                ("GET /metrics HTTP/1.1\r\nHost: localhost\r\nX-Big: "
                        + "x".repeat(1 << 20)
                        + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.UTF_8));
        String hugeUri =
            raw(
                ("GET /metrics?x="
                        + "y".repeat(1 << 20)
                        + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.UTF_8));
        String hugeBody = hugeBody(64 << 20);
        Map<String, String> round =
            Map.of("1 MiB header", hugeHeader, "1 MiB target", hugeUri, "64 MiB body", hugeBody);
        round.forEach(
            (what, response) -> {
              answers
                  .computeIfAbsent(what, k -> new TreeMap<>())
                  .merge(statusLine(response), 1, Integer::sum);
              assertThat(response).as(what).doesNotContainPattern(STACK_TRACE);
            });
      }
      RunningTally.figure("HttpAbuseIT", "oversized requests answered", answers);
      assertThat(answers.get("1 MiB header").keySet())
          .containsExactly("HTTP/1.1 431 Request Header Fields Too Large");
      assertThat(answers.get("1 MiB target").keySet()).containsExactly("HTTP/1.1 414 URI Too Long");
      assertThat(answers.get("64 MiB body").keySet())
          .containsExactly("HTTP/1.1 405 Method Not Allowed");
      prober.assertServedWithin(LATENCY_BOUND, "oversized requests");
    }
  }

  @Test
  void shouldKeepServingOthersWhileSlowClientsHoldConnections() throws Exception {
    List<Socket> slow = new ArrayList<>();
    try (Prober prober = new Prober()) {
      int refused = 0;
      for (int i = 0; i < SLOW_CLIENTS; i++) {
        Socket socket = new Socket();
        try {
          socket.connect(new InetSocketAddress("127.0.0.1", tally.url().getPort()), 1_000);
          socket
              .getOutputStream()
              .write(
                  "GET /metrics HTTP/1.1\r\nHost: localhost\r\n".getBytes(StandardCharsets.UTF_8));
          slow.add(socket);
        } catch (IOException notAccepted) {
          // A server that stops accepting slow clients is fine, as long as it still serves others.
          socket.close();
          refused++;
        }
      }
      RunningTally.figure("HttpAbuseIT", "slow clients not connected", refused);
      // Every slow client sends one more header byte per second and never finishes its headers.
      long end = System.nanoTime() + Duration.ofSeconds(15).toNanos();
      int open = 0;
      while (System.nanoTime() < end) {
        open = 0;
        for (Socket socket : slow) {
          try {
            socket.getOutputStream().write('a');
            open++;
          } catch (IOException closedByServer) {
            // A server may drop slow clients; that is a defence, not a failure.
          }
        }
        Thread.sleep(1_000);
      }
      RunningTally.figure(
          "HttpAbuseIT", "slow clients open after 15 s", open + " of " + SLOW_CLIENTS);
      prober.assertServedWithin(LATENCY_BOUND, SLOW_CLIENTS + " slow clients");
    } finally {
      for (Socket socket : slow) {
        socket.close();
      }
    }
  }

  /** Sends a request with a body of {@code bytes} to /metrics (POST), as fast as accepted. */
  private static String hugeBody(long bytes) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", tally.url().getPort())) {
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST /metrics HTTP/1.1\r\nHost: localhost\r\nContent-Length: "
                  + bytes
                  + "\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.UTF_8));
      byte[] chunk = new byte[64 * 1024];
      try {
        for (long sent = 0; sent < bytes; sent += chunk.length) {
          out.write(chunk);
        }
      } catch (IOException closedByServer) {
        // The server answered and closed without reading it all: that is the point.
      }
      return readAll(socket.getInputStream());
    }
  }

  /** One raw request on a fresh connection; the whole answer, or "" when none came. */
  private static String raw(byte[] request) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", tally.url().getPort())) {
      socket.setSoTimeout(10_000);
      try {
        socket.getOutputStream().write(request);
        socket.getOutputStream().flush();
      } catch (IOException closedByServer) {
        // Answered (and closed) before the whole request was written; read what came.
      }
      return readAll(socket.getInputStream());
    }
  }

  private static String readAll(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    try {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        out.write(buffer, 0, n);
      }
    } catch (SocketTimeoutException | java.net.SocketException e) {
      // What arrived before a reset or the timeout is the answer.
    }
    return out.toString(StandardCharsets.ISO_8859_1);
  }

  private static void check(String request, int status, String body, List<String> failures) {
    if (status == 500
        || TRACE.matcher(body).find()
        || (status != 200 && HTML.matcher(body).find())) {
      failures.add(status + " for " + request.lines().findFirst().orElse("") + ": " + body);
    }
  }

  private static int status(String response) {
    if (!response.startsWith("HTTP/1.")) {
      return -1;
    }
    return Integer.parseInt(response.substring(9, 12));
  }

  private static String statusLine(String response) {
    return response.isEmpty() ? "(closed, no answer)" : response.lines().findFirst().orElse("");
  }

  private static long percentile(List<Long> sorted, double p) {
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
  }

  private static String millis(long nanos) {
    return String.format(Locale.ROOT, "%.1f", nanos / 1e6);
  }

  /**
   * Another client, asking {@code /health/live} on a new connection every 100 ms while an attack
   * runs: every answer must be a 200 within the bound.
   */
  private static final class Prober implements AutoCloseable {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
    private final List<String> errors = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger sent = new AtomicInteger();
    private final Thread thread;

    Prober() {
      thread = new Thread(this::run, "prober");
      thread.setDaemon(true);
      thread.start();
    }

    private void run() {
      byte[] request =
          "GET /health/live HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
              .getBytes(StandardCharsets.UTF_8);
      while (running.get()) {
        long t = System.nanoTime();
        sent.incrementAndGet();
        try {
          String response = raw(request);
          latencies.add(System.nanoTime() - t);
          if (status(response) != 200) {
            errors.add(statusLine(response));
          }
        } catch (IOException e) {
          errors.add(e.toString());
        }
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    void assertServedWithin(Duration bound, String during) {
      running.set(false);
      try {
        thread.join(30_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      List<Long> sorted = new ArrayList<>(latencies);
      Collections.sort(sorted);
      RunningTally.figure(
          "HttpAbuseIT",
          "probes during " + during + " (n, p50 ms, max ms)",
          sorted.size()
              + ", "
              + (sorted.isEmpty() ? "-" : millis(percentile(sorted, 0.5)))
              + ", "
              + (sorted.isEmpty() ? "-" : millis(sorted.get(sorted.size() - 1))));
      assertThat(errors).as("probes not answered 200 during " + during).isEmpty();
      assertThat(sorted).as("probes answered").hasSizeGreaterThan(5);
      assertThat(sorted.get(sorted.size() - 1)).as("slowest probe, ns").isLessThan(bound.toNanos());
    }

    @Override
    public void close() {
      running.set(false);
    }
  }

  /** Writes to two streams. */
  private static final class TeeStream extends OutputStream {
    private final OutputStream first;
    private final ByteArrayOutputStream second;

    TeeStream(OutputStream first, ByteArrayOutputStream second) {
      this.first = first;
      this.second = second;
    }

    @Override
    public void write(int b) throws IOException {
      first.write(b);
      synchronized (second) {
        second.write(b);
      }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      first.write(b, off, len);
      synchronized (second) {
        second.write(b, off, len);
      }
    }
  }
}
