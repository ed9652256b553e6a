package dev.tally.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Base64;
import java.util.Collection;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * How a command logs in to Tally's HTTP port and which certificates it trusts: {@code --user} with
 * the password from {@code $TALLY_PASSWORD} or {@code --password-file}, and {@code --cacert}.
 * Shared by {@code tally query} and {@code tally loadgen --verify}. Passwords never come from the
 * command line, where other users of the machine see them.
 */
final class HttpLogin {
  static final String PASSWORD_ENV = "TALLY_PASSWORD";
  static final String CACERT_PASSWORD_ENV = "TALLY_CACERT_PASSWORD";

  @Spec(Spec.Target.MIXEE)
  private CommandSpec command;

  @Option(
      names = "--user",
      paramLabel = "USER",
      description =
          "Basic-auth user; the password is read from $" + PASSWORD_ENV + " or --password-file.")
  private String user;

  @Option(
      names = "--password-file",
      paramLabel = "FILE",
      description = "File holding the basic-auth password (a final line break is ignored).")
  private Path passwordFile;

  @Option(
      names = "--cacert",
      paramLabel = "FILE",
      description =
          "Certificates to trust for https instead of the JDK's: PEM, or a PKCS12 or JKS"
              + " truststore (its password, if it has one, in $"
              + CACERT_PASSWORD_ENV
              + ").")
  private Path cacert;

  /** The Authorization header these options give, or null without {@code --user}. */
  String authorization(Map<String, String> env) {
    if (user == null) {
      if (passwordFile != null) {
        throw usage("--password-file needs --user");
      }
      return null;
    }
    String password;
    if (passwordFile != null) {
      password = readPassword(passwordFile);
    } else if (env.containsKey(PASSWORD_ENV)) {
      password = env.get(PASSWORD_ENV);
    } else {
      throw usage("--user needs a password: set $" + PASSWORD_ENV + " or give --password-file");
    }
    String credentials = user + ":" + password;
    return "Basic "
        + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
  }

  private String readPassword(Path file) {
    if (!Files.isRegularFile(file)) {
      throw usage("--password-file: no such file: " + file);
    }
    try {
      String text = Files.readString(file, StandardCharsets.UTF_8);
      // Files written by echo or an editor end with a line break that is not part of the password.
      return text.endsWith("\r\n")
          ? text.substring(0, text.length() - 2)
          : text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
    } catch (IOException e) {
      throw new CliFailure("cannot read --password-file " + file + ": " + e, e);
    }
  }

  /** A TLS context trusting exactly {@code --cacert}; null for the JDK's default trust. */
  SSLContext ssl(Map<String, String> env) {
    if (cacert == null) {
      return null;
    }
    if (!Files.isRegularFile(cacert)) {
      throw usage("--cacert: no such file: " + cacert);
    }
    try {
      KeyStore trusted = trustStore(cacert, env.get(CACERT_PASSWORD_ENV));
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(trusted);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, factory.getTrustManagers(), null);
      return context;
    } catch (IOException | GeneralSecurityException e) {
      String reason = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
      throw new CliFailure(
          "--cacert "
              + cacert
              + ": not PEM certificates or a PKCS12 or JKS truststore that $"
              + CACERT_PASSWORD_ENV
              + " opens ("
              + reason
              + ")",
          e);
    }
  }

  /** The certificates of a PEM file, or the truststore a PKCS12 or JKS file holds. */
  private static KeyStore trustStore(Path file, String password)
      throws IOException, GeneralSecurityException {
    byte[] bytes = Files.readAllBytes(file);
    if (new String(bytes, StandardCharsets.US_ASCII).contains("-----BEGIN CERTIFICATE-----")) {
      Collection<? extends Certificate> certificates;
      try (InputStream in = Files.newInputStream(file)) {
        certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
      }
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int n = 0;
      for (Certificate certificate : certificates) {
        store.setCertificateEntry("cert-" + n++, certificate);
      }
      return store;
    }
    // The JDK's PKCS12 keystore type reads JKS files as well (keystore.type.compat).
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(file)) {
      store.load(in, password == null ? null : password.toCharArray());
    }
    if (store.size() == 0) {
      throw new GeneralSecurityException(
          "no certificates found; a truststore with a password needs $" + CACERT_PASSWORD_ENV);
    }
    return store;
  }

  private ParameterException usage(String message) {
    return new ParameterException(command.commandLine(), message);
  }
}
