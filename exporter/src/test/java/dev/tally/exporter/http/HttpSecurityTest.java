package dev.tally.exporter.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.exporter.FakeMetricStores;
import dev.tally.exporter.TallyExporter;
import dev.tally.streams.catalog.MetricCatalog;
import dev.tally.streams.config.InvalidConfigException;
import dev.tally.streams.config.TallyConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Basic auth and TLS, both off by default and both checked at start-up. */
class HttpSecurityTest {
  private static final String STORE_PASSWORD = "keystore-secret";

  @TempDir Path dir;

  private final HttpClient client = HttpClient.newHttpClient();

  @Test
  void shouldRequireCredentialsOnEveryPathHealthIncluded() throws Exception {
    try (TallyExporter exporter =
        start(
            Map.of(TallyConfig.HTTP_AUTH_USERNAME, "prometheus", "http.auth.password", "s3cr:t"))) {
      HttpResponse<String> anonymous = get(exporter, "metrics", null);
      HttpResponse<String> wrong = get(exporter, "metrics", basic("prometheus", "guess"));
      HttpResponse<String> wrongUser = get(exporter, "metrics", basic("admin", "s3cr:t"));
      HttpResponse<String> garbage = get(exporter, "metrics", "Basic %%%");
      HttpResponse<String> right = get(exporter, "metrics", basic("prometheus", "s3cr:t"));

      assertThat(anonymous.statusCode()).isEqualTo(401);
      assertThat(anonymous.headers().firstValue("WWW-Authenticate"))
          .hasValue("Basic realm=\"tally\", charset=\"UTF-8\"");
      assertThat(anonymous.body()).isEqualTo("{\"error\":\"authentication required\"}\n");
      assertThat(wrong.statusCode()).isEqualTo(401);
      assertThat(wrongUser.statusCode()).isEqualTo(401);
      assertThat(garbage.statusCode()).isEqualTo(401);
      assertThat(right.statusCode()).isEqualTo(200);
      assertThat(right.body()).contains("ack_received_total 3.0");
      assertThat(get(exporter, "health/live", null).statusCode()).isEqualTo(401);
      assertThat(get(exporter, "health/ready", null).statusCode()).isEqualTo(401);
      assertThat(get(exporter, "health/live", basic("prometheus", "s3cr:t")).statusCode())
          .isEqualTo(200);
      assertThat(get(exporter, "health/ready", basic("prometheus", "s3cr:t")).statusCode())
          .isEqualTo(200);
      assertThat(get(exporter, "api/v1/series", null).statusCode()).isEqualTo(401);
      assertThat(get(exporter, "nope", null).statusCode()).isEqualTo(401);
    }
  }

  @Test
  void shouldServeMetricsWithoutCredentialsWhenAuthIsOff() throws Exception {
    try (TallyExporter exporter = start(Map.of())) {
      assertThat(get(exporter, "metrics", null).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void shouldReadThePasswordFromAFileWithoutItsLineBreak() throws Exception {
    Path file = Files.writeString(dir.resolve("password"), "from-file\n");
    try (TallyExporter exporter =
        start(
            Map.of(
                TallyConfig.HTTP_AUTH_USERNAME,
                "prometheus",
                TallyConfig.HTTP_AUTH_PASSWORD_FILE,
                file.toString()))) {
      assertThat(get(exporter, "metrics", basic("prometheus", "from-file")).statusCode())
          .isEqualTo(200);
      assertThat(get(exporter, "metrics", basic("prometheus", "from-file\n")).statusCode())
          .isEqualTo(401);
    }
  }

  @Test
  void shouldFailAtStartUpNamingTheKeyOfAnUnusableAuthSetting() throws IOException {
    Path file = Files.writeString(dir.resolve("password"), "secret");
    assertFailsNaming(
        TallyConfig.HTTP_AUTH_PASSWORD_FILE,
        Map.of(
            TallyConfig.HTTP_AUTH_USERNAME,
            "prometheus",
            TallyConfig.HTTP_AUTH_PASSWORD_FILE,
            dir.resolve("missing").toString()));
    assertFailsNaming(
        TallyConfig.HTTP_AUTH_USERNAME, Map.of(TallyConfig.HTTP_AUTH_PASSWORD, "orphan"));
    assertFailsNaming(
        TallyConfig.HTTP_AUTH_PASSWORD_FILE,
        Map.of(
            TallyConfig.HTTP_AUTH_USERNAME,
            "prometheus",
            TallyConfig.HTTP_AUTH_PASSWORD,
            "one",
            TallyConfig.HTTP_AUTH_PASSWORD_FILE,
            file.toString()));
  }

  @Test
  void shouldServeHttpsWithTheConfiguredKeystore() throws Exception {
    Path keystore = keystore();
    try (TallyExporter exporter =
        start(
            Map.of(
                TallyConfig.HTTP_TLS_KEYSTORE_PATH,
                keystore.toString(),
                TallyConfig.HTTP_TLS_KEYSTORE_PASSWORD,
                STORE_PASSWORD))) {
      HttpClient trusting = HttpClient.newBuilder().sslContext(trusting(keystore)).build();
      HttpResponse<String> response =
          trusting.send(
              HttpRequest.newBuilder(exporter.url().resolve("metrics")).build(),
              HttpResponse.BodyHandlers.ofString());

      assertThat(exporter.url().getScheme()).isEqualTo("https");
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).contains("ack_received_total 3.0");
      assertThatThrownBy(
              () ->
                  client.send(
                      HttpRequest.newBuilder(exporter.url().resolve("metrics")).build(),
                      HttpResponse.BodyHandlers.ofString()))
          .as("a client that does not trust the certificate")
          .isInstanceOf(IOException.class);
    }
  }

  @Test
  void shouldFailAtStartUpNamingTheKeyOfAnUnusableKeystore() throws Exception {
    Path keystore = keystore();
    Path notAKeystore = Files.writeString(dir.resolve("junk.p12"), "not a keystore");
    assertFailsNaming(
        TallyConfig.HTTP_TLS_KEYSTORE_PATH,
        Map.of(TallyConfig.HTTP_TLS_KEYSTORE_PATH, dir.resolve("missing.p12").toString()));
    assertFailsNaming(
        TallyConfig.HTTP_TLS_KEYSTORE_PATH,
        Map.of(
            TallyConfig.HTTP_TLS_KEYSTORE_PATH,
            notAKeystore.toString(),
            TallyConfig.HTTP_TLS_KEYSTORE_PASSWORD,
            STORE_PASSWORD));
    assertFailsNaming(
        TallyConfig.HTTP_TLS_KEYSTORE_PASSWORD,
        Map.of(
            TallyConfig.HTTP_TLS_KEYSTORE_PATH,
            keystore.toString(),
            TallyConfig.HTTP_TLS_KEYSTORE_PASSWORD,
            "wrong"));
    assertFailsNaming(
        TallyConfig.HTTP_TLS_KEYSTORE_TYPE,
        Map.of(
            TallyConfig.HTTP_TLS_KEYSTORE_PATH,
            keystore.toString(),
            TallyConfig.HTTP_TLS_KEYSTORE_PASSWORD,
            STORE_PASSWORD,
            TallyConfig.HTTP_TLS_KEYSTORE_TYPE,
            "NOPE"));
    assertFailsNaming(
        TallyConfig.HTTP_TLS_KEYSTORE_PATH,
        Map.of(TallyConfig.HTTP_TLS_KEYSTORE_PASSWORD, STORE_PASSWORD));
  }

  private TallyExporter start(Map<String, String> settings) {
    Map<String, String> all = new HashMap<>(settings);
    all.put(TallyConfig.HTTP_PORT, "0");
    return TallyExporter.builder()
        .stores(new FakeMetricStores().counter("ack_received_total", 3, 1_763_892_000_000L))
        .catalog(MetricCatalog.builtin(10_000))
        .config(TallyConfig.fromMap(all))
        .start();
  }

  private void assertFailsNaming(String key, Map<String, String> settings) {
    assertThatThrownBy(() -> start(settings).close())
        .as(settings.toString())
        .isInstanceOfSatisfying(
            InvalidConfigException.class, e -> assertThat(e.key()).isEqualTo(key))
        .hasMessageStartingWith(key + ": ");
  }

  private HttpResponse<String> get(TallyExporter exporter, String path, String authorization)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(exporter.url().resolve(path));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String basic(String user, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  private Path keystore() throws Exception {
    return TestKeystores.selfSignedLocalhost(dir, STORE_PASSWORD);
  }

  /** A client context that trusts exactly the keystore's certificate. */
  private static SSLContext trusting(Path keystore) throws Exception {
    KeyStore server = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      server.load(in, STORE_PASSWORD.toCharArray());
    }
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("tally", server.getCertificate("tally"));
    TrustManagerFactory factory =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, factory.getTrustManagers(), null);
    return context;
  }
}
