package dev.tally.exporter.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real headless Chromium (Debian's {@code chromium}) driven over the Chrome DevTools Protocol
 * with the JDK's own WebSocket client: no driver binary and no browser-automation library whose
 * protocol version must match the browser's.
 *
 * <p>It answers basic-auth challenges the way a person answers the browser's prompt (the
 * credentials then go with every same-origin request), accepts the test's self-signed certificate,
 * and records every console error, uncaught exception and failed resource load.
 *
 * <pre>{@code
 * try (HeadlessChromium chromium = HeadlessChromium.start("ops", "s3cret")) {
 *   chromium.open(url);
 *   chromium.await("document.querySelector('table') !== null", Duration.ofSeconds(30));
 * }
 * }</pre>
 */
final class HeadlessChromium implements AutoCloseable {
  private static final Pattern DEVTOOLS = Pattern.compile("DevTools listening on (ws://\\S+)");
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

  private final Process process;
  private final Path profile;
  private final WebSocket socket;
  private final ObjectMapper json = new ObjectMapper();
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<JsonNode>> calls = new ConcurrentHashMap<>();
  private final List<String> errors = new CopyOnWriteArrayList<>();
  private final String username;
  private final String password;

  private HeadlessChromium(
      Process process, Path profile, URI page, String username, String password) throws Exception {
    this.process = process;
    this.profile = profile;
    this.username = username;
    this.password = password;
    this.socket =
        HttpClient.newHttpClient()
            .newWebSocketBuilder()
            .buildAsync(page, new Listener())
            .get(30, TimeUnit.SECONDS);
    call("Page.enable", Map.of());
    call("Runtime.enable", Map.of());
    call("Log.enable", Map.of());
    // Every request pauses until continued; auth challenges come as Fetch.authRequired.
    call("Fetch.enable", Map.of("handleAuthRequests", true));
  }

  /**
   * The Chromium binary: {@code -Dconsole.chromium=PATH}, else {@code chromium} or {@code
   * chromium-browser} on the PATH.
   */
  static Optional<Path> binary() {
    String configured = System.getProperty("console.chromium", "");
    if (!configured.isEmpty()) {
      return Optional.of(Path.of(configured)).filter(Files::isExecutable);
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      for (String name : List.of("chromium", "chromium-browser")) {
        Path candidate = Path.of(dir, name);
        if (Files.isExecutable(candidate)) {
          return Optional.of(candidate);
        }
      }
    }
    return Optional.empty();
  }

  /** Starts Chromium; {@code username} and {@code password} answer basic-auth prompts. */
  static HeadlessChromium start(Path binary, String username, String password) throws Exception {
    Path profile = Files.createTempDirectory("tally-chromium");
    Process process =
        new ProcessBuilder(
                binary.toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--hide-scrollbars",
                "--no-first-run",
                "--disable-extensions",
                "--disable-background-networking",
                "--disable-component-update",
                // The test's certificate is self-signed; the TLS handshake still happens.
                "--ignore-certificate-errors",
                "--remote-debugging-port=0",
                "--user-data-dir=" + profile,
                "--window-size=1280,900",
                "about:blank")
            .redirectErrorStream(true)
            .start();
    String browserUrl = null;
    BufferedReader out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    StringBuilder seen = new StringBuilder();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    String line;
    while (System.nanoTime() < deadline && (line = out.readLine()) != null) {
      seen.append(line).append('\n');
      Matcher m = DEVTOOLS.matcher(line);
      if (m.find()) {
        browserUrl = m.group(1);
        break;
      }
    }
    if (browserUrl == null) {
      process.destroyForcibly();
      throw new IllegalStateException("Chromium did not open its DevTools port:\n" + seen);
    }
    // Keep draining its output so that it never blocks on a full pipe.
    Thread drain =
        new Thread(
            () -> {
              try {
                out.transferTo(java.io.Writer.nullWriter());
              } catch (IOException e) {
                // The browser is gone.
              }
            },
            "chromium-output");
    drain.setDaemon(true);
    drain.start();
    URI browser = URI.create(browserUrl);
    URI list = URI.create("http://" + browser.getHost() + ":" + browser.getPort() + "/json/list");
    JsonNode targets =
        new ObjectMapper()
            .readTree(
                HttpClient.newHttpClient()
                    .send(
                        HttpRequest.newBuilder(list).build(), HttpResponse.BodyHandlers.ofString())
                    .body());
    for (JsonNode target : targets) {
      if (target.path("type").asText().equals("page")) {
        return new HeadlessChromium(
            process,
            profile,
            URI.create(target.path("webSocketDebuggerUrl").asText()),
            username,
            password);
      }
    }
    process.destroyForcibly();
    throw new IllegalStateException("Chromium has no page to drive: " + targets);
  }

  /** Sets the viewport, e.g. 1280 × 900 (desktop) or 390 × 844 (a phone). */
  void viewport(int width, int height) throws Exception {
    call(
        "Emulation.setDeviceMetricsOverride",
        Map.of("width", width, "height", height, "deviceScaleFactor", 1, "mobile", width < 600));
  }

  /** Navigates to {@code url} and waits for the page's load event. */
  void open(String url) throws Exception {
    call("Page.navigate", Map.of("url", url));
    await("document.readyState === 'complete'", Duration.ofSeconds(30));
  }

  /** Evaluates {@code expression} in the page (awaiting a promise) and returns its JSON value. */
  JsonNode eval(String expression) throws Exception {
    JsonNode result =
        call(
            "Runtime.evaluate",
            Map.of("expression", expression, "returnByValue", true, "awaitPromise", true));
    if (result.has("exceptionDetails")) {
      throw new IllegalStateException(
          expression + " threw: " + result.path("exceptionDetails").toString());
    }
    return result.path("result").path("value");
  }

  /** Waits until {@code expression} is truthy in the page. */
  void await(String expression, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    JsonNode last = null;
    while (System.nanoTime() < deadline) {
      last = eval("!!(" + expression + ")");
      if (last.asBoolean()) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError(
        "within " + timeout + ", never true: " + expression + "\nconsole errors: " + errors);
  }

  /** A PNG of the page at the current viewport width, from the top, at most {@code maxHeight}. */
  byte[] screenshot(int maxHeight) throws Exception {
    int width = eval("document.documentElement.clientWidth").asInt();
    int height = Math.min(maxHeight, eval("document.documentElement.scrollHeight").asInt());
    JsonNode shot =
        call(
            "Page.captureScreenshot",
            Map.of(
                "format",
                "png",
                "captureBeyondViewport",
                true,
                "clip",
                Map.of("x", 0, "y", 0, "width", width, "height", height, "scale", 1)));
    return Base64.getDecoder().decode(shot.path("data").asText());
  }

  /** Console errors, uncaught exceptions and failed loads since the last {@link #clearErrors}. */
  List<String> errors() {
    return List.copyOf(errors);
  }

  void clearErrors() {
    errors.clear();
  }

  @Override
  public void close() throws Exception {
    try {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      // Closing anyway.
    }
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
    try (var files = Files.walk(profile)) {
      files.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
    }
  }

  private JsonNode call(String method, Map<String, Object> params) throws Exception {
    int id = ids.incrementAndGet();
    CompletableFuture<JsonNode> answer = new CompletableFuture<>();
    calls.put(id, answer);
    send(id, method, params);
    JsonNode reply = answer.get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    if (reply.has("error")) {
      throw new IllegalStateException(method + " failed: " + reply.path("error"));
    }
    return reply.path("result");
  }

  /** Sends one message; the JDK's WebSocket takes one at a time. */
  private synchronized void send(int id, String method, Map<String, Object> params) {
    ObjectNode message = json.createObjectNode();
    message.put("id", id);
    message.put("method", method);
    message.set("params", json.valueToTree(params));
    socket.sendText(message.toString(), true).join();
  }

  private void onEvent(JsonNode message) {
    JsonNode params = message.path("params");
    switch (message.path("method").asText()) {
      case "Fetch.requestPaused" ->
          send(
              ids.incrementAndGet(),
              "Fetch.continueRequest",
              Map.of("requestId", params.path("requestId").asText()));
      case "Fetch.authRequired" ->
          send(
              ids.incrementAndGet(),
              "Fetch.continueWithAuth",
              Map.of(
                  "requestId",
                  params.path("requestId").asText(),
                  "authChallengeResponse",
                  Map.of(
                      "response", "ProvideCredentials",
                      "username", username,
                      "password", password)));
      case "Runtime.exceptionThrown" ->
          errors.add("exception: " + params.path("exceptionDetails").toString());
      case "Runtime.consoleAPICalled" -> {
        if (params.path("type").asText().equals("error")) {
          errors.add("console.error: " + params.path("args").toString());
        }
      }
      case "Log.entryAdded" -> {
        JsonNode entry = params.path("entry");
        if (entry.path("level").asText().equals("error")) {
          errors.add(
              entry.path("source").asText()
                  + ": "
                  + entry.path("text").asText()
                  + " "
                  + entry.path("url").asText());
        }
      }
      default -> {}
    }
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder text = new StringBuilder();
    private final List<CompletableFuture<?>> pending = new ArrayList<>();

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        String whole = text.toString();
        text.setLength(0);
        try {
          JsonNode message = json.readTree(whole);
          if (message.has("id") && calls.containsKey(message.path("id").asInt())) {
            calls.remove(message.path("id").asInt()).complete(message);
          } else if (message.has("method")) {
            // Off the WebSocket's thread: answering an event sends, and a send must not wait
            // on the thread that delivers the replies.
            pending.removeIf(CompletableFuture::isDone);
            pending.add(CompletableFuture.runAsync(() -> onEvent(message)));
          }
        } catch (IOException e) {
          errors.add("unreadable DevTools message: " + e);
        }
      }
      ws.request(1);
      return null;
    }
  }
}
