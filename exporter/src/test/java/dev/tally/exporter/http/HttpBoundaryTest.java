package dev.tally.exporter.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the port answers to requests Tally's routes never see or that fail on purpose: always a JSON
 * error with a 4xx or 5xx status, never an HTML page or a stack trace.
 */
class HttpBoundaryTest {
  private final HttpClient client = HttpClient.newHttpClient();
  private final TallyHttpServer server =
      TallyHttpServer.builder()
          .port(0)
          .bindAddress(InetAddress.getLoopbackAddress())
          .registry(new PrometheusRegistry())
          .readiness(() -> Readiness.READY)
          .auth(BasicAuth.of("prometheus", "pw".getBytes(StandardCharsets.UTF_8)))
          .api(
              routes -> {
                routes.get(
                    "/api/v1/series/{id}",
                    ctx -> {
                      throw new ApiException(
                          503,
                          "stores are restoring",
                          Map.of("state", "REBALANCING"),
                          Map.of("Retry-After", "5"));
                    });
                routes.get("/api/v1/echo", ctx -> ctx.json(Map.of("id", ctx.queryParam("id"))));
              })
          .start();

  private static final String AUTH =
      "Basic "
          + Base64.getEncoder().encodeToString("prometheus:pw".getBytes(StandardCharsets.UTF_8));

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void shouldAnswerAnApiExceptionWithItsStatusFieldsAndHeaders() throws Exception {
    HttpResponse<String> response = get("api/v1/series/42", AUTH);

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.headers().firstValue("Retry-After")).hasValue("5");
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValue("application/json;charset=utf-8");
    assertThat(response.body())
        .isEqualTo("{\"error\":\"stores are restoring\",\"state\":\"REBALANCING\"}\n");
  }

  @Test
  void shouldServeApiRoutesWithJacksonBehindTheSameAuth() throws Exception {
    HttpResponse<String> echo = get("api/v1/echo?id=a%22b", AUTH);

    assertThat(echo.statusCode()).isEqualTo(200);
    assertThat(echo.body()).isEqualTo("{\"id\":\"a\\\"b\"}");
    assertThat(get("api/v1/echo?id=x", null).statusCode()).isEqualTo(401);
    assertThat(get("api/v1/series/42", null).statusCode()).isEqualTo(401);
  }

  @Test
  void shouldAnswerUnregisteredApiPathsWithJson404() throws Exception {
    HttpResponse<String> response = get("api/v1/nothing-here", AUTH);

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(response.body())
        .isEqualTo("{\"error\":\"no query API endpoint at /api/v1/nothing-here\"}\n");
  }

  @Test
  void shouldAnswerAScrapeWithNoAcceptableFormatWithJson406() throws Exception {
    HttpResponse<String> response =
        client.send(
            HttpRequest.newBuilder(server.url().resolve("metrics"))
                .header("Authorization", AUTH)
                .header("Accept", "text/plain;q=0, application/json")
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(406);
    assertThat(response.body())
        .startsWith("{\"error\":\"no acceptable format; this endpoint offers ");
  }

  @Test
  void shouldAnswerADoubleSlashPathWithJson404() throws Exception {
    String response = raw("GET //metrics HTTP/1.1\r\nHost: localhost\r\nAuthorization: " + AUTH);

    assertThat(response).startsWith("HTTP/1.1 404 ");
    assertJsonError(response);
  }

  @Test
  void shouldAnswerMalformedRequestsWithJsonErrors() throws Exception {
    Map<String, String> expected = new java.util.LinkedHashMap<>();
    expected.put("GET /metrics%zz HTTP/1.1\r\nHost: localhost", "400");
    expected.put("GET /%2e%2e/metrics HTTP/1.1\r\nHost: localhost", "400");
    expected.put(
        "GET /metrics HTTP/1.1\r\nHost: localhost\r\nX-Big: " + "x".repeat(16 * 1024), "431");
    // A version Jetty does not speak (garbage in its place too) is a 505, the status made for it.
    expected.put("GET /metrics HTTP/7.3\r\nHost: localhost", "505");
    expected.put("NOT A REQUEST\r\n", "505");
    for (Map.Entry<String, String> e : expected.entrySet()) {
      String response = raw(e.getKey());

      assertThat(response).as(e.getKey()).startsWith("HTTP/1.1 " + e.getValue() + " ");
      assertJsonError(response);
    }
  }

  @Test
  void shouldAnswerMalformedRequestsOfEveryMethodWithJsonErrors() throws Exception {
    for (String method : java.util.List.of("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS")) {
      String response = raw(method + " /api/v1/query/%c0%af HTTP/1.1\r\nHost: localhost");

      assertThat(response).as(method).startsWith("HTTP/1.1 400 ");
      if (!method.equals("HEAD")) {
        assertJsonError(response);
      }
    }
  }

  @Test
  void shouldNotServeHealthOrUnknownPathsWithoutCredentials() throws Exception {
    HttpResponse<String> response = get("health/ready", null);

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.headers().firstValue("WWW-Authenticate")).isPresent();
    assertThat(response.body()).isEqualTo("{\"error\":\"authentication required\"}\n");
  }

  private static void assertJsonError(String response) {
    String lower = response.toLowerCase(java.util.Locale.ROOT);
    assertThat(lower).contains("content-type: application/json");
    assertThat(lower).doesNotContain("<html").doesNotContain("\tat ").doesNotContain("exception");
    assertThat(response).contains("{\"error\":\"");
  }

  private HttpResponse<String> get(String path, String authorization)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(server.url().resolve(path));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Sends {@code head} as it is, closing the connection after the response. */
  private String raw(String head) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write((head + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = socket.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
