package dev.tally.loadgen;

import java.util.Locale;
import java.util.Random;

/**
 * The kinds of service {@link EventLoad} simulates, each with its own mix of event types.
 *
 * <ul>
 *   <li>{@link #MIXED}: every event family from three services; the default, which the tests and
 *       benchmarks were written against.
 *   <li>{@link #IM_GATEWAY}: connections, deliveries with latency, multi-device and group fan-out,
 *       ACKs and timeouts, the offline-message backlog, duplicates, a session cache, dedup checks.
 *   <li>{@link #API_GATEWAY}: HTTP requests over routes, methods and statuses with latency, a
 *       database pool, a cache.
 *   <li>{@link #JOB_WORKER}: events processed, actions by outcome, enqueue, retry and dead-letter,
 *       queue depth, dedup checks, checkpoints.
 * </ul>
 */
public enum ServiceShape {
  MIXED("mixed", null, new Object[0]),
  IM_GATEWAY(
      "im-gateway",
      "session",
      new Object[] {
        "connection.opened", 3,
        "connection.closed", 3,
        "connection.error", 1,
        "delivery.delivered", 20,
        "delivery.failed", 2,
        "delivery.duplicate", 1,
        "ack.received", 15,
        "ack.timeout", 1,
        "queue.depth", 1,
        "cache.hit", 6,
        "cache.miss", 2,
        "dedup.check", 3
      }),
  API_GATEWAY(
      "api-gateway",
      "redis",
      new Object[] {
        "http.request", 30,
        "pool.sample", 2,
        "cache.hit", 8,
        "cache.miss", 3,
        "cache.size", 1
      }),
  JOB_WORKER(
      "job-worker",
      null,
      new Object[] {
        "processing.event_processed", 12,
        "processing.action_executed", 10,
        "queue.enqueued", 10,
        "queue.processed", 9,
        "queue.retried", 1,
        "queue.dead_lettered", 1,
        "queue.depth", 1,
        "dedup.check", 2,
        "checkpoint.saved", 1,
        "checkpoint.recovered", 1
      });

  private final String service;
  private final String cache;
  private final String[] types;
  private final int[] cumulativeWeights;

  ServiceShape(String service, String cache, Object[] weighted) {
    this.service = service;
    this.cache = cache;
    this.types = new String[weighted.length / 2];
    this.cumulativeWeights = new int[weighted.length / 2];
    int total = 0;
    for (int i = 0; i < types.length; i++) {
      types[i] = (String) weighted[2 * i];
      total += (Integer) weighted[2 * i + 1];
      cumulativeWeights[i] = total;
    }
  }

  /** The service name its events carry (and its topic's suffix). */
  public String service() {
    return service;
  }

  String cache() {
    return cache;
  }

  String nextType(Random random) {
    int r = random.nextInt(cumulativeWeights[cumulativeWeights.length - 1]);
    for (int i = 0; i < types.length; i++) {
      if (r < cumulativeWeights[i]) {
        return types[i];
      }
    }
    throw new IllegalStateException();
  }

  /** By service name as {@code --services} takes it: {@code im-gateway}, {@code api-gateway} ... */
  public static ServiceShape of(String name) {
    String wanted = name.trim().toLowerCase(Locale.ROOT);
    for (ServiceShape shape : values()) {
      if (shape.service.equals(wanted)) {
        return shape;
      }
    }
    throw new IllegalArgumentException(
        "unknown service '" + name + "'; one of mixed, im-gateway, api-gateway, job-worker");
  }
}
