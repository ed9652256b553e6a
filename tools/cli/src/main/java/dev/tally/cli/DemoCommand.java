package dev.tally.cli;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tally demo}: the pipeline on a local broker, for a fixed time or until Ctrl-C. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    versionProvider = TallyCli.Version.class,
    description = {
      "Run the aggregation pipeline on sample events, on a local broker unless "
          + KafkaTarget.BOOTSTRAP_SERVERS_ENV
          + " is set."
    })
final class DemoCommand implements Callable<Integer> {
  @Spec private CommandSpec spec;

  @Option(
      names = "--duration",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Stop after this long, e.g. 30s, 5m, 1h (default: run until Ctrl-C).")
  private Duration duration;

  private final CliEnvironment environment;

  DemoCommand(CliEnvironment environment) {
    this.environment = environment;
  }

  @Override
  public Integer call() {
    return PipelineCommands.runUntilStopped(
        environment, spec.commandLine().getOut(), Optional.empty(), duration, true);
  }
}
