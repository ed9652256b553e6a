package dev.tally.exporter.console;

import dev.tally.exporter.http.ApiException;
import dev.tally.exporter.http.HttpErrors;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The web console: static pages served from the jar, {@code GET /} and {@code GET /ui/<file>}. The
 * pages are a client of the query API ({@code /api/v1/...}) and {@code /health/ready}, nothing
 * more; they run behind the port's basic auth and TLS like every other path, and their fetches
 * carry the browser's credentials because they go to the same origin.
 *
 * <p>Every answer carries a Content-Security-Policy that allows scripts, styles and fetches from
 * this origin only: the console makes no request elsewhere, and an injected inline script would not
 * run.
 *
 * <pre>{@code
 * TallyHttpServer.builder().pages(Console.routes()) ...
 * }</pre>
 */
public final class Console {
  static final String CONTENT_SECURITY_POLICY =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
          + " connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  /**
   * The files under {@code /ui/} and their media types; uPlot's script, stylesheet and license are
   * unpacked into the jar by the build (exporter/pom.xml), the rest are Tally's.
   */
  private static final Map<String, String> FILES =
      Map.of(
          "console.js", "text/javascript; charset=utf-8",
          "console.css", "text/css; charset=utf-8",
          "uplot.min.js", "text/javascript; charset=utf-8",
          "uplot.min.css", "text/css; charset=utf-8",
          "uplot.LICENSE.txt", "text/plain; charset=utf-8");

  private static final String INDEX = "index.html";

  private final Map<String, byte[]> contents;

  private Console(Map<String, byte[]> contents) {
    this.contents = contents;
  }

  /**
   * The console's routes, for {@code TallyHttpServer.Builder#pages}.
   *
   * @throws UncheckedIOException when a file is missing from the jar (a build without its
   *     generate-resources phase)
   */
  public static Consumer<RoutesConfig> routes() {
    Map<String, byte[]> contents = new LinkedHashMap<>();
    contents.put(INDEX, read(INDEX));
    FILES.keySet().forEach(name -> contents.put(name, read(name)));
    Console console = new Console(contents);
    Handler index = ctx -> console.send(ctx, INDEX, "text/html; charset=utf-8");
    Handler file =
        ctx -> {
          String name = ctx.pathParam("file");
          String type = FILES.get(name);
          if (type == null) {
            throw ApiException.notFound("no such path: " + ctx.path());
          }
          console.send(ctx, name, type);
        };
    return routes ->
        Map.of("/", index, "/ui/{file}", file)
            .forEach(
                (path, handler) -> {
                  routes.get(path, handler);
                  routes.head(path, handler);
                  for (HandlerType method : HttpErrors.OTHER_METHODS) {
                    routes.addHttpHandler(method, path, HttpErrors::notAllowed);
                  }
                });
  }

  private void send(Context ctx, String name, String type) {
    ctx.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    ctx.header("X-Content-Type-Options", "nosniff");
    ctx.header("Referrer-Policy", "no-referrer");
    // Revalidated on every load: a Tally upgrade must not leave an old script in the browser.
    ctx.header("Cache-Control", "no-cache");
    ctx.contentType(type).result(contents.get(name));
  }

  private static byte[] read(String name) {
    try (InputStream in = Console.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IOException("dev/tally/exporter/console/" + name + " is missing from the jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
