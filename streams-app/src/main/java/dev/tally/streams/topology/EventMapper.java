package dev.tally.streams.topology;

import dev.tally.schemas.Envelope;
import dev.tally.schemas.Event;
import dev.tally.schemas.EventType;
import dev.tally.streams.catalog.Condition;
import dev.tally.streams.catalog.EventRule;
import dev.tally.streams.catalog.LabelRule;
import dev.tally.streams.catalog.MetricCatalog;
import dev.tally.streams.catalog.MetricDefinition;
import dev.tally.streams.catalog.MetricType;
import dev.tally.streams.catalog.SelfMetrics;
import dev.tally.streams.config.InvalidConfigException;
import dev.tally.streams.series.SeriesKey;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Applies the catalog to events: for each event, the series updates its type's rules produce. Field
 * references of the catalog ({@code latency_ms}, {@code service}, {@code labels.region}) are
 * resolved once, at start-up, against the event records; a reference to a field an event type does
 * not have fails there, naming the catalog entry.
 */
public final class EventMapper {
  /** Names the exporter uses for Tally's own, Kafka Streams and JVM metrics. */
  private static final List<String> RESERVED_PREFIXES =
      List.of(SelfMetrics.PREFIX, "jvm_", "process_");

  private final Map<EventType, List<Binding>> byType = new EnumMap<>(EventType.class);

  public EventMapper(MetricCatalog catalog) {
    for (MetricDefinition metric : catalog.metrics()) {
      for (String reserved : RESERVED_PREFIXES) {
        if (metric.name().startsWith(reserved)) {
          throw new InvalidConfigException(
              "catalog metric '" + metric.name() + "'",
              "the " + reserved + " prefix is taken by Tally's own metrics");
        }
      }
      for (EventRule rule : metric.rules()) {
        String where = "catalog metric '" + metric.name() + "' rule for '" + rule.eventType() + "'";
        EventType type =
            EventType.fromWireName(rule.eventType())
                .orElseThrow(() -> new InvalidConfigException(where, "unknown event type"));
        byType
            .computeIfAbsent(type, t -> new ArrayList<>())
            .add(new Binding(metric, rule, type.eventClass(), where));
      }
    }
  }

  /** The series updates {@code event} makes; empty when no rule of the catalog takes it. */
  public List<SeriesUpdate> map(Event event) {
    List<Binding> bindings = byType.get(event.envelope().type());
    if (bindings == null) {
      return unmapped(event);
    }
    List<SeriesUpdate> updates = new ArrayList<>(bindings.size());
    for (Binding binding : bindings) {
      SeriesUpdate update = binding.apply(event);
      if (update != null) {
        updates.add(update);
      }
    }
    return updates.isEmpty() && event.envelope().type() == EventType.METRIC_SAMPLE
        ? unmapped(event)
        : updates;
  }

  /**
   * A generic {@code metric.sample} no catalog entry takes is still accounted for, so that a
   * producer sending a name the catalog lacks sees it in {@code tally_events_unmapped_total}.
   */
  private static List<SeriesUpdate> unmapped(Event event) {
    Object name = field(event, "name");
    Map<String, String> labels = new TreeMap<>();
    labels.put("type", event.envelope().type().wireName());
    labels.put("name", name == null ? "" : String.valueOf(name));
    return List.of(
        new SeriesUpdate(
            SelfMetrics.EVENTS_UNMAPPED,
            SeriesKey.of(SelfMetrics.EVENTS_UNMAPPED.name(), labels),
            1,
            event.envelope().timestamp().toEpochMilli(),
            ""));
  }

  private static Object field(Event event, String name) {
    try {
      for (RecordComponent c : event.getClass().getRecordComponents()) {
        if (c.getName().equals(name)) {
          return c.getAccessor().invoke(event);
        }
      }
      return null;
    } catch (ReflectiveOperationException e) {
      return null;
    }
  }

  /** One catalog rule compiled against one event record class. */
  private static final class Binding {
    private final MetricDefinition metric;
    private final EventRule rule;
    private final List<Function<Event, Object>> conditionFields = new ArrayList<>();
    private final Function<Event, Object> valueField;
    private final List<Function<Event, Object>> labelFields = new ArrayList<>();
    private final boolean gauge;

    Binding(MetricDefinition metric, EventRule rule, Class<?> recordClass, String where) {
      this.metric = metric;
      this.rule = rule;
      this.gauge = metric.type() == MetricType.GAUGE;
      for (Condition c : rule.when()) {
        conditionFields.add(accessor(recordClass, c.field(), where));
      }
      valueField =
          rule.valueField() == null ? null : accessor(recordClass, rule.valueField(), where);
      for (LabelRule label : metric.labels()) {
        Function<Event, Object> source = accessor(recordClass, label.source(), where);
        if (label.pathIds() == null) {
          labelFields.add(source);
        } else {
          RouteTemplate template = RouteTemplate.ids(label.pathIds());
          labelFields.add(
              e -> {
                Object v = source.apply(e);
                return v == null ? null : template.template(v.toString());
              });
        }
      }
    }

    SeriesUpdate apply(Event event) {
      for (int i = 0; i < conditionFields.size(); i++) {
        if (!rule.when().get(i).test(conditionFields.get(i).apply(event))) {
          return null;
        }
      }
      double value;
      Long exact = null;
      if (valueField == null) {
        value = rule.constant();
      } else {
        Object raw = valueField.apply(event);
        if (!(raw instanceof Number n)) {
          return null; // an optional field the event does not carry
        }
        value = n.doubleValue();
        if ((n instanceof Long || n instanceof Integer) && rule.scale() == 1) {
          // An integer field (a count) stays exact beyond 2^53, where a double cannot.
          exact = n.longValue();
        }
      }
      value *= rule.scale();
      TreeMap<String, String> labels = new TreeMap<>();
      for (int i = 0; i < labelFields.size(); i++) {
        Object v = labelFields.get(i).apply(event);
        labels.put(metric.labels().get(i).name(), v == null ? "" : String.valueOf(v));
      }
      var envelope = event.envelope();
      return new SeriesUpdate(
          metric,
          SeriesKey.owning(metric.name(), labels),
          value,
          exact,
          envelope.timestamp().toEpochMilli(),
          gauge ? gaugeSource(envelope) : "");
    }
  }

  /** The source a gauge sample is kept per: {@code service/instance}. */
  static String gaugeSource(Envelope envelope) {
    return envelope.service() + "/" + envelope.instance();
  }

  /** Resolves a catalog field reference against an event record class. */
  static Function<Event, Object> accessor(Class<?> recordClass, String reference, String where) {
    if (reference.startsWith("labels.")) {
      String label = reference.substring("labels.".length());
      return e -> e.envelope().labels().get(label);
    }
    switch (reference) {
      case "service":
        return e -> e.envelope().service();
      case "instance":
        return e -> e.envelope().instance();
      case "type":
        return e -> e.envelope().type().wireName();
      default:
        break;
    }
    String component = camelCase(reference);
    for (RecordComponent c : recordClass.getRecordComponents()) {
      if (c.getName().equals(component)) {
        try {
          MethodHandle handle = MethodHandles.publicLookup().unreflect(c.getAccessor());
          // Enum fields (method, outcome, kind) are labelled with their wire spelling.
          MethodHandle wireName =
              c.getType().isEnum()
                  ? MethodHandles.publicLookup().unreflect(c.getType().getMethod("wireName"))
                  : null;
          return e -> {
            try {
              Object value = handle.invoke(e);
              return wireName != null && value != null ? wireName.invoke(value) : value;
            } catch (Throwable t) {
              throw new IllegalStateException("reading " + reference + ": " + t.getMessage(), t);
            }
          };
        } catch (IllegalAccessException | NoSuchMethodException e) {
          throw new InvalidConfigException(where, "field '" + reference + "' is not readable");
        }
      }
    }
    throw new InvalidConfigException(where, "event type has no field '" + reference + "'");
  }

  private static String camelCase(String snake) {
    StringBuilder sb = new StringBuilder(snake.length());
    boolean upper = false;
    for (char ch : snake.toCharArray()) {
      if (ch == '_') {
        upper = true;
      } else {
        sb.append(upper ? Character.toUpperCase(ch) : ch);
        upper = false;
      }
    }
    return sb.toString();
  }
}
