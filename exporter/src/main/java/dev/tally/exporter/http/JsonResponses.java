package dev.tally.exporter.http;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Small JSON bodies for health and errors; errors are values at the boundary, never stacks. */
final class JsonResponses {
  static final String CONTENT_TYPE = "application/json; charset=utf-8";

  private JsonResponses() {}

  static void error(HttpExchange exchange, int status, String message) throws IOException {
    send(exchange, status, Map.of("error", message));
  }

  /** Sends {@code fields} as one flat JSON object (no body for HEAD). */
  static void send(HttpExchange exchange, int status, Map<String, String> fields)
      throws IOException {
    StringBuilder json = new StringBuilder("{");
    fields.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(
            f -> {
              if (json.length() > 1) {
                json.append(',');
              }
              quote(json, f.getKey()).append(':');
              quote(json, f.getValue());
            });
    byte[] body = json.append("}\n").toString().getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
    if (exchange.getRequestMethod().equals("HEAD")) {
      exchange.sendResponseHeaders(status, -1);
      return;
    }
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  static StringBuilder quote(StringBuilder out, String text) {
    out.append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"');
  }
}
