package dev.tally.exporter.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.exporter.TallyServerMain;
import dev.tally.exporter.http.TestKeystores;
import dev.tally.tools.kafka.KafkaBrokerExtension;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, HTTP security: a whole Tally process with basic auth and TLS on, logging at INFO (and
 * DEBUG for Tally's own classes), its output captured. Without valid credentials every path (the
 * known ones and fuzzed ones, any method) answers 401; with them the port serves HTTPS with the
 * configured keystore; a plaintext request gets no HTTP answer, only a TLS alert or a closed
 * connection; and the password, alone or in its {@code Authorization} form, never appears in the
 * log.
 */
class HttpSecurityIT {
  private static final Pattern PORT = Pattern.compile("^port (\\d+)$", Pattern.MULTILINE);
  private static final String STORE_PASSWORD = "store-pw-" + UUID.randomUUID();
  private static final String USER = "prometheus";
  // A password no other string in the log could contain by chance.
  private static final String PASSWORD = "pw-" + UUID.randomUUID();

  @RegisterExtension static KafkaBrokerExtension kafka = new KafkaBrokerExtension();

  @TempDir Path dir;

  @Test
  void shouldRequireCredentialsEverywhereServeTlsOnlyAndNeverLogThePassword() throws Exception {
    String id = "s" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    Path keystore = TestKeystores.selfSignedLocalhost(dir, STORE_PASSWORD);
    Path passwordFile = dir.resolve("password");
    Files.writeString(passwordFile, PASSWORD + "\n");
    Path config = dir.resolve("tally.properties");
    Files.writeString(
        config,
        String.join(
            "\n",
            "bootstrap.servers=" + kafka.bootstrapServers(),
            "application.id=tally-sec-" + id,
            "state.dir=" + dir.resolve("state"),
            "input.topic.pattern=events\\\\." + id + "\\\\..*",
            "dlq.topic=tally-sec-" + id + ".dlq",
            "http.port=0",
            "http.auth.username=" + USER,
            "http.auth.password.file=" + passwordFile,
            "http.tls.keystore.path=" + keystore,
            "http.tls.keystore.password=" + STORE_PASSWORD,
            ""));
    String topic = "events." + id + ".secure";
    kafka.createTopic(topic, 1);
    produce(topic, 40);

    Path log = dir.resolve("tally.log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process process =
        new ProcessBuilder(
                java,
                "-Xmx384m",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
                "-Dorg.slf4j.simpleLogger.log.dev.tally=debug",
                "-cp",
                System.getProperty("java.class.path"),
                TallyServerMain.class.getName(),
                config.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    try {
      int port = awaitPort(process, log);
      URI base = URI.create("https://localhost:" + port + "/");
      HttpClient client =
          HttpClient.newBuilder()
              .sslContext(TestKeystores.trusting(keystore, STORE_PASSWORD))
              .connectTimeout(Duration.ofSeconds(30))
              .build();
      String good =
          "Basic "
              + Base64.getEncoder()
                  .encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));

      // With the credentials: counted events over HTTPS.
      HttpResponse<String> metrics = awaitCounted(client, base, good);
      assertThat(metrics.body()).contains("ack_timeouts_total{service=\"secure\"} 40.0");

      // Without valid credentials: 401 on every path and method.
      List<String> authHeaders =
          List.of(
              "",
              "Basic " + b64(USER + ":wrong"),
              "Basic " + b64("someone:" + PASSWORD),
              "Basic " + b64(USER + ":" + PASSWORD + "x"),
              "Basic " + b64(USER),
              "Basic !!!",
              "Bearer " + PASSWORD,
              "basic",
              good.substring(0, good.length() - 2));
      List<String> targets =
          new ArrayList<>(
              List.of(
                  "metrics",
                  "health/live",
                  "health/ready",
                  "api/v1/metrics",
                  "api/v1/totals?metric=ack_timeouts_total",
                  "api/v1/query?metric=ack_timeouts_total",
                  "api/v1/series?metric=ack_timeouts_total",
                  "api/v1/instances",
                  "api/v1/openapi.json",
                  "api/v1/internal/totals",
                  "nothing",
                  "metrics?debug=text",
                  "metrics?name[]=x"));
      RequestFuzzer fuzzer = new RequestFuzzer(14_005);
      for (int i = 0; i < 300; i++) {
        targets.add(fuzzer.safeTarget().substring(1));
      }
      // Each request on its own TLS connection, so that no answer depends on an earlier one.
      javax.net.ssl.SSLSocketFactory tls =
          TestKeystores.trusting(keystore, STORE_PASSWORD).getSocketFactory();
      Map<String, String> notRefused = new TreeMap<>();
      Map<Integer, Integer> statuses = new TreeMap<>();
      int malformed = 0;
      for (int i = 0; i < targets.size(); i++) {
        String target = targets.get(i);
        String method = List.of("GET", "HEAD", "POST", "DELETE", "OPTIONS").get(i % 5);
        String auth = authHeaders.get(i % authHeaders.size());
        String answer = tlsRequest(tls, port, method, target, auth);
        int status = status(answer);
        // A HEAD answer has the headers of the GET answer and no body.
        boolean head = method.equals("HEAD");
        statuses.merge(status, 1, Integer::sum);
        if (status == 400) {
          // A target the HTTP layer cannot parse (an illegal escape, a NUL) is refused before
          // routing and authentication: with the credentials the answer is the same 400.
          malformed++;
          String withCredentials = tlsRequest(tls, port, method, target, good);
          if (status(withCredentials) != 400 || !(head || answer.contains("{\"error\":"))) {
            notRefused.put(method + " /" + target, "400, but with credentials: " + withCredentials);
          }
        } else if (status != 401
            || !(head || answer.contains("{\"error\":\"authentication required\"}"))) {
          notRefused.put(method + " /" + target + " [" + auth + "]", answer);
        }
      }
      RunningTally.figure("HttpSecurityIT", "requests without valid credentials", targets.size());
      RunningTally.figure("HttpSecurityIT", "their statuses", statuses);
      RunningTally.figure("HttpSecurityIT", "malformed targets refused before auth", malformed);
      assertThat(notRefused)
          .as("requests without valid credentials not refused with 401")
          .isEmpty();

      // Plaintext HTTP to the TLS port, with the credentials: refused. What comes back is nothing
      // or a TLS alert, and the connection is closed; an HTTP answer of any status (even a 400
      // "HTTP request to HTTPS port") means the port reads plaintext HTTP.
      Plaintext plain = plaintext(port, good);
      RunningTally.figure("HttpSecurityIT", "plaintext request answered with", plain);
      assertThat(plain.refused())
          .as(
              "a plaintext request to the TLS port refused (nothing or a TLS alert, then the"
                  + " connection closed), but it got %s",
              plain)
          .isTrue();

      // The log: written at INFO (Tally DEBUG), with the requests above in it.
      process.destroy();
      process.waitFor(30, TimeUnit.SECONDS);
      String logged = Files.readString(log);
      RunningTally.figure("HttpSecurityIT", "log lines captured", logged.lines().count());
      assertThat(logged).as("the log").isNotEmpty();
      assertThat(logged)
          .as("the log holds neither the password nor the Authorization header's form of it")
          .doesNotContain(PASSWORD)
          .doesNotContain(b64(USER + ":" + PASSWORD))
          .doesNotContain(STORE_PASSWORD);
    } finally {
      process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      // Kept for a look after the run (CI artifact).
      Files.copy(
          log, Path.of("target", "HttpSecurityIT-tally.log"), StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static HttpResponse<String> awaitCounted(HttpClient client, URI base, String auth)
      throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    HttpResponse<String> response;
    do {
      Thread.sleep(250);
      response =
          client.send(
              HttpRequest.newBuilder(base.resolve("metrics")).header("Authorization", auth).build(),
              HttpResponse.BodyHandlers.ofString());
    } while (!response.body().contains("ack_timeouts_total{service=\"secure\"} 40.0")
        && System.nanoTime() < deadline);
    assertThat(response.statusCode()).isEqualTo(200);
    return response;
  }

  /** One request on a new TLS connection; the whole answer. */
  private static String tlsRequest(
      javax.net.ssl.SSLSocketFactory tls, int port, String method, String target, String auth)
      throws IOException {
    try (Socket socket = tls.createSocket("localhost", port)) {
      socket.setSoTimeout(30_000);
      socket
          .getOutputStream()
          .write(
              (method
                      + " /"
                      + target
                      + " HTTP/1.1\r\nHost: localhost\r\n"
                      + (auth.isEmpty() ? "" : "Authorization: " + auth + "\r\n")
                      + "Connection: close\r\n\r\n")
                  .getBytes(StandardCharsets.UTF_8));
      return readAll(socket.getInputStream());
    }
  }

  private static int status(String answer) {
    return answer.startsWith("HTTP/1.1 ") ? Integer.parseInt(answer.substring(9, 12)) : -1;
  }

  private static String readAll(InputStream in) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[4096];
    try {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        out.write(buffer, 0, n);
      }
    } catch (IOException e) {
      // reset or timeout: what came is the answer
    }
    return out.toString(StandardCharsets.ISO_8859_1);
  }

  /**
   * What a plaintext request to the TLS port got: the bytes (ISO-8859-1) and how the connection
   * ended.
   */
  private record Plaintext(String answer, String ending) {
    private static final String CLOSED = "then the connection closed";

    /** Nothing or only TLS alert records (content type 21, version 3.x), then closed. */
    boolean refused() {
      if (!ending.equals(CLOSED)) {
        return false;
      }
      int at = 0;
      while (at + 5 <= answer.length() && answer.charAt(at) == 0x15 && answer.charAt(at + 1) == 3) {
        at += 5 + (answer.charAt(at + 3) << 8 | answer.charAt(at + 4));
      }
      return at == answer.length();
    }

    /** An HTTP answer's first line, or the first bytes in hex (a TLS alert); how it ended. */
    @Override
    public String toString() {
      if (answer.isEmpty()) {
        return "nothing, " + ending;
      }
      if (answer.startsWith("HTTP/")) {
        return "an HTTP answer of "
            + answer.length()
            + " bytes, "
            + answer.lines().findFirst().orElse("")
            + (answer.contains("ack_timeouts_total") ? ", with the metrics" : "")
            + ", "
            + ending;
      }
      StringBuilder hex = new StringBuilder(answer.length() + " bytes, not HTTP:");
      answer.chars().limit(8).forEach(c -> hex.append(String.format(" %02x", c)));
      return hex.append(", ").append(ending).toString();
    }
  }

  private static Plaintext plaintext(int port, String auth) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      socket
          .getOutputStream()
          .write(
              ("GET /metrics HTTP/1.1\r\nHost: localhost\r\nAuthorization: "
                      + auth
                      + "\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.UTF_8));
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buffer = new byte[4096];
      String ending = Plaintext.CLOSED;
      try {
        int n;
        while ((n = in.read(buffer)) >= 0) {
          out.write(buffer, 0, n);
        }
      } catch (SocketTimeoutException e) {
        ending = "and the connection still open after 10 s";
      } catch (IOException e) {
        // A reset closes the connection too.
      }
      return new Plaintext(out.toString(StandardCharsets.ISO_8859_1), ending);
    }
  }

  private static int awaitPort(Process process, Path log) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (System.nanoTime() < deadline) {
      Matcher m = PORT.matcher(Files.readString(log));
      if (m.find()) {
        return Integer.parseInt(m.group(1));
      }
      assertThat(process.isAlive()).as("Tally exited: %s", Files.readString(log)).isTrue();
      Thread.sleep(100);
    }
    throw new AssertionError("Tally did not start: " + Files.readString(log));
  }

  private static void produce(String topic, int events) {
    Map<String, Object> props =
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            kafka.bootstrapServers(),
            ProducerConfig.ACKS_CONFIG,
            "all");
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < events; i++) {
        String json =
            "{\"type\":\"ack.timeout\",\"schema_version\":1,\"service\":\"secure\",\"instance\":\"s-1\","
                + "\"event_id\":\"s"
                + i
                + "\",\"timestamp\":"
                + System.currentTimeMillis()
                + "}";
        producer.send(new ProducerRecord<>(topic, json.getBytes(StandardCharsets.UTF_8)));
      }
    }
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
