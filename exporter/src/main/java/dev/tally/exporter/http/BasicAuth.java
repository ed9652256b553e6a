package dev.tally.exporter.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;

/**
 * HTTP basic authentication against one user. Only digests of the credentials are kept, and they
 * are compared in constant time ({@link MessageDigest#isEqual}) so that neither the length nor the
 * content of the password leaks through response times.
 *
 * <pre>{@code
 * BasicAuth auth = BasicAuth.of("prometheus", passwordBytes);
 * auth.accepts(exchange.getRequestHeaders().getFirst("Authorization"));
 * }</pre>
 */
public final class BasicAuth {
  /** The challenge sent with every 401. */
  static final String CHALLENGE = "Basic realm=\"tally\", charset=\"UTF-8\"";

  private final byte[] user;
  private final byte[] password;

  private BasicAuth(byte[] user, byte[] password) {
    this.user = user;
    this.password = password;
  }

  /** {@code password} is the raw bytes (UTF-8 text); the array is not kept. */
  public static BasicAuth of(String user, byte[] password) {
    if (user.isEmpty() || user.contains(":")) {
      throw new IllegalArgumentException("a basic-auth user must not be empty or contain ':'");
    }
    return new BasicAuth(sha256(user.getBytes(StandardCharsets.UTF_8)), sha256(password));
  }

  /** Whether an {@code Authorization} header value (null when absent) names this user. */
  public boolean accepts(String authorization) {
    if (authorization == null
        || authorization.length() < 6
        || !authorization.substring(0, 6).toLowerCase(Locale.ROOT).equals("basic ")) {
      return false;
    }
    byte[] decoded;
    try {
      decoded = Base64.getDecoder().decode(authorization.substring(6).trim());
    } catch (IllegalArgumentException notBase64) {
      return false;
    }
    int colon = indexOf(decoded, (byte) ':');
    if (colon < 0) {
      return false;
    }
    byte[] givenUser = java.util.Arrays.copyOfRange(decoded, 0, colon);
    byte[] givenPassword = java.util.Arrays.copyOfRange(decoded, colon + 1, decoded.length);
    // Both comparisons always run: which part was wrong must not show in the timing either.
    boolean userMatches = MessageDigest.isEqual(sha256(givenUser), user);
    boolean passwordMatches = MessageDigest.isEqual(sha256(givenPassword), password);
    return userMatches & passwordMatches;
  }

  private static int indexOf(byte[] bytes, byte b) {
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    return -1;
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
