package dev.tally.exporter.api;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A request the query API answers with an error: the HTTP status, a message for people, the
 * parameter at fault (or null) and further fields of the JSON body (such as {@code unavailable}).
 * Rendered as {@code {"error": message, "parameter": ..., ...details}}.
 */
public final class QueryException extends RuntimeException {
  private final int status;
  private final String parameter;
  private final Map<String, Object> details;

  public QueryException(int status, String message, String parameter, Map<String, Object> details) {
    super(message);
    this.status = status;
    this.parameter = parameter;
    this.details = Map.copyOf(details);
  }

  /** 400 naming {@code parameter}. */
  public static QueryException badParameter(String parameter, String message) {
    return new QueryException(400, message, parameter, Map.of());
  }

  /** 404 naming {@code parameter}. */
  public static QueryException notFound(String parameter, String message) {
    return new QueryException(404, message, parameter, Map.of());
  }

  /** 503: the query ran out of its time budget ({@code api.timeout}). */
  public static QueryException timeout() {
    return new QueryException(
        503,
        "the query took longer than api.timeout; narrow it or try again",
        null,
        Map.of("retryAfterSeconds", 1));
  }

  public int status() {
    return status;
  }

  /** The query parameter at fault, or null. */
  public String parameter() {
    return parameter;
  }

  /** The JSON body: {@code error}, {@code parameter} when known, then the details. */
  public Map<String, Object> body() {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", getMessage());
    if (parameter != null) {
      body.put("parameter", parameter);
    }
    body.putAll(details);
    return body;
  }
}
