package dev.tally.loadgen;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * A seeded generator of realistic Tally input: every event family from a few services and
 * instances, log-normal latencies, a configurable share of bad records. Used by the topology tests,
 * the integration tests, the demo and the benchmarks, so they all share one load shape.
 *
 * <pre>{@code
 * EventLoad load = EventLoad.builder().seed(42).startMs(now).badFraction(0.01).build();
 * GeneratedEvent e = load.next();
 * }</pre>
 */
public final class EventLoad {
  private static final String[] SERVICES = {"im-gateway", "media-gateway", "event-observer"};
  private static final String[] FAILURE_REASONS = {"offline", "rate_limited", "payload_too_large"};
  private static final String[] CACHES = {"redis", "local"};
  private static final String[] QUEUES = {"jobs", "offline_messages"};
  private static final String[] METHODS = {"GET", "POST", "PUT", "DELETE"};
  private static final String[] ROUTES = {"/api/content/%d", "/api/users/%d/devices", "/health"};
  private static final int[] STATUSES = {200, 200, 200, 201, 204, 400, 404, 500, 503};
  private static final String[] ACTIONS = {"notify", "index", "webhook"};
  private static final String[] OUTCOMES = {"success", "success", "success", "failure", "timeout"};
  private static final String[] TYPES = {
    "delivery.delivered",
    "delivery.delivered",
    "delivery.delivered",
    "delivery.failed",
    "delivery.duplicate",
    "ack.received",
    "ack.received",
    "ack.timeout",
    "cache.hit",
    "cache.hit",
    "cache.miss",
    "cache.size",
    "queue.enqueued",
    "queue.processed",
    "queue.retried",
    "queue.dead_lettered",
    "queue.depth",
    "http.request",
    "http.request",
    "connection.opened",
    "connection.closed",
    "connection.error",
    "dedup.check",
    "checkpoint.saved",
    "checkpoint.recovered",
    "processing.event_processed",
    "processing.action_executed",
    "pool.sample",
    "metric.sample"
  };
  private static final List<String> BAD_KINDS =
      List.of(
          "not_json",
          "not_an_object",
          "unknown_type",
          "missing_field",
          "wrong_type",
          "negative_duration",
          "invalid_label_name");

  private final Random random;
  private final long startMs;
  private final long spreadMs;
  private final double badFraction;
  private final int instances;
  private final String topicPrefix;
  private long sequence;

  private EventLoad(Builder b) {
    this.random = new Random(b.seed);
    this.startMs = b.startMs;
    this.spreadMs = b.spreadMs;
    this.badFraction = b.badFraction;
    this.instances = b.instances;
    this.topicPrefix = b.topicPrefix;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The next record; timestamps spread uniformly over {@code [startMs, startMs + spreadMs)}. */
  public GeneratedEvent next() {
    return nextAt(startMs + (spreadMs <= 0 ? 0 : (long) (random.nextDouble() * spreadMs)));
  }

  /** The next record, stamped {@code ts} (live load: the current time). */
  public GeneratedEvent nextAt(long ts) {
    sequence++;
    String service = SERVICES[random.nextInt(SERVICES.length)];
    String instance = service + "-" + random.nextInt(instances);
    String topic = topicPrefix + service;
    if (random.nextDouble() < badFraction) {
      return bad(topic, service, instance, ts);
    }
    String type = TYPES[random.nextInt(TYPES.length)];
    Map<String, Object> fields = fields(type);
    Map<String, String> labels = random.nextInt(10) == 0 ? Map.of("region", "eu-1") : Map.of();
    return new GeneratedEvent(
        topic,
        type,
        service,
        instance,
        ts,
        fields,
        json(type, service, instance, ts, fields, labels),
        null);
  }

  private Map<String, Object> fields(String type) {
    Map<String, Object> f = new LinkedHashMap<>();
    switch (type) {
      case "delivery.delivered" -> {
        f.put("latency_ms", latencyMs(40));
        if (random.nextInt(4) == 0) {
          f.put("device_count", 1 + random.nextInt(3));
        }
        if (random.nextInt(5) == 0) {
          f.put("group_id", "g" + random.nextInt(50));
          f.put("fanout", 2 + random.nextInt(200));
        }
      }
      case "delivery.failed" -> f.put("reason", pick(FAILURE_REASONS));
      case "delivery.duplicate" -> f.put("message_id", "m" + sequence);
      case "ack.received" -> f.put("latency_ms", latencyMs(80));
      case "ack.timeout" -> f.put("timeout_ms", 30000);
      case "cache.hit", "cache.miss" -> f.put("cache", pick(CACHES));
      case "cache.size" -> {
        f.put("cache", pick(CACHES));
        f.put("bytes", (long) random.nextInt(1 << 24));
        f.put("entries", (long) random.nextInt(100_000));
      }
      case "queue.enqueued" -> f.put("queue", pick(QUEUES));
      case "queue.processed" -> {
        f.put("queue", pick(QUEUES));
        f.put("duration_ms", latencyMs(250));
      }
      case "queue.retried" -> {
        f.put("queue", pick(QUEUES));
        f.put("attempt", 1 + random.nextInt(5));
      }
      case "queue.dead_lettered" -> {
        f.put("queue", pick(QUEUES));
        f.put("reason", "max_attempts");
      }
      case "queue.depth" -> {
        f.put("queue", pick(QUEUES));
        f.put("depth", (long) random.nextInt(5000));
      }
      case "http.request" -> {
        f.put("method", pick(METHODS));
        f.put("route", String.format(pick(ROUTES), random.nextInt(100_000)));
        f.put("status", STATUSES[random.nextInt(STATUSES.length)]);
        f.put("duration_ms", latencyMs(20));
      }
      case "connection.opened", "connection.closed" -> f.put("protocol", "websocket");
      case "connection.error" -> f.put("reason", "handshake_failed");
      case "dedup.check" -> f.put("duplicate", random.nextInt(20) == 0);
      case "checkpoint.saved" -> {
        f.put("checkpoint", "listener-1");
        f.put("duration_ms", latencyMs(15));
      }
      case "checkpoint.recovered" -> f.put("checkpoint", "listener-1");
      case "processing.event_processed" -> {
        f.put("duration_ms", latencyMs(5));
        f.put("outcome", random.nextInt(30) == 0 ? "failure" : "success");
        f.put("in_flight", (long) random.nextInt(64));
      }
      case "processing.action_executed" -> {
        f.put("action", pick(ACTIONS));
        f.put("outcome", pick(OUTCOMES));
        f.put("duration_ms", latencyMs(60));
      }
      case "pool.sample" -> {
        f.put("pool", "primary");
        f.put("active", (long) random.nextInt(20));
        f.put("idle", (long) random.nextInt(20));
      }
      case "metric.sample" -> {
        f.put("name", "custom_jobs_total");
        f.put("kind", "counter");
        f.put("value", (double) (1 + random.nextInt(3)));
      }
      default -> throw new IllegalStateException("no generator for " + type);
    }
    return f;
  }

  /** Log-normal latency around {@code medianMs}, rounded to microseconds like real producers. */
  private double latencyMs(double medianMs) {
    double v = medianMs * Math.exp(random.nextGaussian() * 0.8);
    return Math.round(v * 1000.0) / 1000.0;
  }

  private GeneratedEvent bad(String topic, String service, String instance, long ts) {
    String kind = BAD_KINDS.get(random.nextInt(BAD_KINDS.size()));
    Map<String, Object> fields = new LinkedHashMap<>();
    String json =
        switch (kind) {
          case "not_json" -> "{\"type\": \"delivery.delivered\", oops";
          case "not_an_object" -> "[1, 2, 3]";
          case "unknown_type" ->
              new String(
                  json("delivery.teleported", service, instance, ts, fields, Map.of()),
                  StandardCharsets.UTF_8);
          case "missing_field" ->
              new String(
                  json("ack.received", service, instance, ts, fields, Map.of()),
                  StandardCharsets.UTF_8);
          case "wrong_type" -> {
            fields.put("latency_ms", "fast");
            yield new String(
                json("ack.received", service, instance, ts, fields, Map.of()),
                StandardCharsets.UTF_8);
          }
          case "negative_duration" -> {
            fields.put("latency_ms", -5.0);
            yield new String(
                json("delivery.delivered", service, instance, ts, fields, Map.of()),
                StandardCharsets.UTF_8);
          }
          default -> {
            fields.put("cache", "redis");
            yield new String(
                json("cache.hit", service, instance, ts, fields, Map.of("bad-label", "x")),
                StandardCharsets.UTF_8);
          }
        };
    return new GeneratedEvent(
        topic, null, service, instance, ts, Map.of(), json.getBytes(StandardCharsets.UTF_8), kind);
  }

  private String pick(String[] values) {
    return values[random.nextInt(values.length)];
  }

  /** Writes the event by hand, independently of Tally's own serializer. */
  private byte[] json(
      String type,
      String service,
      String instance,
      long ts,
      Map<String, Object> fields,
      Map<String, String> labels) {
    StringBuilder sb = new StringBuilder(256);
    sb.append("{\"type\":\"").append(type).append("\",\"schema_version\":1");
    sb.append(",\"service\":\"").append(service).append('"');
    sb.append(",\"instance\":\"").append(instance).append('"');
    sb.append(",\"event_id\":\"").append(new UUID(random.nextLong(), sequence)).append('"');
    sb.append(",\"timestamp\":").append(ts);
    fields.forEach(
        (k, v) -> {
          sb.append(",\"").append(k).append("\":");
          if (v instanceof String s) {
            sb.append('"').append(s).append('"');
          } else {
            sb.append(v);
          }
        });
    if (!labels.isEmpty()) {
      sb.append(",\"labels\":{");
      boolean first = true;
      for (Map.Entry<String, String> l : labels.entrySet()) {
        sb.append(first ? "" : ",").append('"').append(l.getKey()).append("\":\"");
        sb.append(l.getValue()).append('"');
        first = false;
      }
      sb.append('}');
    }
    return sb.append('}').toString().getBytes(StandardCharsets.UTF_8);
  }

  /** The topics this load writes to, one per simulated service. */
  public List<String> topics() {
    return Arrays.stream(SERVICES).map(s -> topicPrefix + s).toList();
  }

  /** Options of a load. */
  public static final class Builder {
    private long seed = 1;
    private long startMs = 1_700_000_000_000L;
    private long spreadMs = 60_000;
    private double badFraction;
    private int instances = 3;
    private String topicPrefix = "events.";

    private Builder() {}

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    public Builder startMs(long startMs) {
      this.startMs = startMs;
      return this;
    }

    /** Event timestamps spread over this many ms from the start (0: all at the start). */
    public Builder spreadMs(long spreadMs) {
      this.spreadMs = spreadMs;
      return this;
    }

    public Builder badFraction(double badFraction) {
      this.badFraction = badFraction;
      return this;
    }

    public Builder instancesPerService(int instances) {
      this.instances = instances;
      return this;
    }

    public Builder topicPrefix(String topicPrefix) {
      this.topicPrefix = topicPrefix;
      return this;
    }

    public EventLoad build() {
      return new EventLoad(this);
    }
  }
}
