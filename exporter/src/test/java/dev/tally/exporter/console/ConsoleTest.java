package dev.tally.exporter.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.exporter.http.BasicAuth;
import dev.tally.exporter.http.Readiness;
import dev.tally.exporter.http.TallyHttpServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.InetAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How the port serves the console's files: behind auth, with a strict CSP, nothing else. */
class ConsoleTest {
  private static final String AUTH =
      "Basic " + Base64.getEncoder().encodeToString("ops:pw".getBytes(StandardCharsets.UTF_8));

  private final HttpClient client = HttpClient.newHttpClient();
  private final TallyHttpServer server =
      TallyHttpServer.builder()
          .port(0)
          .bindAddress(InetAddress.getLoopbackAddress())
          .registry(new PrometheusRegistry())
          .readiness(() -> Readiness.READY)
          .auth(BasicAuth.of("ops", "pw".getBytes(StandardCharsets.UTF_8)))
          .pages(Console.routes())
          .start();

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void shouldServeTheConsoleAtTheRootWithAStrictContentSecurityPolicy() throws Exception {
    HttpResponse<String> index = get("", AUTH);

    assertThat(index.statusCode()).isEqualTo(200);
    assertThat(index.headers().firstValue("Content-Type")).hasValue("text/html;charset=utf-8");
    assertThat(index.headers().firstValue("Content-Security-Policy"))
        .hasValue(Console.CONTENT_SECURITY_POLICY);
    assertThat(index.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    assertThat(index.body()).contains("<script src=\"/ui/console.js\" defer></script>");
  }

  @Test
  void shouldServeEveryFileThePageLoadsAndUplotsLicense() throws Exception {
    for (String file :
        List.of(
            "console.js", "console.css", "uplot.min.js", "uplot.min.css", "uplot.LICENSE.txt")) {
      HttpResponse<String> response = get("ui/" + file, AUTH);
      assertThat(response.statusCode()).as(file).isEqualTo(200);
      assertThat(response.headers().firstValue("Content-Security-Policy")).as(file).isPresent();
      assertThat(response.body()).as(file).isNotEmpty();
    }
    assertThat(get("ui/uplot.LICENSE.txt", AUTH).body()).contains("The MIT License");
    assertThat(get("ui/console.js", AUTH).headers().firstValue("Content-Type"))
        .hasValue("text/javascript; charset=utf-8");
  }

  @Test
  void shouldLoadNothingFromAnotherOrigin() throws Exception {
    for (String file : List.of("", "ui/console.js", "ui/console.css")) {
      assertThat(get(file, AUTH).body()).as(file).doesNotContain("http:").doesNotContain("//cdn");
    }
  }

  @Test
  void shouldAskForCredentialsBeforeServingAnyPage() throws Exception {
    for (String path : List.of("", "ui/console.js", "ui/nothing")) {
      HttpResponse<String> response = get(path, null);
      assertThat(response.statusCode()).as(path).isEqualTo(401);
      assertThat(response.headers().firstValue("WWW-Authenticate")).as(path).isPresent();
      assertThat(response.body()).as(path).startsWith("{\"error\":");
    }
  }

  @Test
  void shouldAnswerUnknownFilesWithJson404() throws Exception {
    HttpResponse<String> response = get("ui/secret.txt", AUTH);

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(response.body()).isEqualTo("{\"error\":\"no such path: /ui/secret.txt\"}\n");
  }

  @Test
  void shouldAnswerOtherMethodsWithJson405() throws Exception {
    for (String path : List.of("", "ui/console.js")) {
      HttpResponse<String> response =
          client.send(
              HttpRequest.newBuilder(server.url().resolve(path))
                  .header("Authorization", AUTH)
                  .POST(HttpRequest.BodyPublishers.noBody())
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(path).isEqualTo(405);
      assertThat(response.headers().firstValue("Allow")).as(path).hasValue("GET, HEAD");
      assertThat(response.body()).as(path).startsWith("{\"error\":\"POST is not allowed on /");
    }
  }

  private HttpResponse<String> get(String path, String auth) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(server.url().resolve(path));
    if (auth != null) {
      request.header("Authorization", auth);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
