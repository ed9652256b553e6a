package dev.tally.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * What {@code tally run} and {@code tally demo} share: find Kafka, start the aggregation pipeline
 * on it and keep both running until stopped.
 */
final class PipelineCommands {
  static final String PIPELINE_MISSING = "the aggregation pipeline is not built yet; see README";

  private PipelineCommands() {}

  /** A started pipeline; closing it stops it cleanly. */
  interface RunningPipeline extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Resolves Kafka ({@code KAFKA_BOOTSTRAP_SERVERS} or an embedded broker), starts the pipeline and
   * waits for Ctrl-C or until {@code maxRuntime} has passed.
   *
   * @param maxRuntime how long to run; {@code null} runs until stopped
   */
  static int runUntilStopped(
      CliEnvironment environment, PrintWriter out, Optional<Path> config, Duration maxRuntime) {
    StopSignal stop = environment.stopSignal();
    stop.install();
    try (KafkaTarget kafka = KafkaTarget.fromEnvironment(environment.variables(), out)) {
      RunningPipeline pipeline = startPipeline(kafka.bootstrapServers(), config, out);
      try {
        if (maxRuntime != null) {
          out.println(
              "stopping after " + DurationConverter.format(maxRuntime) + " (Ctrl-C stops sooner)");
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

  /** Where the aggregation pipeline will start, against the given Kafka cluster. */
  static RunningPipeline startPipeline(
      String bootstrapServers, Optional<Path> config, PrintWriter out) {
    out.println(PIPELINE_MISSING);
    out.flush();
    return () -> {};
  }
}
