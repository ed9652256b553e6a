package dev.tally.loadgen;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What Tally must show for a set of generated records, worked out from the facts the generator
 * recorded (type, service, fields) and the mapping that {@code docs/metrics.md} documents for the
 * built-in catalog, written out here by hand: it never calls Tally's parser or catalog, so it is an
 * independent oracle for the tests, the benchmarks and {@code tally loadgen --verify}.
 *
 * <p>Series are keyed as the Prometheus text format prints them: labels sorted by name, {@code le}
 * last, e.g. {@code cache_hits_total{cache="redis",service="im-gateway"}}.
 *
 * <pre>{@code
 * GroundTruth truth = new GroundTruth();
 * for (int i = 0; i < 1000; i++) {
 *   GeneratedEvent e = load.next();
 *   truth.add(e);
 *   producer.send(...);
 * }
 * truth.counts().forEach((series, total) -> assertThat(scraped.get(series)).isEqualTo(total));
 * }</pre>
 *
 * <p>Late and out-of-order events count in the totals like any other (docs/events.md, "Event time
 * and late events"); a re-sent copy of a valid event counts once, and again in {@code
 * tally_events_duplicate_total}. Gauges are left out: their value depends on Tally's clock ({@code
 * gauge.ttl}), not only on what was sent.
 */
public final class GroundTruth {
  /** The classic buckets of every built-in histogram, in seconds (docs/metrics.md). */
  static final List<BigDecimal> BUCKETS =
      List.of(
              "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5",
              "5", "10")
          .stream()
          .map(BigDecimal::new)
          .toList();

  /** The quantiles the truth lists for each histogram series. */
  public static final List<Double> QUANTILES = List.of(0.5, 0.9, 0.99, 0.999);

  private static final BigDecimal THOUSAND = BigDecimal.valueOf(1000);
  private static final Pattern NUMBER = Pattern.compile("[0-9]+");
  private static final Pattern UUID_SEGMENT =
      Pattern.compile(
          "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  private static final Pattern HEX = Pattern.compile("[0-9a-fA-F]{16,}");

  private final Map<String, Double> counters = new HashMap<>();
  private final Map<String, Double> tallyCounters = new HashMap<>();
  private final Map<String, List<BigDecimal>> observations = new HashMap<>();
  private final Map<String, Long> rejectedByReason = new HashMap<>();
  private final Map<String, Long> connectionsBySource = new HashMap<>();
  // The latest event time each source (topic, service, instance) sent, as Tally judges lateness.
  private final Map<String, Long> sourceClocks = new HashMap<>();
  // Whether the event being mapped misses its 10 s window: each of its counter and histogram
  // updates then counts in tally_late_events_total{metric}.
  private boolean late;
  private final boolean keyedBySource;

  /**
   * A truth for records sent in any partitioning: it leaves {@code tally_late_events_total} out,
   * since which events are late depends on the order in which each partition delivers a source's
   * records.
   */
  public GroundTruth() {
    this(false);
  }

  private GroundTruth(boolean keyedBySource) {
    this.keyedBySource = keyedBySource;
  }

  /**
   * A truth for records keyed by source ({@link GeneratedEvent#key()}: one source on one partition,
   * sent in order by an idempotent producer, as {@link LoadRunner} sends them): it also counts
   * {@code tally_late_events_total}, since each source's events then reach Tally in the order they
   * were added here.
   */
  public static GroundTruth keyedBySource() {
    return new GroundTruth(true);
  }

  private long events;
  private long valid;
  private long rejected;
  private long resent;

  /** Adds one record as it was sent (a re-sent copy too: {@link GeneratedEvent#resent()}). */
  public void add(GeneratedEvent e) {
    events++;
    tally("tally_events_consumed_total", 1, "topic", e.topic());
    if (!e.valid()) {
      rejected++;
      rejectedByReason.merge(e.expectedReason(), 1L, Long::sum);
      tally("tally_events_rejected_total", 1, "reason", e.expectedReason(), "topic", e.topic());
      return;
    }
    if (e.resent()) {
      // Counted once per (service, event_id) on one partition: the copy only in this counter.
      resent++;
      tally("tally_events_duplicate_total", 1, "topic", e.topic());
      return;
    }
    valid++;
    late = keyedBySource && misses10sWindow(e);
    map(e);
    late = false;
  }

  /**
   * docs/events.md, "Event time and late events", with the default windows (10 s finest) and {@code
   * window.grace} (30 s): an event is late for its 10 s window when its source already sent an
   * event at least 30 s past that window's end. The source's clock then moves on to the event's
   * time if that is later.
   */
  private boolean misses10sWindow(GeneratedEvent e) {
    String source = e.topic() + '\0' + e.service() + '\0' + e.instance();
    Long clock = sourceClocks.get(source);
    long windowEnd = Math.floorDiv(e.timestampMs(), 10_000L) * 10_000L + 10_000L;
    sourceClocks.merge(source, e.timestampMs(), Math::max);
    return clock != null && windowEnd + 30_000L <= clock;
  }

  /** The built-in catalog's mapping of each event type to series, as docs/metrics.md lists it. */
  private void map(GeneratedEvent e) {
    Map<String, Object> f = e.fields();
    String service = e.service();
    switch (e.type()) {
      case "delivery.delivered" -> {
        count("delivery_messages_delivered_total", 1, "service", service);
        observe("delivery_latency_seconds", f, "latency_ms", "service", service);
        if (f.get("device_count") != null && num(f, "device_count") > 1) {
          count("delivery_multi_device_deliveries_total", 1, "service", service);
        }
        if (f.get("group_id") != null) {
          count("delivery_group_messages_delivered_total", 1, "service", service);
        }
        if (f.get("fanout") != null) {
          count("delivery_group_fanout_members_total", num(f, "fanout"), "service", service);
        }
      }
      case "delivery.failed" ->
          count(
              "delivery_messages_failed_total", 1, "service", service, "reason", str(f, "reason"));
      case "delivery.duplicate" -> count("delivery_duplicates_total", 1, "service", service);
      case "ack.received" -> {
        count("ack_received_total", 1, "service", service);
        observe("ack_latency_seconds", f, "latency_ms", "service", service);
      }
      case "ack.timeout" -> count("ack_timeouts_total", 1, "service", service);
      case "cache.hit" ->
          count("cache_hits_total", 1, "service", service, "cache", str(f, "cache"));
      case "cache.miss" ->
          count("cache_misses_total", 1, "service", service, "cache", str(f, "cache"));
      case "queue.enqueued" ->
          count("queue_jobs_enqueued_total", 1, "service", service, "queue", str(f, "queue"));
      case "queue.processed" -> {
        count("queue_jobs_processed_total", 1, "service", service, "queue", str(f, "queue"));
        observe(
            "queue_job_duration_seconds",
            f,
            "duration_ms",
            "service",
            service,
            "queue",
            str(f, "queue"));
      }
      case "queue.retried" ->
          count("queue_jobs_retried_total", 1, "service", service, "queue", str(f, "queue"));
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
      case "http.request" -> {
        String method = str(f, "method");
        String route = routeTemplate(str(f, "route"));
        count(
            "http_requests_total",
            1,
            "service",
            service,
            "method",
            method,
            "route",
            route,
            "status",
            String.valueOf(((Number) f.get("status")).intValue()));
        observe(
            "http_request_duration_seconds",
            f,
            "duration_ms",
            "service",
            service,
            "method",
            method,
            "route",
            route);
      }
      case "connection.opened" -> {
        count("connections_opened_total", 1, "service", service);
        connectionsBySource.merge(source(e), 1L, Long::sum);
      }
      case "connection.closed" -> {
        count("connections_closed_total", 1, "service", service);
        connectionsBySource.merge(source(e), -1L, Long::sum);
      }
      case "connection.error" ->
          count("connection_errors_total", 1, "service", service, "reason", str(f, "reason"));
      case "dedup.check" -> {
        count("dedup_checks_total", 1, "service", service);
        if (Boolean.TRUE.equals(f.get("duplicate"))) {
          count("dedup_duplicates_total", 1, "service", service);
        }
      }
      case "checkpoint.saved" -> {
        count("checkpoint_saves_total", 1, "service", service);
        observe("checkpoint_save_duration_seconds", f, "duration_ms", "service", service);
      }
      case "checkpoint.recovered" -> count("checkpoint_recoveries_total", 1, "service", service);
      case "processing.event_processed" -> {
        count("events_processed_total", 1, "service", service, "outcome", str(f, "outcome"));
        observe("event_processing_duration_seconds", f, "duration_ms", "service", service);
      }
      case "processing.action_executed" -> {
        String action = str(f, "action");
        count(
            "actions_executed_total",
            1,
            "service",
            service,
            "action",
            action,
            "outcome",
            str(f, "outcome"));
        observe("action_duration_seconds", f, "duration_ms", "service", service, "action", action);
      }
      // The built-in catalog has no metric.sample entry: every sample is unmapped.
      case "metric.sample" ->
          tally("tally_events_unmapped_total", 1, "name", str(f, "name"), "type", e.type());
      // Gauges only: cache.size, queue.depth, pool.sample.
      default -> {}
    }
  }

  /**
   * A route as the built-in {@code route} label ({@code template: path}) shows it: a template is
   * kept as sent; in a raw path the query string is dropped and every id segment (a number, a UUID,
   * 16 or more hex digits) becomes {@code :id}.
   */
  static String routeTemplate(String route) {
    String[] segments = route.split("/", -1);
    for (String segment : segments) {
      if (segment.startsWith(":") || (segment.startsWith("{") && segment.endsWith("}"))) {
        return route;
      }
    }
    int query = route.indexOf('?');
    String path = query < 0 ? route : route.substring(0, query);
    segments = path.split("/", -1);
    for (int i = 0; i < segments.length; i++) {
      String s = segments[i];
      if (NUMBER.matcher(s).matches()
          || UUID_SEGMENT.matcher(s).matches()
          || HEX.matcher(s).matches()) {
        segments[i] = ":id";
      }
    }
    return String.join("/", segments);
  }

  /** Records sent, copies included. */
  public long events() {
    return events;
  }

  /** Valid events counted (first copies). */
  public long valid() {
    return valid;
  }

  /** Records Tally must reject. */
  public long rejected() {
    return rejected;
  }

  /** Re-sent copies of valid events Tally must not count again. */
  public long resent() {
    return resent;
  }

  /** Rejected records by the reason code Tally must give. */
  public Map<String, Long> rejectedByReason() {
    return Map.copyOf(rejectedByReason);
  }

  /** The catalog counters: series → total. */
  public Map<String, Double> counters() {
    return Map.copyOf(counters);
  }

  /**
   * Tally's own counters this load decides: {@code tally_events_consumed_total}, {@code
   * tally_events_rejected_total}, {@code tally_events_duplicate_total}, {@code
   * tally_events_unmapped_total}, {@code tally_late_events_total}.
   */
  public Map<String, Double> tallyCounters() {
    return Map.copyOf(tallyCounters);
  }

  /** The catalog histograms: series (without suffix) → every observation in seconds. */
  public Map<String, List<Double>> observations() {
    Map<String, List<Double>> result = new HashMap<>();
    observations.forEach(
        (series, values) ->
            result.put(series, values.stream().map(BigDecimal::doubleValue).toList()));
    return result;
  }

  /**
   * Every series whose value is a count, as a scrape shows it: the catalog counters, Tally's own
   * counters, and each histogram's {@code _count} and cumulative {@code _bucket{le}}.
   */
  public Map<String, Double> counts() {
    Map<String, Double> result = new TreeMap<>(counters);
    result.putAll(tallyCounters);
    observations.forEach(
        (series, values) -> {
          Key key = Key.parse(series);
          result.put(key.suffixed("_count").text(), (double) values.size());
          for (BigDecimal bound : BUCKETS) {
            long below = values.stream().filter(v -> v.compareTo(bound) <= 0).count();
            result.put(
                key.suffixed("_bucket").with("le", le(bound.doubleValue())).text(), (double) below);
          }
          result.put(key.suffixed("_bucket").with("le", "+Inf").text(), (double) values.size());
        });
    return result;
  }

  /** Each histogram's {@code _sum}, exact (the observations are decimals of at most µs). */
  public Map<String, BigDecimal> sums() {
    Map<String, BigDecimal> result = new TreeMap<>();
    observations.forEach(
        (series, values) ->
            result.put(
                Key.parse(series).suffixed("_sum").text(),
                values.stream().reduce(BigDecimal.ZERO, BigDecimal::add).stripTrailingZeros()));
    return result;
  }

  /** Every series this truth decides and its value: {@link #counts()} and {@link #sums()}. */
  public Map<String, BigDecimal> series() {
    Map<String, BigDecimal> result = new TreeMap<>();
    counts().forEach((k, v) -> result.put(k, BigDecimal.valueOf(v).stripTrailingZeros()));
    result.putAll(sums());
    return result;
  }

  /**
   * The exact quantiles of each histogram's observations: the value of rank {@code ceil(q·n)} in
   * ascending order, for each of {@link #QUANTILES}.
   */
  public Map<String, Map<Double, Double>> quantiles() {
    Map<String, Map<Double, Double>> result = new TreeMap<>();
    observations.forEach(
        (series, values) -> {
          List<BigDecimal> sorted = new ArrayList<>(values);
          sorted.sort(null);
          Map<Double, Double> byQ = new TreeMap<>();
          for (double q : QUANTILES) {
            int rank = (int) Math.ceil(q * sorted.size());
            byQ.put(q, sorted.get(Math.max(rank, 1) - 1).doubleValue());
          }
          result.put(series, byQ);
        });
    return result;
  }

  /** {@code connections_active}: each instance's opened minus closed, never below 0, summed. */
  public Map<String, Double> connectionsActive() {
    Map<String, Double> active = new TreeMap<>();
    connectionsBySource.forEach(
        (source, net) ->
            active.merge(
                key("connections_active", "service", source.substring(0, source.indexOf('\0'))),
                Math.max(0.0, net),
                Double::sum));
    return active;
  }

  /** A series key as the text format prints it: labels sorted by name, {@code le} last. */
  public static String key(String metric, String... labelPairs) {
    Map<String, String> labels = new HashMap<>();
    for (int i = 0; i < labelPairs.length; i += 2) {
      labels.put(labelPairs[i], labelPairs[i + 1]);
    }
    return new Key(metric, labels).text();
  }

  /** An {@code le} value as Tally's exposition prints it: {@code 0.005}, {@code 1.0}, +Inf. */
  static String le(double bound) {
    return Double.isInfinite(bound) ? "+Inf" : Double.toString(bound);
  }

  private void count(String metric, double amount, String... labels) {
    counters.merge(key(metric, labels), amount, Double::sum);
    countLate(metric);
  }

  private void countLate(String metric) {
    if (late) {
      tally("tally_late_events_total", 1, "metric", metric);
    }
  }

  private void tally(String metric, double amount, String... labels) {
    tallyCounters.merge(key(metric, labels), amount, Double::sum);
  }

  private void observe(
      String metric, Map<String, Object> fields, String msField, String... labels) {
    BigDecimal ms = new BigDecimal(fields.get(msField).toString());
    observations
        .computeIfAbsent(key(metric, labels), k -> new ArrayList<>())
        .add(ms.divide(THOUSAND));
    countLate(metric);
  }

  private static String source(GeneratedEvent e) {
    return e.service() + '\0' + e.instance();
  }

  private static double num(Map<String, Object> f, String field) {
    return ((Number) f.get(field)).doubleValue();
  }

  private static String str(Map<String, Object> f, String field) {
    return String.valueOf(f.get(field));
  }

  /** A series name and labels, printed canonically. */
  record Key(String name, Map<String, String> labels) {
    Key {
      labels = Map.copyOf(labels);
    }

    Key suffixed(String suffix) {
      return new Key(name + suffix, labels);
    }

    Key with(String label, String value) {
      Map<String, String> more = new HashMap<>(labels);
      more.put(label, value);
      return new Key(name, more);
    }

    /** Reads a key as the text format prints it, escapes included. */
    static Key parse(String text) {
      return ExpositionText.key(text);
    }

    String text() {
      if (labels.isEmpty()) {
        return name;
      }
      StringBuilder sb = new StringBuilder(name).append('{');
      new TreeMap<>(labels)
          .forEach(
              (k, v) -> {
                if (!k.equals("le")) {
                  append(sb, k, v);
                }
              });
      if (labels.containsKey("le")) {
        append(sb, "le", labels.get("le"));
      }
      sb.setCharAt(sb.length() - 1, '}');
      return sb.toString();
    }

    private static void append(StringBuilder sb, String name, String value) {
      sb.append(name).append("=\"");
      for (int i = 0; i < value.length(); i++) {
        char c = value.charAt(i);
        switch (c) {
          case '\\' -> sb.append("\\\\");
          case '"' -> sb.append("\\\"");
          case '\n' -> sb.append("\\n");
          default -> sb.append(c);
        }
      }
      sb.append("\",");
    }
  }

  @Override
  public String toString() {
    return String.format(
        Locale.ROOT,
        "GroundTruth[%d records, %d valid, %d rejected, %d re-sent, %d series]",
        events,
        valid,
        rejected,
        resent,
        counters.size() + tallyCounters.size() + observations.size());
  }
}
