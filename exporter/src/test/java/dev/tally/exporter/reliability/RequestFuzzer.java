package dev.tally.exporter.reliability;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Seeded, deterministic HTTP requests for Tally's port: paths, query strings and headers built from
 * the port's own vocabulary (its paths, the query API's parameters and values) mixed with garbage,
 * percent-escapes, control characters, very long parts and HTTP framing errors.
 */
final class RequestFuzzer {
  private static final String[] PATHS = {
    "/metrics",
    "/health/live",
    "/health/ready",
    "/api/v1/query",
    "/api/v1/totals",
    "/api/v1/series",
    "/api/v1/metrics",
    "/api/v1/instances",
    "/api/v1/openapi.json",
    "/api/v1/internal/query",
    "/api/v1/internal/totals",
    "/api/v1/internal/series",
    "/api",
    "/api/v2/query",
    "/",
    "/favicon.ico",
    "/metrics/",
    "/health",
    "/api/v1/"
  };
  private static final String[] PARAMS = {
    "metric",
    "match",
    "from",
    "to",
    "resolution",
    "agg",
    "by",
    "q",
    "name[]",
    "debug",
    "partitions",
    "limit",
    "x",
    ""
  };
  private static final String[] VALUES = {
    "ack_timeouts_total",
    "delivery_latency_seconds",
    "cache_hit_ratio",
    "tally_events_rejected_total",
    "service=im-gateway",
    "service=~.*",
    "service!~(a+)+$",
    "service=~(",
    "nolabel=x",
    "-1h",
    "-99999d",
    "now",
    "0",
    "-1",
    "9999999999999999999",
    "1e308",
    "NaN",
    "2026-02-30T00:00:00Z",
    "10s",
    "1m",
    "1h",
    "7s",
    "sum",
    "p99",
    "p999",
    "buckets",
    "last",
    "max",
    "rate",
    "bogus",
    "0.5,0.99",
    "2",
    "-0.1",
    "openmetrics",
    "prometheus-protobuf",
    "text",
    "html",
    "service,instance",
    "%",
    "%zz",
    "%00",
    "%ff%fe",
    "%c0%af",
    "%ed%a0%80",
    "..%2f..%2f",
    "<script>",
    "'\"",
    "\\",
    "{}",
    "[]",
    "a".repeat(300),
    "\u00e9",
    "\ud83d\ude00"
  };
  private static final String[] ACCEPT = {
    "text/plain",
    "application/openmetrics-text; version=1.0.0",
    "application/json",
    "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited",
    "*/*",
    "text/*;q=0",
    "text/plain;q=abc",
    "text/plain;q=1e9",
    ";;;",
    "",
    "a/b/c",
    "application/openmetrics-text;q=0.5,text/plain;q=0.1",
    "text/html"
  };

  private final SplittableRandom random;

  RequestFuzzer(long seed) {
    this.random = new SplittableRandom(seed);
  }

  /** A path and query string as a request target, possibly malformed. */
  String target() {
    StringBuilder target = new StringBuilder(pick(PATHS));
    int segments = random.nextInt(4) == 0 ? 1 + random.nextInt(3) : 0;
    for (int i = 0; i < segments; i++) {
      target.append('/').append(encode(pick(VALUES)));
    }
    int params = random.nextInt(5);
    for (int i = 0; i < params; i++) {
      target.append(i == 0 ? '?' : '&').append(encode(pick(PARAMS)));
      if (random.nextInt(6) != 0) {
        target.append('=').append(encode(pick(VALUES)));
      }
    }
    return target.toString();
  }

  /** A target the JDK's client accepts as a URI: every unsafe character percent-escaped. */
  String safeTarget() {
    StringBuilder safe = new StringBuilder();
    byte[] bytes = target().getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < bytes.length; i++) {
      int c = bytes[i] & 0xff;
      boolean escape =
          c == '%' && (i + 2 >= bytes.length || !hex(bytes[i + 1]) || !hex(bytes[i + 2]));
      if (!escape && c > 0x20 && c < 0x7f && "\"<>\\^`{|}#[] ".indexOf(c) < 0) {
        safe.append((char) c);
      } else {
        safe.append(String.format("%%%02X", c));
      }
    }
    return safe.toString();
  }

  private static boolean hex(byte b) {
    return Character.digit(b, 16) >= 0;
  }

  /** Header name and value pairs a JDK client may send. */
  List<String[]> headers() {
    List<String[]> headers = new ArrayList<>();
    if (random.nextBoolean()) {
      headers.add(new String[] {"Accept", pick(ACCEPT)});
    }
    if (random.nextInt(3) == 0) {
      headers.add(
          new String[] {
            "Accept-Encoding", pick(new String[] {"gzip", "br", "gzip;q=0", "*", "x"})
          });
    }
    if (random.nextInt(3) == 0) {
      headers.add(
          new String[] {
            "Authorization", pick(new String[] {"Basic", "Basic !!!", "Bearer x", "Basic Og==", ""})
          });
    }
    if (random.nextInt(3) == 0) {
      headers.add(new String[] {"X-Fuzz", printable(1 + random.nextInt(500))});
    }
    return headers;
  }

  /** A whole raw request: method, target, version, headers and maybe a body, often malformed. */
  byte[] rawRequest() {
    String method =
        pick(
            new String[] {
              "GET",
              "GET",
              "GET",
              "HEAD",
              "POST",
              "PUT",
              "DELETE",
              "OPTIONS",
              "TRACE",
              "PATCH",
              "CONNECT",
              "PRI",
              "get",
              "G E T",
              "\u0000",
              "X".repeat(300)
            });
    String target =
        pick(
            new String[] {
              target(),
              target(),
              target(),
              "*",
              "http://localhost/metrics",
              "metrics",
              "/" + printable(random.nextInt(200)),
              "//metrics",
              "/%",
              "/\u00e9",
              "/metrics\u0000"
            });
    String version =
        pick(
            new String[] {
              "HTTP/1.1", "HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTTP/0.9", "HTTP/1.x", ""
            });
    StringBuilder request = new StringBuilder();
    request.append(method).append(' ').append(target);
    if (!version.isEmpty()) {
      request.append(' ').append(version);
    }
    request.append("\r\n");
    if (random.nextInt(10) != 0) {
      request.append("Host: localhost\r\n");
    }
    int extra = random.nextInt(5);
    for (int i = 0; i < extra; i++) {
      request.append(
          pick(
              new String[] {
                "Accept: " + pick(ACCEPT),
                "Host: other",
                "Content-Length: "
                    + pick(new String[] {"-1", "abc", "99999999999999999999", "5", "0"}),
                "Transfer-Encoding: " + pick(new String[] {"chunked", "gzip", "identity", "x"}),
                "Authorization: Basic " + printable(random.nextInt(40)),
                "No-Colon-Here",
                " folded: line",
                "Bad Name: x",
                ": empty-name",
                "X-Ctl: a\u0001b",
                "Expect: 100-continue",
                "Connection: upgrade",
                "Upgrade: h2c",
                "Accept-Encoding: gzip"
              }));
      request.append("\r\n");
    }
    request.append("Connection: close\r\n\r\n");
    if (random.nextInt(4) == 0) {
      request.append(pick(new String[] {"hello", "0\r\n\r\n", "zz\r\nxx\r\n", printable(100)}));
    }
    return request.toString().getBytes(StandardCharsets.UTF_8);
  }

  private String encode(String s) {
    // Sometimes as is (raw), sometimes percent-encoded byte by byte.
    if (random.nextBoolean()) {
      return s;
    }
    StringBuilder out = new StringBuilder();
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      out.append(String.format("%%%02X", b & 0xff));
    }
    return out.toString();
  }

  private String printable(int length) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < length; i++) {
      s.append((char) (0x21 + random.nextInt(0x5e)));
    }
    return s.toString();
  }

  private String pick(String[] options) {
    return options[random.nextInt(options.length)];
  }
}
