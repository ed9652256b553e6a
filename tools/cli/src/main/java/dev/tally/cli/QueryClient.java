package dev.tally.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.streams.config.Durations;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.StringJoiner;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;

/**
 * GETs from Tally's query API. A 2xx answer's body is the result; anything else (an error status,
 * no connection, no answer in time) is a {@link CliFailure} with the one line to show.
 *
 * <pre>{@code
 * QueryClient client = new QueryClient(URI.create("http://localhost:8080"), null, null, timeout);
 * String body = client.get("/api/v1/totals", new QueryClient.Params().add("metric", "ack_timeouts_total"));
 * }</pre>
 */
final class QueryClient {
  private static final ObjectMapper JSON =
      // Exact numbers: a counter total beyond 2^53 or a quantile prints as the server wrote it.
      new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  private final URI base;
  private final String authorization;
  private final Duration timeout;
  private final HttpClient http;

  /**
   * @param base the server, e.g. {@code http://localhost:8080}; paths are appended to it
   * @param authorization the Authorization header to send, or null
   * @param ssl the TLS context for https, or null for the JDK's default trust
   */
  QueryClient(URI base, String authorization, SSLContext ssl, Duration timeout) {
    this.base = base;
    this.authorization = authorization;
    this.timeout = timeout;
    HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(timeout);
    if (ssl != null) {
      builder.sslContext(ssl);
    }
    this.http = builder.build();
  }

  /** Query parameters in the order added, each name and value URL-encoded. */
  static final class Params {
    private final List<String> pairs = new ArrayList<>();

    /** Adds {@code name=value}; a null value adds nothing. */
    Params add(String name, String value) {
      if (value != null) {
        pairs.add(encode(name) + "=" + encode(value));
      }
      return this;
    }

    /** Adds {@code name=value} once per value, as the API takes repeated parameters. */
    Params addEach(String name, List<String> values) {
      values.forEach(value -> add(name, value));
      return this;
    }

    String encoded() {
      return String.join("&", pairs);
    }

    private static String encode(String text) {
      // URLEncoder writes a space as '+', which only form decoders read as a space; %20 is read
      // as a space by every decoder. A literal '+' is already %2B, so every '+' left is a space.
      return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }
  }

  /** The body of a 2xx answer to {@code GET path?params}. */
  String get(String path, Params params) {
    String query = params.encoded();
    URI uri = URI.create(base + path + (query.isEmpty() ? "" : "?" + query));
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json").GET();
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    HttpResponse<String> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (HttpConnectTimeoutException e) {
      throw new CliFailure(
          "cannot reach " + base + ": no connection within " + Durations.format(timeout), e);
    } catch (HttpTimeoutException e) {
      throw new CliFailure("no answer from " + base + " within " + Durations.format(timeout), e);
    } catch (SSLException e) {
      throw new CliFailure(
          "cannot reach "
              + base
              + ": TLS: "
              + reason(e)
              + " (--cacert names the certificate or truststore to trust)",
          e);
    } catch (IOException e) {
      throw new CliFailure("cannot reach " + base + ": " + reason(e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliFailure("interrupted while waiting for " + base, e);
    }
    if (response.statusCode() / 100 != 2) {
      throw new CliFailure(failure(response));
    }
    return response.body();
  }

  /** The answer's body as JSON. */
  JsonNode parse(String body) {
    try {
      return JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw new CliFailure(
          "the answer from " + base + " is not JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** The line for an error answer: the server's own message, and for 503 what to wait for. */
  private String failure(HttpResponse<String> response) {
    int status = response.statusCode();
    JsonNode body = errorBody(response.body());
    String error = body.path("error").asText("");
    StringBuilder message = new StringBuilder();
    if (error.isEmpty()) {
      message.append("HTTP ").append(status).append(" from ").append(base);
    } else {
      message.append(error);
    }
    List<String> details = new ArrayList<>();
    if (status == 401 && authorization == null) {
      details.add("give --user, with the password in TALLY_PASSWORD or --password-file");
    }
    if (status == 503) {
      JsonNode unavailable = body.path("unavailable");
      if (unavailable.isArray() && !unavailable.isEmpty()) {
        StringJoiner names = new StringJoiner(", ", "unavailable: ", "");
        unavailable.forEach(item -> names.add(describe(item)));
        details.add(names.toString());
      }
      Optional<String> retryAfter = response.headers().firstValue("Retry-After");
      retryAfter.ifPresent(
          value -> details.add("retry after " + value + (value.matches("\\d+") ? " s" : "")));
    }
    if (!details.isEmpty()) {
      message.append(" (").append(String.join("; ", details)).append(')');
    }
    return message.toString();
  }

  private static JsonNode errorBody(String body) {
    try {
      JsonNode node = JSON.readTree(body);
      return node == null ? JSON.missingNode() : node;
    } catch (JsonProcessingException e) {
      // A proxy's HTML page, say: the status line says enough.
      return JSON.missingNode();
    }
  }

  /**
   * An item of a list the API answers with ({@code unavailable}, {@code stale}): a string as it is,
   * an object as {@code key=value} pairs.
   */
  static String describe(JsonNode item) {
    if (!item.isObject()) {
      return TextTable.text(item);
    }
    StringJoiner pairs = new StringJoiner(" ");
    item.fields()
        .forEachRemaining(
            field ->
                pairs.add(
                    field.getKey()
                        + "="
                        + (field.getValue().isNumber()
                            ? TextTable.number(field.getValue())
                            : TextTable.text(field.getValue()))));
    return pairs.toString();
  }

  /** Why a request failed, in words: the JDK's ConnectException often has no message. */
  private static String reason(Throwable failure) {
    boolean refused = false;
    String message = null;
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof UnresolvedAddressException) {
        return "unknown host";
      }
      refused |= cause instanceof ConnectException;
      if (message == null && cause.getMessage() != null && !cause.getMessage().isBlank()) {
        message = cause.getMessage();
      }
    }
    if (message != null) {
      return message;
    }
    return refused ? "connection refused" : failure.getClass().getSimpleName();
  }
}
