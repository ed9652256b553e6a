package dev.tally.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tally query --cacert} against an https server whose certificate the JDK does not trust.
 */
class QueryCommandTlsTest {
  private static final String STORE_PASSWORD = "keystore-secret";
  private static final String TRUST_PASSWORD = "truststore-secret";

  @TempDir static Path dir;

  private static HttpsServer server;
  private static Path pem;
  private static Path truststore;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @BeforeAll
  static void startServer() throws Exception {
    Path keystore = dir.resolve("server.p12");
    keytool(
        "-genkeypair",
        "-alias",
        "tally",
        "-keyalg",
        "EC",
        "-groupname",
        "secp256r1",
        "-dname",
        "CN=localhost",
        "-ext",
        "SAN=dns:localhost,ip:127.0.0.1",
        "-validity",
        "2",
        "-storetype",
        "PKCS12",
        "-keystore",
        keystore.toString(),
        "-storepass",
        STORE_PASSWORD);
    pem = dir.resolve("tally.pem");
    keytool(
        "-exportcert",
        "-rfc",
        "-alias",
        "tally",
        "-keystore",
        keystore.toString(),
        "-storepass",
        STORE_PASSWORD,
        "-file",
        pem.toString());
    truststore = dir.resolve("trust.p12");
    keytool(
        "-importcert",
        "-noprompt",
        "-alias",
        "tally",
        "-file",
        pem.toString(),
        "-storetype",
        "PKCS12",
        "-keystore",
        truststore.toString(),
        "-storepass",
        TRUST_PASSWORD);

    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      keys.load(in, STORE_PASSWORD.toCharArray());
    }
    KeyManagerFactory keyManagers =
        KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keyManagers.init(keys, STORE_PASSWORD.toCharArray());
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(keyManagers.getKeyManagers(), null, null);

    server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(tls));
    server.createContext(
        "/api/v1/metrics",
        exchange -> {
          byte[] body = "{\"metrics\": []}".getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          try (var response = exchange.getResponseBody()) {
            response.write(body);
          }
        });
    // /metrics behind basic auth (user "ops", password "s3cret"), for loadgen --verify.
    server.createContext(
        "/metrics",
        exchange -> {
          String expected =
              "Basic "
                  + java.util.Base64.getEncoder()
                      .encodeToString("ops:s3cret".getBytes(StandardCharsets.UTF_8));
          boolean allowed = expected.equals(exchange.getRequestHeaders().getFirst("Authorization"));
          byte[] body =
              (allowed ? "ack_timeouts_total{service=\"im\"} 7\n" : "{\"error\":\"login\"}")
                  .getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(allowed ? 200 : 401, body.length);
          try (var response = exchange.getResponseBody()) {
            response.write(body);
          }
        });
    server.start();
  }

  @AfterAll
  static void stopServer() {
    server.stop(0);
  }

  private static String url() {
    return "https://localhost:" + server.getAddress().getPort();
  }

  private int tally(Map<String, String> env, String... args) {
    return TallyCli.commandLine(new CliEnvironment(env, StopSignal.manual()))
        .setOut(new PrintWriter(out, true))
        .setErr(new PrintWriter(err, true))
        .execute(args);
  }

  @Test
  void shouldTrustTheCertificateOfAPemFile() {
    int exit = tally(Map.of(), "query", "metrics", "--url", url(), "--cacert", pem.toString());

    assertThat(exit).as(err.toString()).isZero();
    assertThat(out.toString()).isEqualTo("no metrics\n");
  }

  @Test
  void shouldOpenAPkcs12TruststoreWithThePasswordFromTheEnvironment() {
    int exit =
        tally(
            Map.of("TALLY_CACERT_PASSWORD", TRUST_PASSWORD),
            "query",
            "metrics",
            "--url",
            url(),
            "--cacert",
            truststore.toString());

    assertThat(exit).as(err.toString()).isZero();
    assertThat(out.toString()).isEqualTo("no metrics\n");
  }

  @Test
  void shouldRefuseACertificateItWasNotToldToTrust() {
    int exit = tally(Map.of(), "query", "metrics", "--url", url());

    assertThat(exit).isEqualTo(1);
    assertThat(err.toString())
        .startsWith("tally: cannot reach " + url() + ": TLS: ")
        .contains("--cacert")
        .doesNotContain("\tat ");
    assertThat(err.toString().lines()).hasSize(1);
  }

  @Test
  void shouldSayWhenACacertFileHoldsNoCertificates() throws Exception {
    Path notCertificates = Files.writeString(dir.resolve("notes.txt"), "not a certificate\n");

    int exit =
        tally(Map.of(), "query", "metrics", "--url", url(), "--cacert", notCertificates.toString());

    assertThat(exit).isEqualTo(1);
    assertThat(err.toString())
        .startsWith(
            "tally: --cacert "
                + notCertificates
                + ": not PEM certificates or a PKCS12 or JKS truststore");
  }

  @Test
  void shouldVerifyAgainstAnHttpsMetricsEndpointWithBasicAuth() throws Exception {
    Path truth =
        Files.writeString(
            dir.resolve("truth.json"),
            "{\"format\": \"tally-loadgen-truth/1\", \"series\": "
                + "{\"ack_timeouts_total{service=\\\"im\\\"}\": 7}}");
    Path password = Files.writeString(dir.resolve("password"), "s3cret\n");
    String metrics = url() + "/metrics";

    int ok =
        tally(
            Map.of(),
            "loadgen",
            "--verify",
            metrics,
            "--truth",
            truth.toString(),
            "--user",
            "ops",
            "--password-file",
            password.toString(),
            "--cacert",
            pem.toString());
    assertThat(ok).as(err.toString()).isZero();
    assertThat(out.toString()).contains("all 1 series match over 1 scrape(s)");

    int refused =
        tally(
            Map.of(),
            "loadgen",
            "--verify",
            metrics,
            "--truth",
            truth.toString(),
            "--cacert",
            pem.toString());
    assertThat(refused).isEqualTo(1);
    assertThat(err.toString()).contains(metrics + " answered HTTP 401").doesNotContain("\tat ");
  }

  /** Runs the JDK's keytool with these arguments and requires it to succeed. */
  private static void keytool(String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("keytool finished").isTrue();
    assertThat(process.exitValue()).as(output).isZero();
  }
}
