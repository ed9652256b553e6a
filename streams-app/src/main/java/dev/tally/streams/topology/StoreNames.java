package dev.tally.streams.topology;

import dev.tally.streams.config.WindowSpec;

/**
 * Fixed names of every persistent part of the topology. Changelog and repartition topics derive
 * from them ({@code <application.id>-<name>-changelog}, e.g. {@code tally-cumulative-changelog}),
 * so renaming one orphans its state.
 */
public final class StoreNames {
  /** Pre-aggregation buffer of the reading task (objects, changelogged once per commit). */
  public static final String PENDING = "pending";

  /** Series admitted per metric by the reading task, for the live-series cap. */
  public static final String SEEN = "series-seen";

  /** Latest event time per source (topic, service, instance) of the reading task: lateness. */
  public static final String SOURCE_CLOCKS = "source-clocks";

  /**
   * Counted (service, event_id) pairs of the reading task within dedup.window ({@code DedupStore}:
   * batches of id digests). Not {@code dedup}, the name of the window store of one record per id
   * that it replaced: the old changelog is never read as batches.
   */
  public static final String DEDUP = "dedup-ids";

  /** Never-resetting totals per series (owner task). */
  public static final String CUMULATIVE = "cumulative";

  /** Gauge samples per series and source (owner task). */
  public static final String GAUGES = "gauges";

  /** Repartition of partials by series key: one owner per series. */
  public static final String SERIES_REPARTITION = "series";

  public static final String SOURCE = "source";
  public static final String PARSE = "parse";
  public static final String MAP = "map";
  public static final String ROUTE_SPLIT = "route-";
  public static final String DEAD_LETTER = "dead-letter";
  public static final String DLQ_SINK = "dlq-sink";
  public static final String COUNTED = "counted";
  public static final String PRE_AGGREGATE = "pre-aggregate";
  public static final String OWNER = "series-owner";

  private StoreNames() {}

  /** Windowed store of one resolution, e.g. {@code window-10s}. */
  public static String window(WindowSpec spec) {
    return "window-" + spec.label();
  }

  /** Windowed gauge values of one resolution, e.g. {@code gauge-window-10s}. */
  public static String gaugeWindow(WindowSpec spec) {
    return "gauge-window-" + spec.label();
  }

  /** The repartition topic Kafka Streams creates for {@link #SERIES_REPARTITION}. */
  public static String repartitionTopic(String applicationId) {
    return applicationId + "-" + SERIES_REPARTITION + "-repartition";
  }

  /**
   * Whether {@code topic} is the {@link #SERIES_REPARTITION} topic of some application: the input
   * of the tasks that own the series and hold the metric stores.
   */
  public static boolean isRepartitionTopic(String topic) {
    return topic.endsWith("-" + SERIES_REPARTITION + "-repartition");
  }
}
