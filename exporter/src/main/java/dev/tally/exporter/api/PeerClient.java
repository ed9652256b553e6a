package dev.tally.exporter.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLContext;

/**
 * Calls another Tally instance's internal read endpoint ({@code /api/v1/internal/...}) with the
 * JDK's HTTP client: the caller's {@code Authorization} header is passed on (every instance has the
 * same credentials), TLS trusts Tally's own keystore, and every call has a timeout, so a slow or
 * dead peer costs at most the query's time budget.
 */
final class PeerClient {
  private final HttpClient client;
  private final String scheme;
  private final ObjectMapper json;

  /**
   * @param tls the context to reach peers over HTTPS, or null for plain HTTP
   */
  PeerClient(SSLContext tls, ObjectMapper json) {
    HttpClient.Builder builder =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER);
    if (tls != null) {
      builder.sslContext(tls);
    }
    this.client = builder.build();
    this.scheme = tls == null ? "http" : "https";
    this.json = json;
  }

  /** A peer's answer: its HTTP status and JSON body. */
  record Answer(int status, Map<String, Object> body) {}

  /**
   * GETs {@code path} on {@code server} ({@code host:port}) with {@code params}.
   *
   * @return the answer; completes exceptionally when the peer cannot be reached in time or its
   *     answer is no JSON object
   */
  CompletableFuture<Answer> get(
      String server,
      String path,
      Map<String, List<String>> params,
      String authorization,
      Duration timeout) {
    URI uri = URI.create(scheme + "://" + server + path + "?" + query(params));
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json").GET();
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return client
        .sendAsync(request.build(), HttpResponse.BodyHandlers.ofByteArray())
        .thenApply(
            response -> {
              try {
                @SuppressWarnings("unchecked")
                Map<String, Object> body = json.readValue(response.body(), Map.class);
                return new Answer(response.statusCode(), body);
              } catch (IOException e) {
                throw new IllegalStateException(
                    "answered " + response.statusCode() + " without a JSON body");
              }
            });
  }

  static String query(Map<String, List<String>> params) {
    StringBuilder sb = new StringBuilder();
    params.forEach(
        (name, values) -> {
          for (String value : values) {
            if (sb.length() > 0) {
              sb.append('&');
            }
            sb.append(URLEncoder.encode(name, StandardCharsets.UTF_8))
                .append('=')
                .append(URLEncoder.encode(value, StandardCharsets.UTF_8));
          }
        });
    return sb.toString();
  }
}
