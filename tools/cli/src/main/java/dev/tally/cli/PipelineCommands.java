package dev.tally.cli;

import dev.tally.exporter.TallyExporter;
import dev.tally.streams.TallyApp;
import dev.tally.streams.config.Durations;
import dev.tally.streams.config.InvalidConfigException;
import dev.tally.streams.config.TallyConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code tally run} and {@code tally demo} share: find Kafka, start the aggregation pipeline
 * on it and keep both running until stopped.
 */
final class PipelineCommands {
  private PipelineCommands() {}

  /** A started pipeline; closing it stops it cleanly. */
  interface RunningPipeline extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Resolves Kafka (the configured bootstrap.servers or an embedded broker), starts the pipeline
   * and waits for Ctrl-C or until {@code maxRuntime} has passed.
   *
   * @param maxRuntime how long to run; {@code null} runs until stopped
   * @param demo also produce sample events of every family
   */
  static int runUntilStopped(
      CliEnvironment environment,
      PrintWriter out,
      Optional<Path> config,
      Duration maxRuntime,
      boolean demo) {
    // Read the configuration before starting anything, so a bad key fails in an instant.
    TallyConfig settings = loadConfig(config, environment.variables());
    StopSignal stop = environment.stopSignal();
    stop.install();
    try (KafkaTarget kafka = KafkaTarget.fromConfig(settings, out)) {
      RunningPipeline pipeline = startPipeline(settings, kafka, out, demo);
      try {
        if (maxRuntime != null) {
          out.println("stopping after " + Durations.format(maxRuntime) + " (Ctrl-C stops sooner)");
          out.flush();
        }
        stop.await(maxRuntime);
      } finally {
        pipeline.close();
      }
    } finally {
      stop.stopped();
    }
    return 0;
  }

  static TallyConfig loadConfig(Optional<Path> file, Map<String, String> env) {
    try {
      return TallyConfig.load(file, env);
    } catch (InvalidConfigException e) {
      throw new CliFailure("configuration: " + e.getMessage(), e);
    }
  }

  /** Starts Tally against {@code kafka}; closing the result stops it cleanly. */
  static RunningPipeline startPipeline(
      TallyConfig settings, KafkaTarget kafka, PrintWriter out, boolean demo) {
    TallyConfig config = settings.with(TallyConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
    Path scratchState = null;
    if (kafka.isEmbedded() && settings.get(TallyConfig.STATE_DIR).equals(defaultStateDir())) {
      // A fresh embedded broker has none of the changelogs an old local state directory refers
      // to; start from an empty one so that nothing stale is restored.
      scratchState = tempDir("tally-state-");
      config = config.with(TallyConfig.STATE_DIR, scratchState.toString());
    }
    if (demo && config.catalogFile().isEmpty()) {
      config = config.with(TallyConfig.CATALOG_FILE, demoCatalog().toString());
    }
    TallyApp app;
    try {
      app = TallyApp.create(config);
    } catch (InvalidConfigException e) {
      throw new CliFailure("configuration: " + e.getMessage(), e);
    }
    TallyExporter exporter;
    try {
      exporter = TallyExporter.start(app);
    } catch (InvalidConfigException e) {
      app.close();
      throw new CliFailure("configuration: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      app.close();
      throw new CliFailure(
          "cannot serve HTTP on port " + config.httpPort() + ": " + e.getMessage(), e);
    }
    app.start();
    out.println(
        "Tally pipeline started (application.id="
            + config.applicationId()
            + ", reading topics matching "
            + config.inputTopicPattern()
            + ")");
    out.println("console at " + exporter.url());
    out.println("metrics at " + exporter.url().resolve("metrics"));
    out.println("query API at " + exporter.url().resolve("api/v1/metrics"));
    if (demo) {
      // The demo load sends ACK timeouts among its events: a first query to try.
      out.println(
          "try: curl -s '"
              + exporter.url().resolve("api/v1/totals?metric=ack_timeouts_total&by=service")
              + "'");
    }
    DemoLoad load = demo ? DemoLoad.start(kafka.bootstrapServers()) : null;
    if (load != null) {
      out.println("demo load: " + DemoLoad.EVENTS_PER_SECOND + " events/s to events.* topics");
    }
    out.flush();
    Path stateToDelete = scratchState;
    return () -> {
      if (load != null) {
        load.close();
      }
      exporter.close();
      app.close();
      if (stateToDelete != null) {
        deleteRecursively(stateToDelete);
      }
      out.println("Tally pipeline stopped");
      out.flush();
    };
  }

  /** The demo catalog, copied out of the jar so it can be read like a user's catalog file. */
  private static Path demoCatalog() {
    try (var in = PipelineCommands.class.getResourceAsStream("demo-catalog.yaml")) {
      Path file = Files.createTempFile("tally-demo-catalog-", ".yaml");
      file.toFile().deleteOnExit();
      Files.copy(in, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      return file;
    } catch (IOException e) {
      throw new CliFailure("cannot write the demo catalog: " + e.getMessage(), e);
    }
  }

  private static String defaultStateDir() {
    return TallyConfig.fromMap(Map.of()).get(TallyConfig.STATE_DIR);
  }

  private static Path tempDir(String prefix) {
    try {
      return Files.createTempDirectory(prefix);
    } catch (IOException e) {
      throw new CliFailure("cannot create a state directory: " + e.getMessage(), e);
    }
  }

  private static void deleteRecursively(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // Best effort: a leftover scratch directory under the temp dir does no harm.
    }
  }
}
