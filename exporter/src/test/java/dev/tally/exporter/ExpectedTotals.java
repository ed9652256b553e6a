package dev.tally.exporter;

import dev.tally.streams.load.GeneratedEvent;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a scrape must show for a set of generated events, computed from the facts the generator
 * recorded (type, service, fields), not through Tally's parser or catalog. Keys print as the
 * Prometheus text format prints series: {@code cache_hits_total{cache="redis",service="im"}}.
 */
final class ExpectedTotals {
  final Map<String, Double> series = new HashMap<>();
  final Map<String, Double> sums = new HashMap<>();
  private final Map<String, Long> connectionsBySource = new HashMap<>();
  long events;
  long rejected;

  void add(GeneratedEvent e) {
    events++;
    count(key("tally_events_consumed_total", "topic", e.topic()), 1);
    if (!e.valid()) {
      rejected++;
      count(
          key("tally_events_rejected_total", "reason", e.expectedReason(), "topic", e.topic()), 1);
      return;
    }
    String service = e.service();
    Map<String, Object> f = e.fields();
    switch (e.type()) {
      case "ack.received" -> {
        count(key("ack_received_total", "service", service), 1);
        observe("ack_latency_seconds", number(f, "latency_ms") / 1000, "service", service);
      }
      case "ack.timeout" -> count(key("ack_timeouts_total", "service", service), 1);
      case "cache.hit" ->
          count(key("cache_hits_total", "cache", (String) f.get("cache"), "service", service), 1);
      case "cache.miss" ->
          count(key("cache_misses_total", "cache", (String) f.get("cache"), "service", service), 1);
      case "delivery.delivered" -> {
        count(key("delivery_messages_delivered_total", "service", service), 1);
        observe("delivery_latency_seconds", number(f, "latency_ms") / 1000, "service", service);
        if (f.containsKey("fanout")) {
          count(
              key("delivery_group_fanout_members_total", "service", service), number(f, "fanout"));
        }
      }
      case "connection.opened" -> connectionsBySource.merge(e.instance(), 1L, Long::sum);
      case "connection.closed" -> connectionsBySource.merge(e.instance(), -1L, Long::sum);
      default -> {}
    }
  }

  /** Open connections per service: each instance's opened minus closed, never below zero. */
  Map<String, Double> connectionsActive() {
    Map<String, Double> active = new TreeMap<>();
    connectionsBySource.forEach(
        (instance, net) -> {
          String service = instance.substring(0, instance.lastIndexOf('-'));
          active.merge(
              key("connections_active", "service", service), Math.max(0.0, net), Double::sum);
        });
    return active;
  }

  private void count(String key, double amount) {
    series.merge(key, amount, Double::sum);
  }

  private void observe(String histogram, double value, String... labels) {
    count(key(histogram + "_count", labels), 1);
    sums.merge(key(histogram + "_sum", labels), value, Double::sum);
  }

  static String key(String metric, String... labelPairs) {
    TreeMap<String, String> labels = new TreeMap<>();
    for (int i = 0; i < labelPairs.length; i += 2) {
      labels.put(labelPairs[i], labelPairs[i + 1]);
    }
    StringBuilder key = new StringBuilder(metric);
    if (!labels.isEmpty()) {
      key.append('{');
      labels.forEach((k, v) -> key.append(k).append("=\"").append(v).append("\","));
      key.setCharAt(key.length() - 1, '}');
    }
    return key.toString();
  }

  private static double number(Map<String, Object> fields, String name) {
    return ((Number) fields.get(name)).doubleValue();
  }
}
