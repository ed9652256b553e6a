package dev.tally.exporter.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Keystores for TLS tests, made by the JDK's own keytool, and a client context that trusts one.
 *
 * <pre>{@code
 * Path keystore = TestKeystores.selfSignedLocalhost(dir, password);
 * HttpClient https =
 *     HttpClient.newBuilder().sslContext(TestKeystores.trusting(keystore, password)).build();
 * }</pre>
 */
public final class TestKeystores {
  private TestKeystores() {}

  /**
   * A PKCS12 keystore {@code tally.p12} in {@code dir} with a self-signed EC certificate for
   * localhost and 127.0.0.1 (alias {@code tally}); made once per directory.
   */
  public static Path selfSignedLocalhost(Path dir, String password) throws Exception {
    Path keystore = dir.resolve("tally.p12");
    if (Files.exists(keystore)) {
      return keystore;
    }
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    Process process =
        new ProcessBuilder(
                List.of(
                    keytool.toString(),
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
                    password))
            .redirectErrorStream(true)
            .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("keytool finished").isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    return keystore;
  }

  /**
   * A client TLS context that trusts the certificate of the PKCS12 {@code keystore}, and no other.
   */
  public static SSLContext trusting(Path keystore, String password) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      store.load(in, password.toCharArray());
    }
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(store);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), null);
    return context;
  }
}
