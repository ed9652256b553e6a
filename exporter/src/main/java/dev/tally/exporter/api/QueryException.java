package dev.tally.exporter.api;

import dev.tally.exporter.http.ApiException;
import dev.tally.exporter.http.HttpErrors;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A query API request answered with an error: the HTTP status, a message for people, the parameter
 * at fault (or null) and further fields of the JSON body (such as {@code unavailable}). The HTTP
 * port renders it as {@code {"error": message, "parameter": ..., ...details}}; a 503 carries {@code
 * Retry-After: 1}.
 */
public final class QueryException extends ApiException {
  /** Seconds a client should wait before asking again after a 503. */
  static final int RETRY_AFTER_SECONDS = 1;

  private final String parameter;

  public QueryException(int status, String message, String parameter, Map<String, Object> details) {
    super(
        status,
        message,
        extra(parameter, details),
        status == 503 ? Map.of("Retry-After", Integer.toString(RETRY_AFTER_SECONDS)) : Map.of());
    this.parameter = parameter;
  }

  private static Map<String, Object> extra(String parameter, Map<String, Object> details) {
    Map<String, Object> extra = new LinkedHashMap<>();
    if (parameter != null) {
      extra.put("parameter", parameter);
    }
    extra.putAll(details);
    return extra;
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
        503, "the query took longer than api.timeout; narrow it or try again", null, Map.of());
  }

  /** The query parameter at fault, or null. */
  public String parameter() {
    return parameter;
  }

  /** The JSON body the HTTP port renders: {@code error}, then the other fields. */
  public Map<String, Object> body() {
    return HttpErrors.body(getMessage(), extra());
  }
}
