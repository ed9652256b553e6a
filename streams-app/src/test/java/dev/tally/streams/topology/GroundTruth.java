package dev.tally.streams.topology;

import dev.tally.streams.load.GeneratedEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Expected totals computed straight from the generated facts, without Tally's parser or catalog:
 * what the stores must hold. Keys print like series, e.g. {@code cache_hits_total{cache="redis",
 * service="im-gateway"}}.
 */
public final class GroundTruth {
  public final Map<String, Double> counters = new HashMap<>();
  public final Map<String, List<Double>> observations = new HashMap<>();
  public final Map<String, Long> rejectedByReason = new HashMap<>();

  /** Net opened − closed connections per service/instance. */
  public final Map<String, Long> connectionsBySource = new HashMap<>();

  public long valid;
  public long rejected;

  public void add(GeneratedEvent e) {
    if (!e.valid()) {
      rejected++;
      rejectedByReason.merge(e.expectedReason(), 1L, Long::sum);
      return;
    }
    valid++;
    Map<String, Object> f = e.fields();
    String service = e.service();
    switch (e.type()) {
      case "delivery.delivered" -> {
        count("delivery_messages_delivered_total", 1, "service", service);
        observe("delivery_latency_seconds", num(f, "latency_ms") / 1000.0, "service", service);
        if (f.containsKey("device_count") && num(f, "device_count") > 1) {
          count("delivery_multi_device_deliveries_total", 1, "service", service);
        }
        if (f.containsKey("group_id")) {
          count("delivery_group_messages_delivered_total", 1, "service", service);
        }
        if (f.containsKey("fanout")) {
          count("delivery_group_fanout_members_total", num(f, "fanout"), "service", service);
        }
      }
      case "delivery.failed" ->
          count(
              "delivery_messages_failed_total", 1, "service", service, "reason", str(f, "reason"));
      case "ack.received" -> {
        count("ack_received_total", 1, "service", service);
        observe("ack_latency_seconds", num(f, "latency_ms") / 1000.0, "service", service);
      }
      case "ack.timeout" -> count("ack_timeouts_total", 1, "service", service);
      case "cache.hit" ->
          count("cache_hits_total", 1, "service", service, "cache", str(f, "cache"));
      case "cache.miss" ->
          count("cache_misses_total", 1, "service", service, "cache", str(f, "cache"));
      case "http.request" -> {
        String route = str(f, "route").replaceAll("/\\d+", "/:id");
        count(
            "http_requests_total",
            1,
            "service",
            service,
            "method",
            str(f, "method"),
            "route",
            route,
            "status",
            String.valueOf(((Number) f.get("status")).intValue()));
        observe(
            "http_request_duration_seconds",
            num(f, "duration_ms") / 1000.0,
            "service",
            service,
            "method",
            str(f, "method"),
            "route",
            route);
      }
      case "dedup.check" -> {
        count("dedup_checks_total", 1, "service", service);
        if (Boolean.TRUE.equals(f.get("duplicate"))) {
          count("dedup_duplicates_total", 1, "service", service);
        }
      }
      case "processing.action_executed" ->
          count(
              "actions_executed_total",
              1,
              "service",
              service,
              "action",
              str(f, "action"),
              "outcome",
              str(f, "outcome"));
      case "queue.dead_lettered" ->
          count(
              "queue_jobs_dead_lettered_total",
              1,
              "service",
              service,
              "queue",
              str(f, "queue"),
              "reason",
              str(f, "reason"));
      case "connection.opened" ->
          connectionsBySource.merge(service + "/" + e.instance(), 1L, Long::sum);
      case "connection.closed" ->
          connectionsBySource.merge(service + "/" + e.instance(), -1L, Long::sum);
      default -> {}
    }
  }

  public static String key(String metric, String... labelPairs) {
    TreeMap<String, String> labels = new TreeMap<>();
    for (int i = 0; i < labelPairs.length; i += 2) {
      labels.put(labelPairs[i], labelPairs[i + 1]);
    }
    StringBuilder sb = new StringBuilder(metric).append('{');
    labels.forEach(
        (k, v) ->
            sb.append(sb.charAt(sb.length() - 1) == '{' ? "" : ",")
                .append(k)
                .append("=\"")
                .append(v)
                .append('"'));
    return sb.append('}').toString();
  }

  private void count(String metric, double amount, String... labels) {
    counters.merge(key(metric, labels), amount, Double::sum);
  }

  private void observe(String metric, double value, String... labels) {
    observations.computeIfAbsent(key(metric, labels), k -> new ArrayList<>()).add(value);
  }

  private static double num(Map<String, Object> f, String field) {
    return ((Number) f.get(field)).doubleValue();
  }

  private static String str(Map<String, Object> f, String field) {
    return String.valueOf(f.get(field));
  }
}
