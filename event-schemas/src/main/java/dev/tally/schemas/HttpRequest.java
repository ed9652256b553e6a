package dev.tally.schemas;

import java.util.Objects;
import java.util.Optional;

/**
 * An HTTP request was answered.
 *
 * <p>Wire type {@code http.request}; see {@link EventType#HTTP_REQUEST}.
 *
 * @param envelope the fields shared by every event
 * @param method the request method
 * @param route the route template or path, starting with {@code /}
 * @param status the response status code, 100 to 599
 * @param durationMs milliseconds from receiving the request to sending the response
 */
public record HttpRequest(
    Envelope envelope, Method method, String route, int status, double durationMs)
    implements Event {
  public HttpRequest {
    envelope = Events.requireType(envelope, EventType.HTTP_REQUEST);
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(route, "route");
  }

  /** An HTTP request method, upper case on the wire. */
  public enum Method {
    GET("GET"),
    HEAD("HEAD"),
    POST("POST"),
    PUT("PUT"),
    PATCH("PATCH"),
    DELETE("DELETE"),
    OPTIONS("OPTIONS"),
    CONNECT("CONNECT"),
    TRACE("TRACE");

    private final String wireName;

    Method(String wireName) {
      this.wireName = wireName;
    }

    /** The value on the wire. */
    public String wireName() {
      return wireName;
    }

    /** The constant with the given wire name; wire names are case-sensitive. */
    public static Optional<Method> fromWireName(String wireName) {
      for (Method value : values()) {
        if (value.wireName.equals(wireName)) {
          return Optional.of(value);
        }
      }
      return Optional.empty();
    }
  }
}
