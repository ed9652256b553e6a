package dev.tally.exporter.reliability;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * A seeded, deterministic stream of record values: valid events interleaved with mutated ones. Each
 * record carries what the contract says must happen to it, worked out from docs/events.md and the
 * JSON Schemas by hand, never by asking Tally's parser: the reason codes it may be rejected with,
 * or, for a valid event, the series it adds 1 to.
 *
 * <p>Every mutation breaks exactly one rule, so the primary reason is the one the rule names. Where
 * the contract leaves the order of two checks open (random bytes are neither UTF-8 nor JSON), the
 * record allows both reasons.
 *
 * <pre>{@code
 * PoisonRecords records = new PoisonRecords(42, "poison", Instant.now());
 * PoisonRecords.Poison next = records.next();
 * }</pre>
 */
final class PoisonRecords {
  /** The documented largest event, 64 KiB ({@code event.max.bytes}). */
  static final int MAX_EVENT_BYTES = 65_536;

  /**
   * One record value (null for a tombstone) and its fate: {@code reasons} it may be rejected with
   * (empty for a valid event), or the {@code series} a valid event adds 1 to.
   */
  record Poison(String mutation, byte[] value, List<String> reasons, String series) {
    boolean valid() {
      return reasons.isEmpty();
    }
  }

  private static final DateTimeFormatter MILLIS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSXXX", Locale.ROOT);

  private final SplittableRandom random;
  private final String service;
  private final Instant now;
  private final List<Function<Template, Poison>> mutations = new ArrayList<>();
  private long sequence;

  PoisonRecords(long seed, String service, Instant now) {
    this.random = new SplittableRandom(seed);
    this.service = service;
    this.now = now;
    addMutations();
  }

  /** The next valid event. */
  Poison nextValid() {
    Template t = template();
    // Valid variants a careless parser might refuse: other timestamp forms, extra and null fields,
    // big unknown values, extreme but finite numbers, escaped characters.
    switch (random.nextInt(10)) {
      case 0 -> t.put("timestamp", Long.toString(eventTime().toEpochMilli()));
      case 1 ->
          t.put("timestamp", string(MILLIS.format(eventTime().atOffset(ZoneOffset.ofHours(1)))));
      case 2 -> t.put("timestamp", string(iso(eventTime()).replace('T', 't').replace('Z', 'z')));
      case 3 -> t.put("trace_id", "null");
      case 4 -> t.put("producer_note", string("x".repeat(1 + random.nextInt(4_000))));
      case 5 -> {
        int depth = 1 + random.nextInt(900);
        t.put("nested", "[".repeat(depth) + "]".repeat(depth));
      }
      case 6 -> t.put("emoji_\\u00e9", string("\\ud83d\\ude00 ok \\u0000 \\\" \\\\"));
      case 7 -> t.put("big_unknown_number", "1e999999999");
      case 8 -> t.put("labels", "{\"region\":\"eu\",\"tier\":\"" + "t".repeat(256) + "\"}");
      default -> {}
    }
    if (t.type.equals("delivery.delivered") && random.nextInt(4) == 0) {
      String[] extremes = {"1.7976931348623157e308", "4.9e-324", "0", "-0.0", "0.375", "1E2"};
      t.put("latency_ms", extremes[random.nextInt(extremes.length)]);
    }
    return new Poison("valid", t.bytes(), List.of(), t.series);
  }

  /** The next mutated record: one of the mutations, chosen at random. */
  Poison nextMutated() {
    return mutations.get(random.nextInt(mutations.size())).apply(template());
  }

  private void addMutations() {
    // Not JSON.
    mutations.add(
        t -> {
          byte[] whole = t.bytes();
          int cut = random.nextInt(whole.length);
          return bad("truncated", java.util.Arrays.copyOf(whole, cut), "not_json");
        });
    mutations.add(
        t ->
            bad(
                "trailing garbage",
                (t.json() + " {}").getBytes(StandardCharsets.UTF_8),
                "not_json"));
    mutations.add(t -> bad("empty", new byte[0], "not_json"));
    mutations.add(t -> bad("tombstone", null, "not_json"));
    mutations.add(
        t ->
            bad(
                "duplicate key",
                t.json()
                    .replace("\"instance\":", "\"service\":\"x\",\"instance\":")
                    .getBytes(StandardCharsets.UTF_8),
                "not_json"));
    mutations.add(
        t -> {
          t.put("labels", "{\"a\":\"1\",\"a\":\"2\"}");
          return bad("duplicate label key", t.bytes(), "not_json");
        });
    mutations.add(
        t -> {
          StringBuilder garbage = new StringBuilder("{");
          int n = random.nextInt(2_000);
          for (int i = 0; i < n; i++) {
            char c = (char) (0x20 + random.nextInt(0x5f));
            garbage.append(c == '}' ? 'x' : c);
          }
          return bad(
              "printable garbage", garbage.toString().getBytes(StandardCharsets.UTF_8), "not_json");
        });
    // The JSON reader's documented limits: nesting deeper than 1,000, numbers longer than 1,000
    // characters, names longer than 50,000 (docs/events.md, not_json).
    mutations.add(
        t -> {
          int depth = 1_001 + random.nextInt(4_000);
          t.put("nested", "[".repeat(depth) + "]".repeat(depth));
          return bad("nesting deeper than 1000", t.bytes(), "not_json");
        });
    mutations.add(
        t -> {
          t.put("big_number", "1" + "0".repeat(1_000 + random.nextInt(1_000)));
          return bad("number longer than 1000", t.bytes(), "not_json");
        });
    mutations.add(
        t -> {
          t.put("n" + "x".repeat(50_000), "1");
          return bad("name longer than 50000", t.bytes(), "not_json");
        });
    // Random bytes: neither UTF-8 nor JSON; the contract does not order the two checks.
    mutations.add(
        t -> {
          byte[] bytes = new byte[1 + random.nextInt(4_000)];
          random.nextBytes(bytes);
          bytes[0] = (byte) (0x80 | random.nextInt(0x80));
          return bad("binary", bytes, "invalid_utf8", "not_json");
        });
    // Not an object.
    mutations.add(
        t -> {
          String[] values = {
            "[" + t.json() + "]", "\"" + t.type + "\"", "42", "null", "true", "[]"
          };
          return bad(
              "not an object",
              values[random.nextInt(values.length)].getBytes(StandardCharsets.UTF_8),
              "not_an_object");
        });
    // Invalid UTF-8 inside an otherwise valid event.
    mutations.add(t -> bad("overlong slash", withBytesInService(t, 0xC0, 0xAF), "invalid_utf8"));
    mutations.add(t -> bad("lone continuation byte", withBytesInService(t, 0x80), "invalid_utf8"));
    mutations.add(
        t -> bad("encoded surrogate", withBytesInService(t, 0xED, 0xA0, 0x80), "invalid_utf8"));
    mutations.add(t -> bad("cut multi-byte", withBytesInService(t, 0xE2, 0x82), "invalid_utf8"));
    mutations.add(t -> bad("raw NUL byte", withBytesInService(t, 0x00), "invalid_utf8"));
    mutations.add(t -> bad("UTF-16", t.json().getBytes(StandardCharsets.UTF_16LE), "invalid_utf8"));
    // Escaped lone surrogates, in envelope, type and unknown fields.
    mutations.add(
        t -> {
          String[] fields = {"service", "instance", "event_id", "surrogate_note"};
          String[] lone = {"\\ud800", "\\udfff", "a\\ud83d", "\\ude00b"};
          t.put(fields[random.nextInt(fields.length)], string(lone[random.nextInt(lone.length)]));
          return bad("lone surrogate", t.bytes(), "invalid_utf8");
        });
    // Wrong types.
    mutations.add(
        t -> {
          String[][] wrong = {
            {"service", "12"},
            {"instance", "null"},
            {"event_id", "{}"},
            {"timestamp", "true"},
            {"timestamp", "1795435170123.5"},
            {"labels", "[\"a\"]"},
            {"labels", "{\"a\":1}"},
            {"labels", "{\"a\":" + "{\"b\":".repeat(50) + "\"c\"" + "}".repeat(50) + "}"},
            {"type", "7"},
            {"schema_version", "\"1\""},
            {"trace_id", "5"},
          };
          String[] pick = wrong[random.nextInt(wrong.length)];
          t.put(pick[0], pick[1]);
          return bad("wrong type of " + pick[0], t.bytes(), "wrong_type");
        });
    mutations.add(
        t -> {
          Template d = delivered();
          d.put("latency_ms", random.nextBoolean() ? "\"12\"" : "[12]");
          return bad("latency as string", d.bytes(), "wrong_type");
        });
    mutations.add(
        t -> {
          Template q = queueDepth();
          q.put("depth", "1.5");
          return bad("fractional count", q.bytes(), "wrong_type");
        });
    // Huge strings.
    mutations.add(
        t -> {
          Template c = cacheMiss();
          c.put("cache", string("c".repeat(257 + random.nextInt(4_000))));
          return bad("name too long", c.bytes(), "invalid_value");
        });
    mutations.add(
        t -> {
          t.put("event_id", string("e".repeat(129 + random.nextInt(4_000))));
          return bad("id too long", t.bytes(), "invalid_value");
        });
    mutations.add(
        t -> {
          t.put("labels", "{\"region\":" + string("r".repeat(257 + random.nextInt(4_000))) + "}");
          return bad("label value too long", t.bytes(), "label_value_too_long");
        });
    mutations.add(
        t -> {
          t.put("labels", "{\"region\":" + string("\\u00e9".repeat(257)) + "}");
          return bad("multi-byte label value too long", t.bytes(), "label_value_too_long");
        });
    // Size: 64 KiB and one byte more, or far more; the limit itself is valid (see nextAtLimit).
    mutations.add(
        t -> {
          int size = random.nextInt(40) == 0 ? 1_000_000 : MAX_EVENT_BYTES + 1;
          return bad("larger than 64 KiB", padded(t, size), "event_too_large");
        });
    // Numbers.
    mutations.add(
        t -> {
          Template d = delivered();
          String[] values = {"1e400", "NaN", "Infinity", "-Infinity", "1" + "0".repeat(400)};
          d.put("latency_ms", values[random.nextInt(values.length)]);
          return bad("not finite", d.bytes(), "not_finite");
        });
    mutations.add(
        t -> {
          Template d = delivered();
          String[] values = {"-3", "-1e-300", "-4.9e-324", "-0.001"};
          d.put("latency_ms", values[random.nextInt(values.length)]);
          return bad("negative latency", d.bytes(), "negative_duration");
        });
    mutations.add(
        t -> {
          Template h = httpRequest();
          String[] values = {"600", "99", "1e3", "-200"};
          h.put("status", values[random.nextInt(values.length)]);
          return bad("status out of range", h.bytes(), "invalid_value");
        });
    mutations.add(
        t -> {
          Template q = queueDepth();
          q.put("depth", random.nextBoolean() ? "1e30" : "18446744073709551616");
          return bad("count beyond 64 bits", q.bytes(), "invalid_value");
        });
    mutations.add(
        t -> {
          String[] values = {"2", "0", "-1", "99999999999"};
          t.put("schema_version", values[random.nextInt(values.length)]);
          return bad("schema version", t.bytes(), "unsupported_version");
        });
    // Fields and values.
    mutations.add(
        t -> {
          t.put("type", string(random.nextBoolean() ? "ack.timout" : "ACK.TIMEOUT"));
          return bad("unknown type", t.bytes(), "unknown_type");
        });
    mutations.add(
        t -> {
          String[] required = {
            "type", "schema_version", "service", "instance", "event_id", "timestamp"
          };
          t.fields.remove(required[random.nextInt(required.length)]);
          return bad("missing field", t.bytes(), "missing_field");
        });
    mutations.add(
        t -> {
          t.put("service", "\"\"");
          return bad("empty service", t.bytes(), "invalid_value");
        });
    // Timestamps.
    mutations.add(
        t -> {
          String[] values = {
            "\"2026-02-30T12:00:00Z\"",
            "\"2026-11-23T12:00:00\"",
            "\"yesterday\"",
            "\"1795435170123\""
          };
          t.put("timestamp", values[random.nextInt(values.length)]);
          return bad("invalid timestamp", t.bytes(), "invalid_timestamp");
        });
    mutations.add(
        t -> {
          String[] values = {"1795435170", "0", "-1", "\"1999-12-31T23:59:59Z\""};
          t.put("timestamp", values[random.nextInt(values.length)]);
          return bad("timestamp too old", t.bytes(), "timestamp_too_old");
        });
    mutations.add(
        t -> {
          long ahead = now.toEpochMilli() + 3_600_000L + random.nextInt(1_000_000_000);
          t.put(
              "timestamp",
              random.nextBoolean()
                  ? Long.toString(ahead)
                  : string(iso(Instant.ofEpochMilli(ahead))));
          return bad("timestamp in future", t.bytes(), "timestamp_in_future");
        });
    // Labels.
    mutations.add(
        t -> {
          StringBuilder labels = new StringBuilder("{");
          for (int i = 0; i < 17; i++) {
            labels.append(i == 0 ? "" : ",").append("\"l").append(i).append("\":\"v\"");
          }
          t.put("labels", labels.append('}').toString());
          return bad("17 labels", t.bytes(), "too_many_labels");
        });
    mutations.add(
        t -> {
          t.put("labels", random.nextBoolean() ? "{\"app-name\":\"x\"}" : "{\"9lives\":\"x\"}");
          return bad("label name", t.bytes(), "invalid_label_name");
        });
    mutations.add(
        t -> {
          t.put("labels", "{\"__name__\":\"x\"}");
          return bad("reserved label", t.bytes(), "reserved_label_name");
        });
  }

  /** A valid event of exactly {@code size} bytes, padded with an unknown field. */
  Poison atSize(int size) {
    Template t = template();
    return new Poison("valid at " + size + " bytes", padded(t, size), List.of(), t.series);
  }

  private static byte[] padded(Template t, int size) {
    t.put("pad", "\"\"");
    int missing = size - t.bytes().length;
    t.put("pad", string("p".repeat(missing)));
    byte[] bytes = t.bytes();
    if (bytes.length != size) {
      throw new IllegalStateException("padding gave " + bytes.length + " bytes, not " + size);
    }
    return bytes;
  }

  private static byte[] withBytesInService(Template t, int... raw) {
    String marker = "\u0001MARK\u0001";
    t.put("service", string("svc" + marker));
    byte[] json = t.bytes();
    String text = new String(json, StandardCharsets.UTF_8);
    int at = text.indexOf(marker);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] before = text.substring(0, at).getBytes(StandardCharsets.UTF_8);
    byte[] after = text.substring(at + marker.length()).getBytes(StandardCharsets.UTF_8);
    out.writeBytes(before);
    for (int b : raw) {
      out.write(b);
    }
    out.writeBytes(after);
    return out.toByteArray();
  }

  private static Poison bad(String mutation, byte[] value, String... reasons) {
    return new Poison(mutation, value, List.of(reasons), null);
  }

  private Template template() {
    return switch (random.nextInt(3)) {
      case 0 -> envelope("ack.timeout", "ack_timeouts_total");
      case 1 -> cacheMiss();
      default -> delivered();
    };
  }

  private Template cacheMiss() {
    String cache = random.nextBoolean() ? "redis" : "local";
    Template t = envelope("cache.miss", "cache_misses_total");
    t.put("cache", string(cache));
    t.series = "cache_misses_total{cache=\"" + cache + "\",service=\"" + service + "\"}";
    return t;
  }

  private Template delivered() {
    Template t = envelope("delivery.delivered", "delivery_messages_delivered_total");
    t.put("latency_ms", Double.toString(random.nextDouble() * 100));
    return t;
  }

  private Template httpRequest() {
    Template t = envelope("http.request", "http_requests_total");
    t.put("method", "\"GET\"");
    t.put("route", "\"/v1/items\"");
    t.put("status", "200");
    t.put("duration_ms", "1.5");
    return t;
  }

  private Template queueDepth() {
    Template t = envelope("queue.depth", null);
    t.put("queue", "\"jobs\"");
    t.put("depth", "3");
    return t;
  }

  private Template envelope(String type, String counter) {
    Template t = new Template(type);
    t.put("type", string(type));
    t.put("schema_version", "1");
    t.put("service", string(service));
    t.put("instance", string(service + "-" + random.nextInt(3)));
    t.put(
        "event_id",
        string(service + "-" + (sequence++) + "-" + Long.toHexString(random.nextLong())));
    t.put("timestamp", string(iso(eventTime())));
    t.series = counter == null ? null : counter + "{service=\"" + service + "\"}";
    return t;
  }

  /** Within the last minute: well inside every window's retention and the future skew. */
  private Instant eventTime() {
    return now.minusMillis(random.nextInt(60_000));
  }

  private static String iso(Instant instant) {
    return MILLIS.format(instant.atOffset(ZoneOffset.UTC));
  }

  /** A JSON string of {@code escaped}, which must already be valid inside quotes. */
  private static String string(String escaped) {
    return "\"" + escaped + "\"";
  }

  /** A flat event as field → raw JSON value, in writing order. */
  private static final class Template {
    final String type;
    final Map<String, String> fields = new LinkedHashMap<>();
    String series;

    Template(String type) {
      this.type = type;
    }

    void put(String field, String rawJson) {
      fields.put(field, rawJson);
    }

    String json() {
      StringBuilder json = new StringBuilder("{");
      fields.forEach(
          (k, v) ->
              json.append(json.length() == 1 ? "" : ",")
                  .append('"')
                  .append(k)
                  .append("\":")
                  .append(v));
      return json.append('}').toString();
    }

    byte[] bytes() {
      return json().getBytes(StandardCharsets.UTF_8);
    }
  }
}
