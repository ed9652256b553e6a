package dev.tally.exporter.http;

import java.util.Map;

/**
 * A request that cannot be answered, as a value the HTTP port turns into a JSON response: status
 * {@code status}, body {@code {"error": message, ...extra}}, and {@code headers}. Throw it from any
 * handler, the query API's included; no stack trace reaches the client or the log.
 *
 * <pre>{@code
 * throw new ApiException(503, "stores are restoring", Map.of("state", "REBALANCING"),
 *     Map.of("Retry-After", "5"));
 * throw ApiException.badRequest("match[] is required");
 * }</pre>
 */
public class ApiException extends RuntimeException {
  private final int status;
  private final Map<String, Object> extra;
  private final Map<String, String> headers;

  /**
   * @param status a 4xx or 5xx status
   * @param extra more fields of the JSON body, after {@code error}; none may be named {@code error}
   * @param headers response headers, such as {@code Retry-After}
   */
  public ApiException(
      int status, String message, Map<String, Object> extra, Map<String, String> headers) {
    super(message, null, false, false);
    if (status < 400 || status > 599) {
      throw new IllegalArgumentException("an error status is 4xx or 5xx, not " + status);
    }
    if (extra.containsKey("error")) {
      throw new IllegalArgumentException("extra fields must not be named 'error'");
    }
    this.status = status;
    this.extra = Map.copyOf(extra);
    this.headers = Map.copyOf(headers);
  }

  public ApiException(int status, String message) {
    this(status, message, Map.of(), Map.of());
  }

  public static ApiException badRequest(String message) {
    return new ApiException(400, message);
  }

  public static ApiException notFound(String message) {
    return new ApiException(404, message);
  }

  public int status() {
    return status;
  }

  public Map<String, Object> extra() {
    return extra;
  }

  public Map<String, String> headers() {
    return headers;
  }
}
