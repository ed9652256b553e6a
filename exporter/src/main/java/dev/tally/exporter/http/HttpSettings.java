package dev.tally.exporter.http;

import dev.tally.streams.config.InvalidConfigException;
import dev.tally.streams.config.TallyConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * The HTTP side of Tally's configuration, checked at start-up: port, optional basic auth (user and
 * password, or a password file) and optional TLS (a keystore). Anything unusable fails with an
 * {@link InvalidConfigException} naming the key.
 *
 * <pre>{@code
 * HttpSettings http = HttpSettings.from(config);
 * }</pre>
 */
public record HttpSettings(int port, Optional<BasicAuth> auth, Optional<SSLContext> tls) {

  public static HttpSettings from(TallyConfig config) {
    return new HttpSettings(config.httpPort(), auth(config), tls(config));
  }

  private static Optional<BasicAuth> auth(TallyConfig config) {
    String user = config.get(TallyConfig.HTTP_AUTH_USERNAME);
    String password = config.get(TallyConfig.HTTP_AUTH_PASSWORD);
    String passwordFile = config.get(TallyConfig.HTTP_AUTH_PASSWORD_FILE);
    if (user.isEmpty()) {
      if (!password.isEmpty() || !passwordFile.isEmpty()) {
        throw new InvalidConfigException(
            TallyConfig.HTTP_AUTH_USERNAME, "must be set when a basic-auth password is set");
      }
      return Optional.empty();
    }
    if (user.contains(":")) {
      throw new InvalidConfigException(TallyConfig.HTTP_AUTH_USERNAME, "must not contain ':'");
    }
    if (!password.isEmpty() && !passwordFile.isEmpty()) {
      throw new InvalidConfigException(
          TallyConfig.HTTP_AUTH_PASSWORD_FILE,
          "set either " + TallyConfig.HTTP_AUTH_PASSWORD + " or this, not both");
    }
    byte[] secret =
        passwordFile.isEmpty()
            ? password.getBytes(StandardCharsets.UTF_8)
            : readPasswordFile(Path.of(passwordFile));
    try {
      return Optional.of(BasicAuth.of(user, secret));
    } finally {
      Arrays.fill(secret, (byte) 0);
    }
  }

  /** The file's content without one trailing line break, as {@code echo secret > file} writes. */
  private static byte[] readPasswordFile(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new InvalidConfigException(
          TallyConfig.HTTP_AUTH_PASSWORD_FILE, "cannot read " + file + ": " + e);
    }
    int end = bytes.length;
    if (end > 0 && bytes[end - 1] == '\n') {
      end--;
      if (end > 0 && bytes[end - 1] == '\r') {
        end--;
      }
    }
    if (end == 0) {
      throw new InvalidConfigException(TallyConfig.HTTP_AUTH_PASSWORD_FILE, file + " is empty");
    }
    byte[] password = Arrays.copyOf(bytes, end);
    Arrays.fill(bytes, (byte) 0);
    return password;
  }

  private static Optional<SSLContext> tls(TallyConfig config) {
    String path = config.get(TallyConfig.HTTP_TLS_KEYSTORE_PATH);
    if (path.isEmpty()) {
      if (!config.get(TallyConfig.HTTP_TLS_KEYSTORE_PASSWORD).isEmpty()) {
        throw new InvalidConfigException(
            TallyConfig.HTTP_TLS_KEYSTORE_PATH, "must be set when a keystore password is set");
      }
      return Optional.empty();
    }
    return Optional.of(
        TlsContexts.fromKeystore(
            Path.of(path),
            config.get(TallyConfig.HTTP_TLS_KEYSTORE_PASSWORD).toCharArray(),
            config.get(TallyConfig.HTTP_TLS_KEYSTORE_TYPE)));
  }
}
