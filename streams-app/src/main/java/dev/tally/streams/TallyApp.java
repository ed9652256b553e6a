package dev.tally.streams;

import dev.tally.schemas.validation.EventParser;
import dev.tally.schemas.validation.ValidationLimits;
import dev.tally.streams.catalog.MetricCatalog;
import dev.tally.streams.commit.CommitNotifyingClientSupplier;
import dev.tally.streams.commit.CommittedView;
import dev.tally.streams.config.InvalidConfigException;
import dev.tally.streams.config.TallyConfig;
import dev.tally.streams.query.LocalMetricStores;
import dev.tally.streams.topology.StoreNames;
import dev.tally.streams.topology.TallyTopology;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running Tally pipeline: the Kafka Streams instance built from a configuration and a catalog.
 * Holds no process-global state, so tests can run several in one JVM.
 *
 * <pre>{@code
 * try (TallyApp app = TallyApp.create(config)) {
 *   app.start();
 *   ...
 * }
 * }</pre>
 */
public final class TallyApp implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TallyApp.class);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);
  // How often an input-topic check may ask the cluster, at most.
  private static final Duration TOPIC_CHECK_INTERVAL = Duration.ofSeconds(5);

  private final TallyConfig config;
  private final MetricCatalog catalog;
  private final CommittedView view;
  private final KafkaStreams streams;
  private final StreamThreadReplacement replacement;
  private final Object adminLock = new Object();
  private final AtomicBoolean checkingTopics = new AtomicBoolean();
  private Admin admin;
  private boolean closed;
  private volatile long topicCheckedAtNanos = System.nanoTime() - TOPIC_CHECK_INTERVAL.toNanos();
  private volatile boolean inputTopicSeen;

  private TallyApp(
      TallyConfig config, MetricCatalog catalog, CommittedView view, Topology topology) {
    this.config = config;
    this.catalog = catalog;
    this.view = view;
    try {
      this.streams =
          new KafkaStreams(
              topology, config.streamsProperties(), new CommitNotifyingClientSupplier(view));
    } catch (StreamsException e) {
      if (e.getMessage() == null || !e.getMessage().contains("state")) {
        throw e;
      }
      // Kafka Streams locks its state directory per process: a second Tally on the same one (an
      // old process still stopping, or two instances sharing a volume) cannot have it.
      throw new InvalidConfigException(
          TallyConfig.STATE_DIR,
          config.stateDir()
              + " cannot be used: "
              + e.getMessage()
              + " (another Tally process may be using it: stop it, or give each its own"
              + " state.dir)");
    }
    List<String> readingStores =
        new ArrayList<>(List.of(StoreNames.PENDING, StoreNames.SEEN, StoreNames.SOURCE_CLOCKS));
    if (!config.dedupWindow().isZero()) {
      readingStores.add(StoreNames.DEDUP);
    }
    ChangelogGrowth growth =
        new ChangelogGrowth(
            this::admin,
            readingStores.stream()
                .map(store -> config.applicationId() + "-" + store + "-changelog")
                .toList());
    this.replacement = new StreamThreadReplacement(Clock.systemUTC(), growth::repair);
    streams.setUncaughtExceptionHandler(replacement);
  }

  /** Loads the catalog and builds the topology; fails fast on bad configuration or catalog. */
  public static TallyApp create(TallyConfig config) {
    return create(config, UnaryOperator.identity());
  }

  /**
   * As {@link #create(TallyConfig)}, with {@code extend} applied to the built topology: for code
   * that embeds Tally and adds processors of its own (tests use it to inject faults).
   */
  public static TallyApp create(TallyConfig config, UnaryOperator<Topology> extend) {
    MetricCatalog catalog = MetricCatalog.load(config.catalogFile(), config.seriesCap());
    CommittedView view =
        config.exactlyOnce() ? CommittedView.exactlyOnce() : CommittedView.disabled();
    Topology topology =
        TallyTopology.build(config, catalog, parser(config, Clock.systemUTC()), view);
    return new TallyApp(config, catalog, view, extend.apply(topology));
  }

  /** The event parser with the limits of {@code config}. */
  public static EventParser parser(TallyConfig config, Clock clock) {
    return new EventParser(limits(config), clock);
  }

  static ValidationLimits limits(TallyConfig config) {
    return ValidationLimits.builder()
        .maxEventBytes(config.eventMaxBytes())
        .maxFutureSkew(config.eventMaxFutureSkew())
        .maxLabels(config.labelsMax())
        .maxLabelValueLength(config.labelValueMaxLength())
        .build();
  }

  /** Creates the dead-letter topic if it is missing, then starts processing. */
  public void start() {
    ensureDlqTopic();
    streams.start();
  }

  public KafkaStreams streams() {
    return streams;
  }

  /** The local stores as of the last commit: what {@code /metrics} and queries may show. */
  public LocalMetricStores stores() {
    return new LocalMetricStores(streams, view);
  }

  /**
   * Why this instance cannot do its work and should be restarted, if so: Kafka Streams stopped
   * after a fatal error, or stream threads kept dying ({@link StreamThreadReplacement}).
   */
  public Optional<String> deadReason() {
    KafkaStreams.State state = streams.state();
    if (state == KafkaStreams.State.ERROR || state == KafkaStreams.State.PENDING_ERROR) {
      return Optional.of(
          "Kafka Streams is "
              + state
              + replacement.lastFailure().map(f -> " after: " + f).orElse(""));
    }
    return Optional.empty();
  }

  /**
   * Why the pipeline counts nothing yet although it runs, if so: no topic matches {@code
   * input.topic.pattern}. A topic exists once this instance reads a partition of one; otherwise
   * asks the cluster at most every 5 s, never blocking more than one caller; once a topic was seen
   * the answer stays no.
   */
  public Optional<String> idleReason() {
    if (inputTopicSeen) {
      return Optional.empty();
    }
    // An instance that reads a partition of an input topic knows one exists without asking: it
    // must not answer "no topic" to the probes that arrive while the first check is in flight.
    if (readsInputPartition()) {
      inputTopicSeen = true;
      return Optional.empty();
    }
    long now = System.nanoTime();
    // One caller asks the cluster; callers meanwhile (other probes, scrapes) get the last answer
    // at once instead of queueing behind a slow broker.
    if (now - topicCheckedAtNanos >= TOPIC_CHECK_INTERVAL.toNanos()
        && checkingTopics.compareAndSet(false, true)) {
      try {
        topicCheckedAtNanos = now;
        inputTopicSeen = anyInputTopic();
      } finally {
        checkingTopics.set(false);
      }
    }
    return inputTopicSeen
        ? Optional.empty()
        : Optional.of(
            "no topic matches "
                + TallyConfig.INPUT_TOPIC_PATTERN
                + " '"
                + config.inputTopicPattern().pattern()
                + "' yet; events are counted as soon as one exists");
  }

  private boolean readsInputPartition() {
    try {
      return streams.metadataForLocalThreads().stream()
          .flatMap(thread -> thread.activeTasks().stream())
          .flatMap(task -> task.topicPartitions().stream())
          .anyMatch(p -> config.inputTopicPattern().matcher(p.topic()).matches());
    } catch (RuntimeException notRunning) {
      // Not started yet (StreamsNotStartedException) or shutting down (IllegalStateException).
      return false;
    }
  }

  /** The shared admin client, created on first use; throws once the app is closed. */
  private Admin admin() {
    synchronized (adminLock) {
      if (closed) {
        throw new IllegalStateException("Tally is closed");
      }
      if (admin == null) {
        admin = Admin.create(adminProperties());
      }
      return admin;
    }
  }

  private boolean anyInputTopic() {
    Admin client;
    try {
      client = admin();
    } catch (IllegalStateException closedAlready) {
      return false;
    }
    try {
      return client.listTopics().names().get(5, TimeUnit.SECONDS).stream()
          .anyMatch(t -> config.inputTopicPattern().matcher(t).matches());
    } catch (ExecutionException | TimeoutException e) {
      LOG.debug("cannot list topics: {}", e.toString());
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  public MetricCatalog catalog() {
    return catalog;
  }

  public TallyConfig config() {
    return config;
  }

  private void ensureDlqTopic() {
    try (Admin admin = Admin.create(adminProperties())) {
      admin
          .createTopics(
              List.of(new NewTopic(config.dlqTopic(), Optional.empty(), Optional.empty())))
          .all()
          .get();
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new IllegalStateException(
            "cannot create dead-letter topic "
                + config.dlqTopic()
                + ": "
                + e.getCause().getMessage(),
            e.getCause());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating the dead-letter topic", e);
    }
  }

  private Map<String, Object> adminProperties() {
    Map<String, Object> props = new HashMap<>();
    // Admin only takes client properties; Streams-only keys would be logged as unknown.
    config
        .streamsProperties()
        .forEach(
            (k, v) -> {
              if (AdminClientConfig.configNames().contains(k.toString())) {
                props.put(k.toString(), v);
              }
            });
    return props;
  }

  @Override
  public void close() {
    // Leave the group: the other instances take this one's tasks at once, instead of after the
    // consumer's session timeout (45 s), during which those series would be exported by no one.
    streams.close(
        CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
            .withTimeout(CLOSE_TIMEOUT));
    synchronized (adminLock) {
      closed = true;
      if (admin != null) {
        admin.close(Duration.ofSeconds(5));
      }
    }
  }
}
