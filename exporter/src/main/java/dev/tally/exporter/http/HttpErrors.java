package dev.tally.exporter.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Tally's JSON bodies: errors as {@code {"error": "...", ...}} for any status, and the health
 * checks' small objects. One {@link ObjectMapper} renders them; each body ends with a line break,
 * as {@code curl} users expect.
 *
 * <pre>{@code
 * HttpErrors.respond(ctx, new ApiException(404, "no series " + id));
 * HttpErrors.json(ctx, 200, Map.of("status", "live"));
 * routes.addHttpHandler(HandlerType.POST, "/api/v1/totals", HttpErrors::notAllowed);
 * }</pre>
 */
public final class HttpErrors {
  /** The {@code Content-Type} of every JSON body, as Jetty writes it (no space before charset). */
  public static final String CONTENT_TYPE = "application/json;charset=utf-8";

  /** The methods a GET-and-HEAD path answers with {@link #notAllowed} (405). */
  public static final List<HandlerType> OTHER_METHODS =
      List.of(
          HandlerType.POST,
          HandlerType.PUT,
          HandlerType.PATCH,
          HandlerType.DELETE,
          HandlerType.OPTIONS,
          HandlerType.TRACE);

  /** The methods every Tally path takes: they only read. */
  private static final String READ_METHODS = "GET, HEAD";

  static final ObjectMapper MAPPER = new ObjectMapper();

  private HttpErrors() {}

  /** Answers with {@code error}'s status, headers and JSON body. */
  public static void respond(Context ctx, ApiException error) {
    error.headers().forEach(ctx::header);
    json(ctx, error.status(), body(error.getMessage(), error.extra()));
  }

  /**
   * Answers a method the path does not take (Tally's paths read only): 405, {@code Allow: GET,
   * HEAD} and the method and path in the JSON error. A {@link io.javalin.http.Handler} for the
   * other methods of a route.
   */
  public static void notAllowed(Context ctx) {
    respond(
        ctx,
        new ApiException(
            405,
            ctx.method().name() + " is not allowed on " + ctx.path(),
            Map.of(),
            Map.of("Allow", READ_METHODS)));
  }

  /** The body of an error: {@code error} first, then {@code extra} in its order. */
  public static Map<String, Object> body(String message, Map<String, Object> extra) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", message);
    body.putAll(extra);
    return body;
  }

  /** Answers {@code status} with {@code body} as JSON; never cached (health and errors change). */
  public static void json(Context ctx, int status, Object body) {
    ctx.status(status);
    // A few bytes: sent as they are, even where a failed scrape had asked for gzip.
    ctx.disableCompression();
    ctx.header("Cache-Control", "no-store");
    ctx.contentType(CONTENT_TYPE);
    ctx.result(bytes(body));
  }

  /** {@code body} as JSON and a line break. */
  public static byte[] bytes(Object body) {
    try {
      return (MAPPER.writeValueAsString(body) + "\n").getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not renderable as JSON: " + body.getClass(), e);
    }
  }
}
