package dev.tally.streams;

import dev.tally.schemas.validation.EventParser;
import dev.tally.schemas.validation.ValidationLimits;
import dev.tally.streams.catalog.MetricCatalog;
import dev.tally.streams.config.TallyConfig;
import dev.tally.streams.topology.TallyTopology;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;

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
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

  private final TallyConfig config;
  private final MetricCatalog catalog;
  private final KafkaStreams streams;

  private TallyApp(TallyConfig config, MetricCatalog catalog, KafkaStreams streams) {
    this.config = config;
    this.catalog = catalog;
    this.streams = streams;
  }

  /** Loads the catalog and builds the topology; fails fast on bad configuration or catalog. */
  public static TallyApp create(TallyConfig config) {
    MetricCatalog catalog = MetricCatalog.load(config.catalogFile(), config.seriesCap());
    Topology topology = TallyTopology.build(config, catalog, parser(config, Clock.systemUTC()));
    return new TallyApp(config, catalog, new KafkaStreams(topology, config.streamsProperties()));
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
    streams.close(CLOSE_TIMEOUT);
  }
}
