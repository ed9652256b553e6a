package dev.tally.streams.topology;

import dev.tally.schemas.Envelope;
import dev.tally.streams.catalog.GaugeMode;
import dev.tally.streams.catalog.MetricDefinition;
import dev.tally.streams.catalog.MetricType;
import dev.tally.streams.catalog.SelfMetrics;
import dev.tally.streams.series.SeriesKey;
import dev.tally.streams.store.Aggregate;
import dev.tally.streams.store.CommitBufferedStore;
import dev.tally.streams.store.DedupStore;
import dev.tally.streams.store.Partial;
import dev.tally.streams.store.PendingKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Last step of the reading task: fold each mapped event's series updates into partial aggregates
 * per series and window, and count Tally's own series (consumed, rejected, duplicate, late,
 * overflow) as ordinary updates of the same buffer. Here live the decisions that need state: dedup
 * ({@code dedup.window}), lateness, and each metric's live-series cap.
 *
 * <p>Each event's lateness is judged here, against its source's own clock ({@link Lateness}); the
 * clocks live in a changelogged store beside the buffer, so a replay after a crash judges every
 * event as before. Late events are counted in {@code tally_late_events_total{metric}}, an ordinary
 * self-counter that reaches its one owner through the repartition like any series.
 *
 * <p>Partials live in the buffer ({@link CommitBufferedStore}: objects, each changed one written to
 * the changelog at the next commit) until a wall-clock punctuation forwards and deletes them. Under
 * exactly-once the buffer's changelog writes, the forwarded partials and the input offsets commit
 * in one transaction: a crash before the commit rolls back all three together, so nothing buffered
 * is lost or counted twice.
 */
final class PreAggregator implements Processor<byte[], Checked, SeriesKey, Partial> {
  /**
   * The key {@link Partial.Seen} partials travel under; {@link SeriesPartitioner} multicasts them.
   */
  static final SeriesKey SEEN_KEY = SeriesKey.of("tally_source_seen", Map.of());

  private static final Duration FORGET_INTERVAL = Duration.ofMinutes(1);

  private final Lateness lateness;
  private final long finestWindowMs;
  private final Duration flushInterval;
  private final Duration dedupWindow;
  private final long heartbeatMs;
  private final long seriesTtlMs;
  private final long touchMs;
  // When a Seen partial was last buffered per gauge source (service/instance); not persisted: a
  // restarted task sends one on the source's next event.
  private final Map<String, Long> lastHeartbeat = new HashMap<>();
  private final Map<String, Integer> liveSeries = new HashMap<>();
  // tally_events_consumed_total's series per input topic: one lookup per record, not a new key.
  private final Map<String, SeriesKey> consumedSeries = new HashMap<>();
  // Admitted series with their last use (Tally's clock) and the last use written to the store.
  private final Map<SeriesKey, long[]> admitted = new HashMap<>();

  private ProcessorContext<SeriesKey, Partial> context;
  // The buffer of partials and the latest event time per source (topic, service, instance): objects
  // written to their changelogs once per commit (CommitBufferedStore), not once per event.
  private CommitBufferedStore<PendingKey, Partial> pending;
  private KeyValueStore<SeriesKey, Long> seen;
  private CommitBufferedStore<String, Long> clocks;
  private DedupStore dedup;

  PreAggregator(
      Lateness lateness,
      long finestWindowMs,
      Duration flushInterval,
      Duration dedupWindow,
      Duration gaugeTtl,
      Duration seriesTtl) {
    this.lateness = lateness;
    this.finestWindowMs = finestWindowMs;
    this.flushInterval = flushInterval;
    this.dedupWindow = dedupWindow;
    // A tenth of the TTL: a source's gauges expire between 0.9 and 1 TTL after its last event.
    this.heartbeatMs = Math.max(1, gaugeTtl.toMillis() / 10);
    this.seriesTtlMs = seriesTtl.toMillis();
    this.touchMs = Math.max(1, seriesTtl.toMillis() / 10);
  }

  @Override
  public void init(ProcessorContext<SeriesKey, Partial> context) {
    this.context = context;
    this.pending = context.getStateStore(StoreNames.PENDING);
    this.seen = context.getStateStore(StoreNames.SEEN);
    this.clocks = context.getStateStore(StoreNames.SOURCE_CLOCKS);
    this.dedup = dedupWindow.isZero() ? null : context.getStateStore(StoreNames.DEDUP);
    // Rebuilt from the restored stores whenever the task (re)starts, so the mirrors always match
    // what the last commit left; the per-metric counts are derived rather than stored twice.
    liveSeries.clear();
    admitted.clear();
    try (KeyValueIterator<SeriesKey, Long> all = seen.all()) {
      all.forEachRemaining(
          kv -> {
            admitted.put(kv.key, new long[] {kv.value, kv.value});
            liveSeries.merge(kv.key.metric(), 1, Integer::sum);
          });
    }
    pending.reload();
    clocks.reload();
    if (dedup != null) {
      dedup.reload();
    }
    context.schedule(flushInterval, PunctuationType.WALL_CLOCK_TIME, now -> flush());
    context.schedule(FORGET_INTERVAL, PunctuationType.WALL_CLOCK_TIME, this::forgetIdleSources);
    if (seriesTtlMs > 0) {
      context.schedule(
          Duration.ofMillis(Math.max(1_000, Math.min(touchMs, 60_000))),
          PunctuationType.WALL_CLOCK_TIME,
          this::freeIdleSeries);
    }
  }

  @Override
  public void process(Record<byte[], Checked> record) {
    String topic = context.recordMetadata().map(RecordMetadata::topic).orElse("");
    long recordTime = Math.max(0, record.timestamp());
    count(
        SelfMetrics.EVENTS_CONSUMED,
        consumedSeries.computeIfAbsent(
            topic, t -> SeriesKey.of(SelfMetrics.EVENTS_CONSUMED.name(), Map.of("topic", t))),
        recordTime);
    if (record.value() instanceof Checked.Invalid invalid) {
      count(
          SelfMetrics.EVENTS_REJECTED,
          Map.of("topic", topic, "reason", invalid.reason()),
          recordTime);
      return;
    }
    Checked.Mapped mapped = (Checked.Mapped) record.value();
    Envelope envelope = mapped.envelope();
    heartbeat(envelope);
    if (alreadyCounted(topic, envelope)) {
      count(SelfMetrics.EVENTS_DUPLICATE, Map.of("topic", topic), recordTime);
      return;
    }
    int windows = judge(topic, envelope);
    for (SeriesUpdate update : mapped.updates()) {
      add(update, windows, recordTime);
    }
  }

  /**
   * Whether an event with this {@code (service, event_id)} was counted from this input partition
   * ({@code topic} and this task's partition) within {@code dedup.window} (by Tally's clock at
   * arrival); if not, remembers it. The ids are persisted with each commit ({@link DedupStore}): a
   * replay after a crash finds the ids the committed state had, no more.
   */
  private boolean alreadyCounted(String topic, Envelope envelope) {
    if (dedup == null) {
      return false;
    }
    String id = key(topic, envelope.service(), envelope.eventId());
    return dedup.seenElseRecord(id, context.currentSystemTimeMs());
  }

  /**
   * One store key of several strings, each prefixed by its length: no choice of characters in them
   * (a NUL included) can make two different tuples the same key.
   */
  static String key(String... parts) {
    StringBuilder key = new StringBuilder();
    for (String part : parts) {
      key.append(part.length()).append(':').append(part);
    }
    return key.toString();
  }

  /**
   * Keeps the source's gauges live: any event of a source counts ({@code gauge.ttl}), and the
   * owners of its gauges learn of it from a {@link Partial.Seen} at most every tenth of the TTL.
   */
  private void heartbeat(Envelope envelope) {
    String source = EventMapper.gaugeSource(envelope);
    long now = context.currentSystemTimeMs();
    Long last = lastHeartbeat.get(source);
    if (last == null || now - last >= heartbeatMs) {
      lastHeartbeat.put(source, now);
      buffer(new PendingKey(SEEN_KEY, 0, 0, source), new Partial.Seen(source, now));
    }
  }

  /**
   * The resolutions that still take {@code event}, judged against its source's clock, which then
   * moves on to the event's time if that is later.
   */
  private int judge(String topic, Envelope envelope) {
    long eventTime = envelope.timestamp().toEpochMilli();
    String source = key(topic, envelope.service(), envelope.instance());
    Long clock = clocks.get(source);
    int windows =
        lateness.accepted(
            eventTime, clock == null ? Long.MIN_VALUE : clock, context.currentSystemTimeMs());
    if (clock == null || eventTime > clock) {
      clocks.put(source, eventTime);
    }
    return windows;
  }

  /**
   * Drops the clocks of sources idle for longer than any window is kept (they decide nothing), and
   * the heartbeat times older than the heartbeat interval (the source's next event sends one
   * anyway), so that neither map grows with every instance name ever seen.
   */
  private void forgetIdleSources(long wallClockMs) {
    lastHeartbeat.values().removeIf(sent -> wallClockMs - sent >= heartbeatMs);
    List<String> idle = new ArrayList<>();
    clocks.forEach(
        (source, clock) -> {
          if (lateness.forgettable(clock, wallClockMs)) {
            idle.add(source);
          }
        });
    for (String source : idle) {
      clocks.delete(source);
    }
  }

  /**
   * Adds one catalog update to the partial of its series, finest window and set of resolutions (or
   * source and finest window, for gauges); an update that misses its finest window is counted late.
   */
  private void add(SeriesUpdate update, int windows, long recordTime) {
    MetricDefinition metric = update.metric();
    SeriesKey series = admit(metric, update.series(), update.eventTimeMs());
    if (metric.type() == MetricType.GAUGE) {
      // One partial per source and finest window: a backlog replayed in one flush still gives
      // each window its own sample (the owner's gauge windows).
      long windowStart = Math.floorDiv(update.eventTimeMs(), finestWindowMs) * finestWindowMs;
      PendingKey key = new PendingKey(series, windowStart, 0, update.source());
      Partial.Gauge sample =
          new Partial.Gauge(
              update.source(),
              metric.gaugeMode() == GaugeMode.DELTA,
              update.value(),
              update.eventTimeMs(),
              context.currentSystemTimeMs());
      Partial existing = pending.get(key);
      buffer(key, existing == null ? sample : ((Partial.Gauge) existing).merge(sample));
      return;
    }
    if (metric.name().startsWith(SelfMetrics.PREFIX)) {
      windows = 0; // Tally's own counters are totals only
    } else if ((windows & 1) == 0) {
      count(SelfMetrics.EVENTS_LATE, Map.of("metric", metric.name()), recordTime);
    }
    long windowStart = Math.floorDiv(update.eventTimeMs(), finestWindowMs) * finestWindowMs;
    PendingKey key = new PendingKey(series, windowStart, windows, "");
    Partial.Window existing = (Partial.Window) pending.get(key);
    Aggregate aggregate;
    long eventTime = update.eventTimeMs();
    if (existing == null) {
      aggregate =
          metric.type() == MetricType.HISTOGRAM
              ? Aggregate.histogram(metric.layout())
              : Aggregate.counter();
    } else {
      aggregate = existing.aggregate();
      eventTime = Math.max(eventTime, existing.eventTimeMs());
    }
    if (metric.type() == MetricType.HISTOGRAM) {
      aggregate.observe(update.value());
    } else if (update.exactValue() != null) {
      aggregate.add(update.exactValue());
    } else {
      aggregate.add(update.value());
    }
    buffer(key, new Partial.Window(windowStart, eventTime, windows, aggregate));
  }

  private void buffer(PendingKey key, Partial partial) {
    pending.put(key, partial);
  }

  /** Tally's own counters: not windowed, so all updates of a flush interval share one partial. */
  private void count(MetricDefinition metric, Map<String, String> labels, long recordTime) {
    count(metric, SeriesKey.of(metric.name(), labels), recordTime);
  }

  private void count(MetricDefinition metric, SeriesKey counted, long recordTime) {
    SeriesKey series = admit(metric, counted, recordTime);
    PendingKey key = new PendingKey(series, 0, 0, "");
    Partial.Window existing = (Partial.Window) pending.get(key);
    Aggregate aggregate = existing == null ? Aggregate.counter() : existing.aggregate();
    aggregate.add(1);
    long time = existing == null ? recordTime : Math.max(recordTime, existing.eventTimeMs());
    buffer(key, new Partial.Window(0, time, 0, aggregate));
  }

  /**
   * Enforces the metric's live-series cap: a new label set beyond the cap is replaced by the
   * metric's overflow series. The decision is made here, before the repartition, so the overflow
   * series still has exactly one owner.
   */
  private SeriesKey admit(MetricDefinition metric, SeriesKey series, long time) {
    long now = context.currentSystemTimeMs();
    long[] use = admitted.get(series);
    if (use != null) {
      use[0] = now;
      // The store learns of use at a tenth of series.ttl's resolution: one write per series and
      // tenth, not per event. After a restart a slot may so be freed up to a tenth early.
      if (now - use[1] >= touchMs) {
        use[1] = now;
        seen.put(series, now);
      }
      return series;
    }
    int live = liveSeries.getOrDefault(metric.name(), 0);
    if (live < metric.seriesCap()) {
      seen.put(series, now);
      admitted.put(series, new long[] {now, now});
      liveSeries.put(metric.name(), live + 1);
      return series;
    }
    if (metric != SelfMetrics.SERIES_OVERFLOW) {
      count(SelfMetrics.SERIES_OVERFLOW, Map.of("metric", metric.name()), time);
    }
    return series.overflow();
  }

  /** Frees the places of series unused for series.ttl: the metric can admit new label sets. */
  private void freeIdleSeries(long wallClockMs) {
    List<SeriesKey> idle = new ArrayList<>();
    admitted.forEach(
        (series, use) -> {
          if (use[0] + seriesTtlMs < wallClockMs) {
            idle.add(series);
          }
        });
    for (SeriesKey series : idle) {
      admitted.remove(series);
      seen.delete(series);
      liveSeries.computeIfPresent(series.metric(), (m, n) -> n > 1 ? n - 1 : null);
    }
  }

  /** Forwards every buffered partial to its owner and empties the buffer. */
  void flush() {
    List<PendingKey> sent = new ArrayList<>(pending.size());
    pending.forEach(
        (key, partial) -> {
          context.forward(
              new Record<>(key.series(), partial, partial.eventTimeMs(), new RecordHeaders()));
          sent.add(key);
        });
    sent.forEach(pending::delete);
  }
}
