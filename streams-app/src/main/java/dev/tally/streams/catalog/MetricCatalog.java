package dev.tally.streams.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tally.streams.config.InvalidConfigException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The single source of truth for what Tally exports: metric names, help, units, types, labels,
 * histogram layouts and derived ratios. The topology, the exporter and docs/metrics.md all read it.
 *
 * <p>The built-in catalog covers every event family of the contract. A user catalog file can:
 *
 * <pre>{@code
 * builtins: true            # keep the built-in metrics (default); false starts from nothing
 * drop: [connections_closed_total]
 * rename: {delivery_latency_seconds: im_delivery_latency_seconds}
 * extend:                   # add labels taken from event labels, change buckets or cap
 *   http_requests_total: {add_labels: [labels.region], cap: 20000}
 * metrics: [...]            # new entries, or entries replacing a built-in of the same name
 * ratios: [...]
 * }</pre>
 */
public final class MetricCatalog {
  private static final String BUILTIN_RESOURCE = "/dev/tally/streams/catalog/builtin.yaml";
  private static final Set<String> USER_KEYS =
      Set.of("builtins", "drop", "rename", "extend", "metrics", "ratios");

  private final Map<String, MetricDefinition> metrics;
  private final Map<String, RatioDefinition> ratios;

  private MetricCatalog(
      Map<String, MetricDefinition> metrics, Map<String, RatioDefinition> ratios) {
    this.metrics = Collections.unmodifiableMap(metrics);
    this.ratios = Collections.unmodifiableMap(ratios);
    validateRatios();
  }

  /** The built-in catalog with the given default live-series cap. */
  public static MetricCatalog builtin(int defaultCap) {
    JsonNode root = CatalogLoader.readResource(BUILTIN_RESOURCE);
    Map<String, MetricDefinition> metrics = new LinkedHashMap<>();
    root.path("metrics").forEach(m -> put(metrics, CatalogLoader.metric(m, defaultCap)));
    Map<String, RatioDefinition> ratios = new LinkedHashMap<>();
    root.path("ratios").forEach(r -> putRatio(ratios, CatalogLoader.ratio(r)));
    return new MetricCatalog(metrics, ratios);
  }

  /** The built-in catalog merged with {@code userFile} when one is given. */
  public static MetricCatalog load(Optional<Path> userFile, int defaultCap) {
    MetricCatalog builtin = builtin(defaultCap);
    return userFile.map(f -> builtin.merge(CatalogLoader.readFile(f), defaultCap)).orElse(builtin);
  }

  /** Applies a user catalog document (already parsed) on top of this catalog. */
  MetricCatalog merge(JsonNode user, int defaultCap) {
    user.fieldNames()
        .forEachRemaining(
            key -> {
              if (!USER_KEYS.contains(key)) {
                throw new InvalidConfigException(
                    "catalog", "unknown top-level key '" + key + "' (allowed: " + USER_KEYS + ")");
              }
            });
    Map<String, MetricDefinition> merged = new LinkedHashMap<>();
    Map<String, RatioDefinition> mergedRatios = new LinkedHashMap<>();
    if (user.path("builtins").asBoolean(true)) {
      merged.putAll(metrics);
      mergedRatios.putAll(ratios);
    }
    for (JsonNode drop : user.path("drop")) {
      String name = drop.asText();
      if (merged.remove(name) == null && mergedRatios.remove(name) == null) {
        throw new InvalidConfigException("catalog drop '" + name + "'", "no such metric");
      }
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = user.path("rename").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> rename = it.next();
      MetricDefinition old = merged.remove(rename.getKey());
      if (old == null) {
        throw new InvalidConfigException(
            "catalog rename '" + rename.getKey() + "'", "no such metric");
      }
      String newName = rename.getValue().asText();
      MetricDefinition renamed =
          new MetricDefinition(
              newName,
              old.type(),
              old.help(),
              old.unit(),
              old.labels(),
              old.rules(),
              old.layout(),
              old.gaugeMode(),
              old.seriesCap());
      CatalogLoader.checkName(
          newName, old.type(), old.unit(), "catalog rename '" + rename.getKey() + "'");
      put(merged, renamed);
      renameInRatios(mergedRatios, rename.getKey(), newName);
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = user.path("extend").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> extend = it.next();
      String where = "catalog extend '" + extend.getKey() + "'";
      MetricDefinition old = merged.get(extend.getKey());
      if (old == null) {
        throw new InvalidConfigException(where, "no such metric");
      }
      merged.put(old.name(), extend(old, extend.getValue(), where));
    }
    for (JsonNode m : user.path("metrics")) {
      MetricDefinition def = CatalogLoader.metric(m, defaultCap);
      merged.put(def.name(), def); // same name replaces the built-in entry
    }
    for (JsonNode r : user.path("ratios")) {
      RatioDefinition def = CatalogLoader.ratio(r);
      mergedRatios.put(def.name(), def);
    }
    return new MetricCatalog(merged, mergedRatios);
  }

  public Collection<MetricDefinition> metrics() {
    return metrics.values();
  }

  public Optional<MetricDefinition> metric(String name) {
    return Optional.ofNullable(metrics.get(name));
  }

  public Collection<RatioDefinition> ratios() {
    return ratios.values();
  }

  private static MetricDefinition extend(MetricDefinition old, JsonNode spec, String where) {
    List<LabelRule> labels = new ArrayList<>(old.labels());
    for (JsonNode add : spec.path("add_labels")) {
      LabelRule rule = CatalogLoader.labelRule(add, where);
      final String name = rule.name();
      if (labels.stream().anyMatch(l -> l.name().equals(name))) {
        throw new InvalidConfigException(where, "label '" + name + "' already exists");
      }
      labels.add(rule);
    }
    var layout = old.layout();
    if (spec.has("buckets") || spec.has("schema")) {
      if (layout == null) {
        throw new InvalidConfigException(where, "buckets are for histograms only");
      }
      layout = CatalogLoader.layout(spec, where);
    }
    int cap = spec.has("cap") ? spec.get("cap").asInt(-1) : old.seriesCap();
    if (cap <= 0) {
      throw new InvalidConfigException(where, "cap must be a positive integer");
    }
    return new MetricDefinition(
        old.name(),
        old.type(),
        old.help(),
        old.unit(),
        List.copyOf(labels),
        old.rules(),
        layout,
        old.gaugeMode(),
        cap);
  }

  private static void renameInRatios(
      Map<String, RatioDefinition> ratios, String oldName, String newName) {
    ratios.replaceAll(
        (name, r) ->
            new RatioDefinition(
                r.name(),
                r.help(),
                renameTerms(r.numerator(), oldName, newName),
                renameTerms(r.denominator(), oldName, newName),
                r.by(),
                r.window(),
                r.scale()));
  }

  private static List<RatioDefinition.Term> renameTerms(
      List<RatioDefinition.Term> terms, String oldName, String newName) {
    return terms.stream()
        .map(t -> t.metric().equals(oldName) ? new RatioDefinition.Term(newName, t.where()) : t)
        .toList();
  }

  private void validateRatios() {
    for (RatioDefinition r : ratios.values()) {
      String where = "catalog ratio '" + r.name() + "'";
      if (metrics.containsKey(r.name())) {
        throw new InvalidConfigException(where, "a metric has the same name");
      }
      List<RatioDefinition.Term> terms = new ArrayList<>(r.numerator());
      terms.addAll(r.denominator());
      for (RatioDefinition.Term term : terms) {
        MetricDefinition m = metrics.get(term.metric());
        if (m == null || m.type() != MetricType.COUNTER) {
          throw new InvalidConfigException(
              where, "'" + term.metric() + "' is not a counter of the catalog");
        }
        for (String label : r.by()) {
          if (!m.labelNames().contains(label)) {
            throw new InvalidConfigException(
                where, "'" + term.metric() + "' has no label '" + label + "' to group by");
          }
        }
        for (String label : term.where().keySet()) {
          if (!m.labelNames().contains(label)) {
            throw new InvalidConfigException(
                where, "'" + term.metric() + "' has no label '" + label + "' to filter on");
          }
        }
      }
    }
  }

  private static void put(Map<String, MetricDefinition> metrics, MetricDefinition def) {
    if (metrics.putIfAbsent(def.name(), def) != null) {
      throw new InvalidConfigException(
          "catalog metric '" + def.name() + "'", "defined twice (names must be unique)");
    }
  }

  private static void putRatio(Map<String, RatioDefinition> ratios, RatioDefinition def) {
    if (ratios.putIfAbsent(def.name(), def) != null) {
      throw new InvalidConfigException(
          "catalog ratio '" + def.name() + "'", "defined twice (names must be unique)");
    }
  }
}
