package dev.tally.exporter.api;

import dev.tally.exporter.api.ParsedQuery.Endpoint;
import dev.tally.exporter.api.ParsedQuery.Range;
import dev.tally.streams.catalog.MetricCatalog;
import dev.tally.streams.catalog.MetricDefinition;
import dev.tally.streams.catalog.RatioDefinition;
import dev.tally.streams.catalog.SelfMetrics;
import dev.tally.streams.config.TallyConfig;
import dev.tally.streams.config.WindowSpec;
import dev.tally.streams.histogram.HistogramView;
import dev.tally.streams.query.AggregateValue;
import dev.tally.streams.query.PartitionsUnavailableException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.streams.errors.InvalidStateStoreException;

/**
 * The query API's answers, as JSON-ready maps: {@code /api/v1/metrics}, {@code /series}, {@code
 * /totals}, {@code /query}, {@code /instances}, and the internal read that instances ask each other
 * for. A series query reads every series partition: this instance's own from its stores, the
 * others' from the instances that hold them as active tasks ({@link Cluster}), all within {@code
 * api.timeout}; then merges (counters add exactly, histograms merge, quantiles come after the
 * merge). When any partition cannot be read it answers 503 naming each, never a partial sum.
 *
 * <p>Errors are {@link QueryException}s; the HTTP binding renders them.
 */
public final class QueryService {
  static final String INTERNAL_PREFIX = "/api/v1/internal/";

  private final Cluster cluster;
  private final MetricCatalog catalog;
  private final ApiParameters parameters;
  private final Duration seriesTtl;
  private final Duration gaugeTtl;
  private final Limits limits;
  private final PeerClient peers;
  private final Clock clock;
  private final String dlqTopic;

  QueryService(
      Cluster cluster, MetricCatalog catalog, TallyConfig config, PeerClient peers, Clock clock) {
    this.cluster = cluster;
    this.catalog = catalog;
    this.limits =
        new Limits(
            config.apiTimeout(),
            config.apiMaxSeries(),
            config.apiMaxPoints(),
            config.apiMaxSamples());
    this.parameters = new ApiParameters(catalog, config.windows(), limits);
    this.seriesTtl = config.seriesTtl();
    this.gaugeTtl = config.gaugeTtl();
    this.peers = peers;
    this.clock = clock;
    this.dlqTopic = config.dlqTopic();
  }

  /** {@code GET /api/v1/metrics}: the catalog, Tally's own counters and the ratios. */
  Map<String, Object> metrics() {
    List<String> windows = parameters.windows().stream().map(WindowSpec::label).toList();
    List<Map<String, Object>> metrics = new ArrayList<>();
    for (MetricDefinition m : catalog.metrics()) {
      ParsedQuery.Target t = parameters.target(m.name());
      metrics.add(
          metric(
              m.name(),
              t.kind(),
              m.unit(),
              m.help(),
              m.labelNames(),
              t.windowed() ? windows : List.of()));
    }
    for (RatioDefinition r : catalog.ratios()) {
      metrics.add(metric(r.name(), MetricKind.RATIO, "", r.help(), r.by(), windows));
    }
    for (MetricDefinition m : SelfMetrics.all()) {
      metrics.add(
          metric(m.name(), MetricKind.COUNTER, m.unit(), m.help(), m.labelNames(), List.of()));
    }
    metrics.sort((a, b) -> ((String) a.get("name")).compareTo((String) b.get("name")));
    return Map.of("metrics", metrics);
  }

  private static Map<String, Object> metric(
      String name,
      MetricKind kind,
      String unit,
      String help,
      List<String> labels,
      List<String> windows) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", name);
    m.put("type", kind.label());
    m.put("unit", Objects.requireNonNullElse(unit, ""));
    m.put("help", help);
    m.put("labels", labels);
    m.put("windows", windows);
    return m;
  }

  /** {@code GET /api/v1/series}, {@code /totals} or {@code /query}. */
  Map<String, Object> answer(
      Endpoint endpoint, Map<String, List<String>> params, String authorization) {
    long deadline = System.nanoTime() + limits.timeout().toNanos();
    ParsedQuery query = parameters.parse(endpoint, params, clock.millis(), false);
    Reading reading = gather(endpoint, query, params, authorization, deadline);
    Map<String, Object> answer =
        switch (endpoint) {
          case SERIES -> renderSeries(query, reading);
          case TOTALS -> renderTotals(query, reading);
          case QUERY -> renderQuery(query, reading);
        };
    if (!reading.staleLags.isEmpty()) {
      List<Map<String, Object>> stale = new ArrayList<>();
      reading.staleLags.forEach((p, lag) -> stale.add(Map.of("partition", p, "offsetLag", lag)));
      answer.put("stale", stale);
    }
    return answer;
  }

  /** {@code GET /api/v1/internal/<endpoint>}: what this instance's given partitions hold. */
  Map<String, Object> internal(Endpoint endpoint, Map<String, List<String>> params) {
    long budgetMs =
        Math.min(
            limits.timeout().toMillis(),
            Long.parseLong(
                ApiParameters.single(params, "budget")
                    .filter(b -> b.matches("\\d{1,12}"))
                    .orElse(Long.toString(limits.timeout().toMillis()))));
    long deadline = System.nanoTime() + budgetMs * 1_000_000;
    long at =
        TimeParameter.parse("at", ApiParameters.single(params, "at").orElse("now"), clock.millis());
    Set<Integer> partitions = partitionList(ApiParameters.single(params, "partitions").orElse(""));
    boolean stale =
        ApiParameters.bool("stale", ApiParameters.single(params, "stale").orElse("false"));
    ParsedQuery query = parameters.parse(endpoint, params, at, true);
    Reading reading;
    try {
      reading = readLocal(query, partitions, stale, deadline);
    } catch (InvalidStateStoreException e) {
      throw unavailable(toUnavailable(e, partitions, cluster.self()));
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("values", reading.values.toJson());
    body.put("denominator", reading.denominator.toJson());
    body.put("staleLags", reading.staleLags);
    return body;
  }

  /** {@code GET /api/v1/internal/state}: this instance's Kafka Streams state and consumer lag. */
  Map<String, Object> state() {
    return Map.of("state", cluster.localState(), "consumerLag", cluster.localConsumerLag());
  }

  /**
   * {@code GET /api/v1/instances}: every instance with its state and consumer lag as it reports
   * them ({@code UNREACHABLE} and no lag when it does not answer within {@code api.timeout}, {@code
   * UNKNOWN} and no lag without {@code application.server}), and the dead-letter topic.
   */
  Map<String, Object> instances(String authorization) {
    long deadline = System.nanoTime() + limits.timeout().toNanos();
    List<Cluster.Instance> all = cluster.instances();
    Map<String, CompletableFuture<PeerClient.Answer>> states = new LinkedHashMap<>();
    for (Cluster.Instance i : all) {
      if (i.server() != null && !i.server().equals(cluster.self())) {
        states.put(
            i.server(),
            peers.get(
                i.server(),
                INTERNAL_PREFIX + "state",
                Map.of(),
                authorization,
                remaining(deadline)));
      }
    }
    // Without application.server, the one instance that has none is this one (./tally demo).
    boolean unnamedIsSelf =
        cluster.self() == null && all.stream().filter(i -> i.server() == null).count() == 1;
    List<Map<String, Object>> instances = new ArrayList<>();
    for (Cluster.Instance i : all) {
      Map<String, Object> m = new LinkedHashMap<>();
      Map<String, Object> state =
          i.server() == null && unnamedIsSelf
              ? localState()
              : stateOf(i.server(), states.get(i.server()), deadline);
      m.put("server", i.server());
      m.put("state", state.get("state"));
      m.put("consumerLag", state.get("consumerLag"));
      m.put("active", Map.of("partitions", i.activePartitions(), "stores", i.activeStores()));
      m.put("standby", Map.of("partitions", i.standbyPartitions(), "stores", i.standbyStores()));
      instances.add(m);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("self", cluster.self());
    body.put("dlqTopic", dlqTopic);
    body.put("instances", instances);
    return body;
  }

  private Map<String, Object> localState() {
    Map<String, Object> state = new HashMap<>();
    state.put("state", cluster.localState());
    state.put("consumerLag", cluster.localConsumerLag());
    return state;
  }

  /** {@code state} and {@code consumerLag} (null when unknown) of one instance. */
  private Map<String, Object> stateOf(
      String server, CompletableFuture<PeerClient.Answer> answer, long deadline) {
    Map<String, Object> state = new HashMap<>();
    if (server == null) {
      state.put("state", "UNKNOWN");
      return state;
    }
    if (answer == null) {
      return localState();
    }
    state.put("state", "UNREACHABLE");
    try {
      PeerClient.Answer a =
          answer.get(Math.max(1, remaining(deadline).toMillis()), TimeUnit.MILLISECONDS);
      if (a.status() == 200 && a.body().get("state") instanceof String s) {
        state.put("state", s);
        state.put("consumerLag", a.body().get("consumerLag"));
      }
    } catch (TimeoutException | ExecutionException e) {
      answer.cancel(true);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return state;
  }

  private Reading readLocal(
      ParsedQuery query, Set<Integer> partitions, boolean stale, long deadline) {
    Reading reading =
        Reading.read(
            cluster.local(partitions, stale),
            query,
            catalog,
            seriesTtl,
            gaugeTtl,
            limits,
            deadline);
    if (stale) {
      Map<Integer, Long> lags = cluster.localLags();
      for (int p : partitions) {
        reading.staleLags.put(p, lags.getOrDefault(p, -1L));
      }
    }
    return reading;
  }

  /** One call: an instance (null: this one) and the partitions it reads, active or standby. */
  private record Call(String server, boolean stale) {}

  /**
   * Reads every series partition for {@code query}, here and on the instances that hold the others,
   * and merges; throws 503 when any partition cannot be read. With {@code allowStale}, a partition
   * whose active copy has no owner or whose owner fails is read from a standby copy.
   */
  private Reading gather(
      Endpoint endpoint,
      ParsedQuery query,
      Map<String, List<String>> params,
      String authorization,
      long deadline) {
    Map<Integer, String> owners = cluster.activeOwners();
    Map<Call, Set<Integer>> calls = new LinkedHashMap<>();
    Map<Integer, Map<String, Object>> unavailable = new TreeMap<>();
    String self = cluster.self();
    for (int p = 0; p < cluster.partitions(); p++) {
      if (!owners.containsKey(p)) {
        unavailable.put(
            p,
            unavailable(
                p,
                null,
                "no instance holds it as a running active task (moving between instances or"
                    + " restoring)"));
      } else if (Objects.equals(owners.get(p), self)) {
        calls.computeIfAbsent(new Call(null, false), c -> new TreeSet<>()).add(p);
      } else if (owners.get(p) == null) {
        unavailable.put(p, unavailable(p, null, "held by an instance without application.server"));
      } else {
        calls.computeIfAbsent(new Call(owners.get(p), false), c -> new TreeSet<>()).add(p);
      }
    }
    Reading merged = new Reading(limits);
    run(endpoint, query, params, authorization, deadline, calls, merged, unavailable);
    if (query.allowStale() && !unavailable.isEmpty()) {
      // Second round: standby copies of what the first could not read, on other instances than
      // the ones that just failed.
      Map<Call, Set<Integer>> stale = staleCalls(unavailable, self);
      run(endpoint, query, params, authorization, deadline, stale, merged, unavailable);
    }
    if (!unavailable.isEmpty()) {
      throw unavailable(new ArrayList<>(unavailable.values()));
    }
    return merged;
  }

  /** Makes {@code calls} (the remote ones concurrently), merging answers and noting failures. */
  private void run(
      Endpoint endpoint,
      ParsedQuery query,
      Map<String, List<String>> params,
      String authorization,
      long deadline,
      Map<Call, Set<Integer>> calls,
      Reading merged,
      Map<Integer, Map<String, Object>> unavailable) {
    String self = cluster.self();
    Map<Call, CompletableFuture<PeerClient.Answer>> remote = new LinkedHashMap<>();
    calls.forEach(
        (call, partitions) -> {
          if (call.server() != null) {
            Map<String, List<String>> peerParams = new LinkedHashMap<>(params);
            peerParams.put("partitions", List.of(joined(partitions)));
            peerParams.put("at", List.of(Long.toString(query.nowMs())));
            peerParams.put("stale", List.of(Boolean.toString(call.stale())));
            // The peer stops when this request would: no work left running for nobody.
            peerParams.put("budget", List.of(Long.toString(remaining(deadline).toMillis())));
            remote.put(
                call,
                peers.get(
                    call.server(),
                    INTERNAL_PREFIX + endpoint.name().toLowerCase(java.util.Locale.ROOT),
                    peerParams,
                    authorization,
                    remaining(deadline)));
          }
        });
    calls.forEach(
        (call, partitions) -> {
          if (call.server() == null) {
            try {
              merged.merge(readLocal(query, partitions, call.stale(), deadline));
            } catch (InvalidStateStoreException e) {
              toUnavailable(e, partitions, self)
                  .forEach(u -> unavailable.put((Integer) u.get("partition"), u));
            }
          }
        });
    remote.forEach(
        (call, future) -> {
          Set<Integer> partitions = calls.get(call);
          String failure;
          try {
            PeerClient.Answer answer =
                future.get(Math.max(1, remaining(deadline).toMillis()), TimeUnit.MILLISECONDS);
            if (answer.status() == 200) {
              merged.merge(fromJson(answer.body()));
              return;
            }
            if (answer.status() == 503 && answer.body().get("unavailable") instanceof List<?> l) {
              for (Object o : l) {
                @SuppressWarnings("unchecked")
                Map<String, Object> u = (Map<String, Object>) o;
                unavailable.put(((Number) u.get("partition")).intValue(), u);
              }
              return;
            }
            if (answer.status() == 400 || answer.status() == 404) {
              // The same request is as bad for every instance (a limit of the answer, say): the
              // caller gets the peer's own answer.
              throw peerError(answer);
            }
            failure = "answered " + answer.status() + ": " + answer.body().get("error");
          } catch (TimeoutException e) {
            future.cancel(true);
            failure = "did not answer within api.timeout";
          } catch (ExecutionException e) {
            failure =
                e.getCause() instanceof java.net.http.HttpTimeoutException
                    ? "did not answer within api.timeout"
                    : "unreachable: " + describe(e.getCause());
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw QueryException.timeout();
          }
          for (int p : partitions) {
            unavailable.put(p, unavailable(p, call.server(), failure));
          }
        });
  }

  private static String describe(Throwable t) {
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }

  @SuppressWarnings("unchecked")
  private static QueryException peerError(PeerClient.Answer answer) {
    Map<String, Object> details = new LinkedHashMap<>(answer.body());
    Object message = details.remove("error");
    Object parameter = details.remove("parameter");
    return new QueryException(
        answer.status(),
        String.valueOf(message),
        parameter instanceof String p ? p : null,
        details);
  }

  /**
   * Moves each unavailable partition that has a standby copy on another instance than the one that
   * failed for it (this one preferred) to a stale read of that copy.
   */
  private Map<Call, Set<Integer>> staleCalls(
      Map<Integer, Map<String, Object>> unavailable, String self) {
    Map<Integer, List<String>> standbys = cluster.standbyOwners();
    Map<Call, Set<Integer>> calls = new LinkedHashMap<>();
    for (var it = unavailable.entrySet().iterator(); it.hasNext(); ) {
      var entry = it.next();
      int p = entry.getKey();
      Object failed = entry.getValue().get("instance");
      List<String> holders = standbys.getOrDefault(p, List.of());
      Call chosen = null;
      for (String holder : holders) {
        if (Objects.equals(holder, self)) {
          chosen = new Call(null, true);
          break;
        }
        if (holder != null && !holder.equals(failed) && chosen == null) {
          chosen = new Call(holder, true);
        }
      }
      if (chosen != null) {
        calls.computeIfAbsent(chosen, c -> new TreeSet<>()).add(p);
        it.remove();
      }
    }
    return calls;
  }

  private Reading fromJson(Map<String, Object> body) {
    Reading reading = new Reading(limits);
    try {
      @SuppressWarnings("unchecked")
      List<Map<String, Object>> values = (List<Map<String, Object>>) body.get("values");
      @SuppressWarnings("unchecked")
      List<Map<String, Object>> denominator = (List<Map<String, Object>>) body.get("denominator");
      reading.values.merge(Partial.fromJson(values, limits));
      reading.denominator.merge(Partial.fromJson(denominator, limits));
      @SuppressWarnings("unchecked")
      Map<String, Object> lags = (Map<String, Object>) body.getOrDefault("staleLags", Map.of());
      lags.forEach(
          (p, lag) -> reading.staleLags.put(Integer.parseInt(p), ((Number) lag).longValue()));
    } catch (ClassCastException | NullPointerException | IllegalArgumentException e) {
      throw new QueryException(
          502, "another instance answered a malformed internal read: " + e, null, Map.of());
    }
    return reading;
  }

  private static Duration remaining(long deadline) {
    return Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime()));
  }

  private static String joined(Set<Integer> partitions) {
    return String.join(",", partitions.stream().map(String::valueOf).toList());
  }

  private Set<Integer> partitionList(String text) {
    Set<Integer> partitions = new TreeSet<>();
    for (String part : text.split(",")) {
      try {
        int p = Integer.parseInt(part.trim());
        if (p < 0 || p >= cluster.partitions()) {
          throw new NumberFormatException();
        }
        partitions.add(p);
      } catch (NumberFormatException e) {
        throw QueryException.badParameter(
            "partitions", "partitions must list series partitions; got '" + text + "'");
      }
    }
    return partitions;
  }

  /**
   * The partitions a local read of {@code partitions} could not read: those a {@link
   * PartitionsUnavailableException} names, else (a store that failed without saying which
   * partition) all of them. Whatever the read visited before it failed is dropped with it.
   */
  private static List<Map<String, Object>> toUnavailable(
      InvalidStateStoreException e, Set<Integer> partitions, String self) {
    Map<Integer, String> reasons = new TreeMap<>();
    if (e instanceof PartitionsUnavailableException named) {
      reasons.putAll(named.reasons());
    } else {
      partitions.forEach(p -> reasons.put(p, e.getMessage()));
    }
    List<Map<String, Object>> list = new ArrayList<>();
    reasons.forEach((p, reason) -> list.add(unavailable(p, self, reason)));
    return list;
  }

  private static Map<String, Object> unavailable(int partition, String instance, String reason) {
    Map<String, Object> u = new LinkedHashMap<>();
    u.put("partition", partition);
    u.put("instance", instance);
    u.put("reason", reason);
    return u;
  }

  private static QueryException unavailable(List<Map<String, Object>> unavailable) {
    return new QueryException(
        503,
        unavailable.size()
            + " series partition(s) cannot be read now (moving, restoring or unreachable); try"
            + " again shortly, or pass allowStale=true to read standby copies",
        null,
        Map.of("unavailable", unavailable));
  }

  // ---- rendering ----

  private static Map<String, Object> renderSeries(ParsedQuery query, Reading reading) {
    List<Map<String, Object>> series = new ArrayList<>();
    reading.values.sorted().keySet().forEach(labels -> series.add(Map.of("labels", labels)));
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("metric", query.target().metric());
    body.put("series", series);
    return body;
  }

  private static Map<String, Object> renderTotals(ParsedQuery query, Reading reading) {
    List<Map<String, Object>> series = new ArrayList<>();
    MetricKind kind = query.target().kind();
    reading
        .values
        .sorted()
        .forEach(
            (labels, slots) -> {
              AggregateValue v = slots.get(Partial.TOTAL);
              Map<String, Object> s = new LinkedHashMap<>();
              s.put("labels", labels);
              if (kind == MetricKind.HISTOGRAM) {
                HistogramView h = v.histogram();
                s.put("count", h == null ? 0 : h.count());
                s.put("sum", number(h == null ? 0 : h.sum()));
                Map<String, Object> quantiles = new LinkedHashMap<>();
                for (double q : query.quantiles()) {
                  quantiles.put(
                      quantileKey(q), h == null || h.count() == 0 ? null : number(h.quantile(q)));
                }
                s.put("quantiles", quantiles);
              } else {
                s.put("value", number(v.total()));
              }
              series.add(s);
            });
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("metric", query.target().metric());
    body.put("type", kind.label());
    body.put("series", series);
    return body;
  }

  private static Map<String, Object> renderQuery(ParsedQuery query, Reading reading) {
    Range range = query.range();
    long size = range.sizeMs();
    boolean histogram = query.target().kind() == MetricKind.HISTOGRAM;
    boolean ratio = query.target().kind() == MetricKind.RATIO;
    SortedMap<SortedMap<String, String>, TreeMap<Long, AggregateValue>> denominators =
        reading.denominator.sorted();
    List<Map<String, Object>> series = new ArrayList<>();
    reading
        .values
        .sorted()
        .forEach(
            (labels, slots) -> {
              List<Map<String, Object>> points = new ArrayList<>();
              TreeMap<Long, AggregateValue> dens =
                  denominators.getOrDefault(labels, new TreeMap<>());
              for (long start = range.fromStartMs(); start <= range.toStartMs(); start += size) {
                Object value;
                if (ratio) {
                  AggregateValue num = slots.get(start);
                  AggregateValue den = dens.get(start);
                  value =
                      den == null || den.total() == 0
                          ? null
                          : number(
                              (num == null ? 0 : num.total())
                                  / den.total()
                                  * query.target().ratio().scale());
                } else if (query.target().kind() == MetricKind.GAUGE) {
                  AggregateValue v = slots.get(start);
                  value = v == null ? null : number(v.total());
                } else {
                  value = query.agg().of(slots.get(start), size, histogram);
                  if (value instanceof Double d) {
                    value = number(d);
                  }
                }
                Map<String, Object> point = new LinkedHashMap<>();
                point.put("start", TimeParameter.format(start));
                point.put("value", value);
                points.add(point);
              }
              Map<String, Object> s = new LinkedHashMap<>();
              s.put("labels", labels);
              s.put("points", points);
              series.add(s);
            });
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("metric", query.target().metric());
    body.put("type", query.target().kind().label());
    body.put("resolution", range.spec().label());
    body.put("agg", query.agg().label());
    body.put("from", TimeParameter.format(range.fromStartMs()));
    body.put("to", TimeParameter.format(range.toStartMs() + size));
    body.put("series", series);
    return body;
  }

  /** {@code 0.5} as "0.5", {@code 0.999} as "0.999". */
  private static String quantileKey(double q) {
    return java.math.BigDecimal.valueOf(q).stripTrailingZeros().toPlainString();
  }

  /**
   * A JSON number: integral values within 2^53 as integers (a count reads 1873, not 1873.0); NaN
   * and infinities, which JSON cannot hold, as null.
   */
  static Object number(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return null;
    }
    if (v == Math.rint(v) && Math.abs(v) <= 0x1p53) {
      return (long) v;
    }
    return v;
  }

  /** For tests: the limits in force. */
  Limits limits() {
    return limits;
  }
}
