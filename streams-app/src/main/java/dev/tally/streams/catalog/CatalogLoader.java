package dev.tally.streams.catalog;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tally.streams.config.Durations;
import dev.tally.streams.config.InvalidConfigException;
import dev.tally.streams.histogram.HistogramLayout;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Reads catalog documents (YAML or JSON) into {@link MetricDefinition}s and {@link
 * RatioDefinition}s. Every problem is reported as an {@link InvalidConfigException} whose key names
 * the catalog entry, e.g. {@code catalog metric 'cache_hits_total': ...}.
 */
final class CatalogLoader {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
  private static final Set<String> METRIC_KEYS =
      Set.of("name", "type", "help", "unit", "labels", "from", "buckets", "schema", "gauge", "cap");
  private static final Set<String> RULE_KEYS = Set.of("event", "when", "value", "scale");
  private static final Set<String> RATIO_KEYS =
      Set.of("name", "help", "numerator", "denominator", "by", "window", "scale");
  static final Duration DEFAULT_RATIO_WINDOW = Duration.ofMinutes(1);

  private CatalogLoader() {}

  static JsonNode readResource(String resource) {
    try (InputStream in = CatalogLoader.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing catalog resource " + resource);
      }
      return YAML.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode readFile(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new InvalidConfigException("catalog.file", "no such file: " + file);
    }
    try (InputStream in = Files.newInputStream(file)) {
      JsonNode root = YAML.readTree(in); // YAML is a superset of JSON: one parser reads both.
      if (root == null || !root.isObject()) {
        throw new InvalidConfigException("catalog.file", file + " must hold a mapping");
      }
      return root;
    } catch (JsonProcessingException e) {
      throw new InvalidConfigException(
          "catalog.file", file + " is not valid YAML/JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static MetricDefinition metric(JsonNode node, int defaultCap) {
    String name = text(node, "name", "catalog metric");
    String where = "catalog metric '" + name + "'";
    unknownKeys(node, METRIC_KEYS, where);
    MetricType type = enumValue(MetricType.class, text(node, "type", where), where + " type");
    String help = node.path("help").asText("");
    if (help.isBlank()) {
      throw new InvalidConfigException(where, "help is required");
    }
    String unit = node.hasNonNull("unit") ? node.get("unit").asText() : null;
    checkName(name, type, unit, where);

    List<LabelRule> labels = new ArrayList<>();
    Set<String> labelNames = new HashSet<>();
    for (JsonNode label : node.path("labels")) {
      LabelRule rule = labelRule(label, where);
      if (!labelNames.add(rule.name())) {
        throw new InvalidConfigException(where, "label '" + rule.name() + "' appears twice");
      }
      labels.add(rule);
    }

    List<EventRule> rules = new ArrayList<>();
    for (JsonNode rule : node.path("from")) {
      rules.add(eventRule(rule, type, where));
    }
    if (rules.isEmpty()) {
      throw new InvalidConfigException(where, "needs at least one event rule under 'from'");
    }

    HistogramLayout layout = null;
    if (type == MetricType.HISTOGRAM) {
      layout = layout(node, where);
    } else if (node.has("buckets") || node.has("schema")) {
      throw new InvalidConfigException(where, "buckets and schema are for histograms only");
    }
    GaugeMode gaugeMode = null;
    if (type == MetricType.GAUGE) {
      gaugeMode =
          node.has("gauge")
              ? enumValue(GaugeMode.class, node.get("gauge").asText(), where + " gauge")
              : GaugeMode.LAST;
    } else if (node.has("gauge")) {
      throw new InvalidConfigException(where, "'gauge' is for gauges only");
    }
    int cap = node.has("cap") ? node.get("cap").asInt(-1) : defaultCap;
    if (cap <= 0) {
      throw new InvalidConfigException(where, "cap must be a positive integer");
    }
    return new MetricDefinition(
        name, type, help, unit, List.copyOf(labels), List.copyOf(rules), layout, gaugeMode, cap);
  }

  static HistogramLayout layout(JsonNode node, String where) {
    HistogramLayout defaults = HistogramLayout.latencySeconds();
    double[] bounds = defaults.classicUpperBounds();
    if (node.has("buckets")) {
      JsonNode buckets = node.get("buckets");
      bounds = new double[buckets.size()];
      for (int i = 0; i < buckets.size(); i++) {
        if (!buckets.get(i).isNumber()) {
          throw new InvalidConfigException(where, "buckets must be numbers");
        }
        bounds[i] = buckets.get(i).asDouble();
      }
    }
    int schema = node.has("schema") ? node.get("schema").asInt() : defaults.schema();
    try {
      return HistogramLayout.builder().schema(schema).classicUpperBounds(bounds).build();
    } catch (IllegalArgumentException e) {
      throw new InvalidConfigException(where, e.getMessage());
    }
  }

  static LabelRule labelRule(JsonNode label, String where) {
    String name;
    String source;
    String pathIds = null;
    if (label.isTextual()) {
      source = label.asText();
      // "labels.region" as a bare entry means: label "region" taken from event label "region".
      name = source.startsWith("labels.") ? source.substring("labels.".length()) : source;
    } else if (label.isObject()) {
      name = text(label, "name", where + " label");
      source = label.hasNonNull("from") ? label.get("from").asText() : name;
      if (label.has("template")) {
        if (!label.get("template").asText().equals("path")) {
          throw new InvalidConfigException(where, "label template must be 'path'");
        }
        pathIds = label.hasNonNull("ids") ? label.get("ids").asText() : LabelRule.DEFAULT_PATH_IDS;
        try {
          Pattern.compile(pathIds);
        } catch (PatternSyntaxException e) {
          throw new InvalidConfigException(
              where, "label ids is not a regular expression: " + e.getDescription());
        }
      } else if (label.has("ids")) {
        throw new InvalidConfigException(where, "label ids needs template: path");
      }
    } else {
      throw new InvalidConfigException(where, "labels are names or {name, from, template, ids}");
    }
    // le and quantile are the labels Prometheus histograms and summaries set themselves.
    if (!LABEL_NAME.matcher(name).matches()
        || name.startsWith("__")
        || name.equals("le")
        || name.equals("quantile")) {
      throw new InvalidConfigException(
          where, "'" + name + "' is not a usable label name (reserved or invalid)");
    }
    return new LabelRule(name, source, pathIds);
  }

  static EventRule eventRule(JsonNode rule, MetricType type, String where) {
    unknownKeys(rule, RULE_KEYS, where + " rule");
    String event = text(rule, "event", where + " rule");
    List<Condition> when = new ArrayList<>();
    JsonNode whenNode = rule.path("when");
    for (Iterator<Map.Entry<String, JsonNode>> it = whenNode.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> c = it.next();
      when.add(condition(c.getKey(), c.getValue(), where));
    }
    String valueField = null;
    double constant = 1;
    JsonNode value = rule.path("value");
    if (value.isTextual()) {
      valueField = value.asText();
    } else if (value.isNumber()) {
      constant = value.asDouble();
    } else if (!value.isMissingNode()) {
      throw new InvalidConfigException(where, "value must be a field name or a number");
    } else if (type != MetricType.COUNTER) {
      throw new InvalidConfigException(where, "gauges and histograms need a 'value' field");
    }
    double scale = rule.path("scale").asDouble(1.0);
    if (!Double.isFinite(scale) || scale == 0) {
      throw new InvalidConfigException(where, "scale must be a non-zero number");
    }
    if (type == MetricType.COUNTER && valueField == null && constant < 0) {
      throw new InvalidConfigException(where, "a counter cannot go down");
    }
    return new EventRule(event, List.copyOf(when), valueField, constant, scale);
  }

  static Condition condition(String field, JsonNode spec, String where) {
    if (!spec.isObject()) {
      return new Condition(field, Condition.Op.EQUALS, List.of(scalar(spec)));
    }
    if (spec.size() != 1) {
      throw new InvalidConfigException(where, "condition on '" + field + "' needs one operator");
    }
    Map.Entry<String, JsonNode> op = spec.fields().next();
    return switch (op.getKey()) {
      case "equals" -> new Condition(field, Condition.Op.EQUALS, List.of(scalar(op.getValue())));
      case "gt" -> {
        if (!op.getValue().isNumber()) {
          throw new InvalidConfigException(where, "'gt' on '" + field + "' needs a number");
        }
        yield new Condition(field, Condition.Op.GT, List.of(op.getValue().asDouble()));
      }
      case "in", "not_in" -> {
        List<Object> values = new ArrayList<>();
        op.getValue().forEach(v -> values.add(scalar(v)));
        yield new Condition(
            field,
            op.getKey().equals("in") ? Condition.Op.IN : Condition.Op.NOT_IN,
            List.copyOf(values));
      }
      case "present" ->
          new Condition(
              field,
              op.getValue().asBoolean() ? Condition.Op.PRESENT : Condition.Op.ABSENT,
              List.of());
      default ->
          throw new InvalidConfigException(
              where, "unknown condition '" + op.getKey() + "' (equals, in, not_in, gt, present)");
    };
  }

  static RatioDefinition ratio(JsonNode node) {
    String name = text(node, "name", "catalog ratio");
    String where = "catalog ratio '" + name + "'";
    unknownKeys(node, RATIO_KEYS, where);
    if (!METRIC_NAME.matcher(name).matches()) {
      throw new InvalidConfigException(where, "not a valid Prometheus metric name");
    }
    List<String> by = new ArrayList<>();
    node.path("by").forEach(b -> by.add(b.asText()));
    Duration window =
        node.has("window")
            ? Durations.parse(where + " window", node.get("window").asText())
            : DEFAULT_RATIO_WINDOW;
    double scale = node.path("scale").asDouble(1.0);
    List<RatioDefinition.Term> numerator = terms(node.path("numerator"), where);
    List<RatioDefinition.Term> denominator = terms(node.path("denominator"), where);
    if (numerator.isEmpty() || denominator.isEmpty()) {
      throw new InvalidConfigException(where, "needs a numerator and a denominator");
    }
    return new RatioDefinition(
        name,
        node.path("help").asText(name),
        numerator,
        denominator,
        List.copyOf(by),
        window,
        scale);
  }

  private static List<RatioDefinition.Term> terms(JsonNode list, String where) {
    List<RatioDefinition.Term> terms = new ArrayList<>();
    for (JsonNode term : list) {
      if (term.isTextual()) {
        terms.add(new RatioDefinition.Term(term.asText(), Map.of()));
      } else if (term.isObject()) {
        Map<String, List<String>> filter = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = term.path("where").fields();
            it.hasNext(); ) {
          Map.Entry<String, JsonNode> w = it.next();
          List<String> values = new ArrayList<>();
          if (w.getValue().isArray()) {
            w.getValue().forEach(v -> values.add(v.asText()));
          } else {
            values.add(w.getValue().asText());
          }
          filter.put(w.getKey(), List.copyOf(values));
        }
        terms.add(new RatioDefinition.Term(text(term, "metric", where), Map.copyOf(filter)));
      } else {
        throw new InvalidConfigException(where, "terms are metric names or {metric, where}");
      }
    }
    return terms;
  }

  static void checkName(String name, MetricType type, String unit, String where) {
    if (!METRIC_NAME.matcher(name).matches()) {
      throw new InvalidConfigException(where, "not a valid Prometheus metric name");
    }
    boolean total = name.endsWith("_total");
    if (type == MetricType.COUNTER && !total) {
      throw new InvalidConfigException(where, "counter names end in _total");
    }
    if (type != MetricType.COUNTER && total) {
      throw new InvalidConfigException(where, "only counters end in _total");
    }
    for (String suffix : List.of("_bucket", "_count", "_sum", "_created", "_info")) {
      if (name.endsWith(suffix)) {
        throw new InvalidConfigException(where, "names must not end in " + suffix);
      }
    }
    if (unit != null) {
      String base = total ? name.substring(0, name.length() - "_total".length()) : name;
      if (!base.endsWith("_" + unit)) {
        throw new InvalidConfigException(
            where, "a metric with unit '" + unit + "' must be named ..._" + unit);
      }
    }
  }

  private static String text(JsonNode node, String field, String where) {
    JsonNode value = node.get(field);
    if (value == null || !value.isTextual() || value.asText().isBlank()) {
      throw new InvalidConfigException(where, "'" + field + "' is required");
    }
    return value.asText();
  }

  private static void unknownKeys(JsonNode node, Set<String> allowed, String where) {
    if (!node.isObject()) {
      throw new InvalidConfigException(where, "must be a mapping");
    }
    node.fieldNames()
        .forEachRemaining(
            key -> {
              if (!allowed.contains(key)) {
                throw new InvalidConfigException(
                    where, "unknown key '" + key + "' (allowed: " + allowed + ")");
              }
            });
  }

  private static Object scalar(JsonNode node) {
    if (node.isNumber()) {
      return node.asDouble();
    }
    if (node.isBoolean()) {
      return node.asBoolean();
    }
    return node.asText();
  }

  private static <E extends Enum<E>> E enumValue(Class<E> type, String text, String where) {
    try {
      return Enum.valueOf(type, text.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new InvalidConfigException(
          where,
          "'"
              + text
              + "' is not one of "
              + List.of(type.getEnumConstants()).toString().toLowerCase(Locale.ROOT));
    }
  }
}
