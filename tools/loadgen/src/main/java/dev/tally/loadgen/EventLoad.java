package dev.tally.loadgen;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * A seeded generator of realistic Tally input: every event family from a few services and
 * instances, log-normal latencies, configurable shares of bad, late, out-of-order and re-sent
 * records. Used by the topology tests, the integration tests, the demo, the benchmarks and {@code
 * tally loadgen}, so they all share one load shape; {@link GroundTruth} says what Tally must count.
 *
 * <p>The default shape ({@link ServiceShape#MIXED}) sends every event family from three services;
 * the others simulate one kind of service each (an IM gateway, an API/media gateway, job-queue
 * workers).
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
  private static final String[] CONNECTION_ERRORS = {"handshake_failed", "reset", "idle_timeout"};
  private static final String[] IM_FAILURES = {"recipient_offline", "rate_limited"};
  private static final String[] DEAD_LETTER_REASONS = {"max_attempts_exceeded", "poison_message"};
  private static final double DEFAULT_LATENCY_MEDIAN_MS = 40;
  private static final List<String> BAD_KINDS =
      List.of(
          "not_json",
          "not_an_object",
          "unknown_type",
          "missing_field",
          "wrong_type",
          "negative_duration",
          "invalid_label_name");

  /** How far back a late event is stamped: past its 10 s window and the 30 s grace. */
  static final long LATE_BY_MS = 60_000;

  /** At most this far back an out-of-order event is stamped: well within the grace. */
  static final long OUT_OF_ORDER_MS = 5_000;

  private final Random random;
  private final long startMs;
  private final long spreadMs;
  private final double badFraction;
  private final double lateFraction;
  private final double outOfOrderFraction;
  private final double duplicateFraction;
  private final int instances;
  private final String topicPrefix;
  private final String topic;
  private final List<ServiceShape> shapes;
  private final int cardinality;
  private final double latencyScale;
  private final double latencySigma;
  private long sequence;
  private GeneratedEvent pendingCopy;

  private EventLoad(Builder b) {
    this.random = new Random(b.seed);
    this.startMs = b.startMs;
    this.spreadMs = b.spreadMs;
    this.badFraction = b.badFraction;
    this.lateFraction = b.lateFraction;
    this.outOfOrderFraction = b.outOfOrderFraction;
    this.duplicateFraction = b.duplicateFraction;
    this.instances = b.instances;
    this.topicPrefix = b.topicPrefix;
    this.topic = b.topic;
    this.shapes = List.copyOf(b.shapes);
    this.cardinality = b.cardinality;
    this.latencyScale = b.latencyMedianMs / DEFAULT_LATENCY_MEDIAN_MS;
    this.latencySigma = b.latencySigma;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The next record; timestamps spread uniformly over {@code [startMs, startMs + spreadMs)}. */
  public GeneratedEvent next() {
    return nextAt(startMs + (spreadMs <= 0 ? 0 : (long) (random.nextDouble() * spreadMs)));
  }

  /**
   * The next record, stamped {@code ts} (live load: the current time), or a little earlier for an
   * out-of-order one and {@value #LATE_BY_MS} ms earlier for a late one; or the second copy of the
   * previous event when that one was picked to be re-sent.
   */
  public GeneratedEvent nextAt(long ts) {
    if (pendingCopy != null) {
      GeneratedEvent copy = pendingCopy;
      pendingCopy = null;
      return copy;
    }
    sequence++;
    ServiceShape shape =
        shapes.size() == 1 ? shapes.get(0) : shapes.get(random.nextInt(shapes.size()));
    String service =
        shape == ServiceShape.MIXED ? SERVICES[random.nextInt(SERVICES.length)] : shape.service();
    String instance = service + "-" + random.nextInt(instances);
    String topic = topicFor(service);
    if (random.nextDouble() < badFraction) {
      return bad(topic, service, instance, ts);
    }
    String type =
        shape == ServiceShape.MIXED ? TYPES[random.nextInt(TYPES.length)] : shape.nextType(random);
    Map<String, Object> fields =
        shape == ServiceShape.MIXED ? fields(type) : shapeFields(shape, type);
    Map<String, String> labels = random.nextInt(10) == 0 ? Map.of("region", "eu-1") : Map.of();
    long stamped = stamp(ts);
    GeneratedEvent e =
        new GeneratedEvent(
            topic,
            type,
            service,
            instance,
            stamped,
            fields,
            json(type, service, instance, stamped, fields, labels),
            null);
    // Draws only when asked for, so that a load without copies is the same for a given seed.
    if (duplicateFraction > 0 && random.nextDouble() < duplicateFraction) {
      pendingCopy = e.again();
    }
    return e;
  }

  private long stamp(long ts) {
    if (lateFraction > 0 && random.nextDouble() < lateFraction) {
      return ts - LATE_BY_MS;
    }
    if (outOfOrderFraction > 0 && random.nextDouble() < outOfOrderFraction) {
      return ts - 1 - random.nextInt((int) OUT_OF_ORDER_MS);
    }
    return ts;
  }

  private String topicFor(String service) {
    return topic != null ? topic : topicPrefix + service;
  }

  /** The fields of the simulated services: their own names, values and label cardinality. */
  private Map<String, Object> shapeFields(ServiceShape shape, String type) {
    Map<String, Object> f = new LinkedHashMap<>();
    switch (type) {
      case "connection.opened", "connection.closed" -> {
        f.put("protocol", "websocket");
        if (type.equals("connection.closed")) {
          f.put("duration_ms", latencyMs(60_000));
        }
      }
      case "connection.error" -> f.put("reason", pick(CONNECTION_ERRORS));
      case "delivery.delivered" -> {
        f.put("latency_ms", latencyMs(40));
        // Multi-device: one user, several devices.
        f.put("device_count", 1 + (random.nextInt(3) == 0 ? 1 + random.nextInt(3) : 0));
        if (random.nextInt(4) == 0) {
          f.put("group_id", "grp-" + random.nextInt(1_000));
          f.put("fanout", 2 + random.nextInt(500));
        }
        f.put("message_id", "msg-" + sequence);
      }
      case "delivery.failed" -> f.put("reason", pick(IM_FAILURES));
      case "delivery.duplicate" -> f.put("message_id", "msg-" + (sequence - 1));
      case "ack.received" -> f.put("latency_ms", latencyMs(80));
      case "ack.timeout" -> f.put("timeout_ms", 30000);
      case "cache.hit", "cache.miss" -> f.put("cache", name(shape.cache(), "cache"));
      case "cache.size" -> {
        f.put("cache", name(shape.cache(), "cache"));
        f.put("bytes", (long) random.nextInt(1 << 26));
        f.put("entries", (long) random.nextInt(500_000));
      }
      case "queue.depth" -> {
        f.put(
            "queue", shape == ServiceShape.IM_GATEWAY ? "offline_messages" : name("jobs", "queue"));
        f.put("depth", (long) random.nextInt(20_000));
      }
      case "dedup.check" -> f.put("duplicate", random.nextInt(50) == 0);
      case "http.request" -> {
        f.put("method", pick(METHODS));
        String route = name("/v1/resource", "route");
        // Mostly templates, as producers are asked to send; some raw paths with an id.
        f.put(
            "route",
            random.nextInt(4) == 0 ? route + "/" + random.nextInt(1_000_000) : route + "/{id}");
        f.put("status", STATUSES[random.nextInt(STATUSES.length)]);
        f.put("duration_ms", latencyMs(20));
      }
      case "pool.sample" -> {
        f.put("pool", name("postgres", "pool"));
        int size = 20;
        int active = random.nextInt(size + 1);
        f.put("active", (long) active);
        f.put("idle", (long) (size - active));
      }
      case "processing.event_processed" -> {
        f.put("duration_ms", latencyMs(5));
        f.put("outcome", random.nextInt(30) == 0 ? "failure" : "success");
        f.put("in_flight", (long) random.nextInt(64));
      }
      case "processing.action_executed" -> {
        f.put("action", name("action", "action"));
        f.put("outcome", pick(OUTCOMES));
        f.put("duration_ms", latencyMs(60));
      }
      case "queue.enqueued", "queue.retried" -> {
        f.put("queue", name("jobs", "queue"));
        if (type.equals("queue.retried")) {
          f.put("attempt", 2 + random.nextInt(4));
        }
      }
      case "queue.processed" -> {
        f.put("queue", name("jobs", "queue"));
        f.put("duration_ms", latencyMs(250));
      }
      case "queue.dead_lettered" -> {
        f.put("queue", name("jobs", "queue"));
        f.put("reason", pick(DEAD_LETTER_REASONS));
      }
      case "checkpoint.saved" -> {
        f.put("checkpoint", "offsets");
        f.put("duration_ms", latencyMs(15));
      }
      case "checkpoint.recovered" -> f.put("checkpoint", "offsets");
      default -> throw new IllegalStateException("no generator for " + type);
    }
    return f;
  }

  /** One of {@code cardinality} values: {@code base} for the first, {@code base-2} and so on. */
  private String name(String base, String what) {
    int i = random.nextInt(cardinality);
    return i == 0 ? base : base + "-" + (i + 1);
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
    double v = medianMs * latencyScale * Math.exp(random.nextGaussian() * latencySigma);
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

  /** The topics this load writes to, one per simulated service (or the one topic it was given). */
  public List<String> topics() {
    if (topic != null) {
      return List.of(topic);
    }
    List<String> services = new ArrayList<>();
    for (ServiceShape shape : shapes) {
      if (shape == ServiceShape.MIXED) {
        services.addAll(Arrays.asList(SERVICES));
      } else {
        services.add(shape.service());
      }
    }
    return services.stream().distinct().map(s -> topicPrefix + s).toList();
  }

  /** Options of a load. */
  public static final class Builder {
    private long seed = 1;
    private long startMs = 1_700_000_000_000L;
    private long spreadMs = 60_000;
    private double badFraction;
    private double lateFraction;
    private double outOfOrderFraction;
    private double duplicateFraction;
    private int instances = 3;
    private String topicPrefix = "events.";
    private String topic;
    private List<ServiceShape> shapes = List.of(ServiceShape.MIXED);
    private int cardinality = 3;
    private double latencyMedianMs = DEFAULT_LATENCY_MEDIAN_MS;
    private double latencySigma = 0.8;

    private Builder() {}

    /** Share of events stamped {@value #LATE_BY_MS} ms back: late for their window, in totals. */
    public Builder lateFraction(double lateFraction) {
      this.lateFraction = fraction("late", lateFraction);
      return this;
    }

    /** Share of events stamped up to {@value #OUT_OF_ORDER_MS} ms back: out of order, not late. */
    public Builder outOfOrderFraction(double outOfOrderFraction) {
      this.outOfOrderFraction = fraction("out-of-order", outOfOrderFraction);
      return this;
    }

    /** Share of valid events sent twice with the same event_id, one right after the other. */
    public Builder duplicateFraction(double duplicateFraction) {
      this.duplicateFraction = fraction("duplicate", duplicateFraction);
      return this;
    }

    /** One topic for every service instead of {@code <prefix><service>}. */
    public Builder topic(String topic) {
      this.topic = topic;
      return this;
    }

    /** The services to simulate; each record comes from one of them, picked uniformly. */
    public Builder shapes(List<ServiceShape> shapes) {
      if (shapes.isEmpty()) {
        throw new IllegalArgumentException("at least one service shape");
      }
      this.shapes = List.copyOf(shapes);
      return this;
    }

    /**
     * Distinct values of each name label (caches, queues, routes, actions, pools) of the simulated
     * services; the mixed shape keeps its own fixed sets.
     */
    public Builder cardinality(int cardinality) {
      if (cardinality < 1) {
        throw new IllegalArgumentException("cardinality must be at least 1");
      }
      this.cardinality = cardinality;
      return this;
    }

    /** Median of delivery latencies, ms; every other latency scales with it (default 40). */
    public Builder latencyMedianMs(double latencyMedianMs) {
      if (!(latencyMedianMs > 0)) {
        throw new IllegalArgumentException("latency median must be positive");
      }
      this.latencyMedianMs = latencyMedianMs;
      return this;
    }

    /** Standard deviation of the latencies' logarithm (default 0.8: p99 about 6.4× the median). */
    public Builder latencySigma(double latencySigma) {
      if (!(latencySigma >= 0)) {
        throw new IllegalArgumentException("latency sigma must be at least 0");
      }
      this.latencySigma = latencySigma;
      return this;
    }

    private static double fraction(String what, double value) {
      if (!(value >= 0 && value <= 1)) {
        throw new IllegalArgumentException(what + " fraction must be within 0..1: " + value);
      }
      return value;
    }

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
      this.badFraction = fraction("invalid", badFraction);
      return this;
    }

    public Builder instancesPerService(int instances) {
      if (instances < 1) {
        throw new IllegalArgumentException("instances must be at least 1");
      }
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
