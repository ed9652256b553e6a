package dev.tally.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code tally run}: the aggregation pipeline against Kafka, until Ctrl-C. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    versionProvider = TallyCli.Version.class,
    description = {
      "Run the aggregation pipeline until Ctrl-C.",
      "Uses the Kafka cluster in "
          + KafkaTarget.BOOTSTRAP_SERVERS_ENV
          + " if set, else starts a"
          + " local broker on a free port."
    })
final class RunCommand implements Callable<Integer> {
  @Spec private CommandSpec spec;

  @Option(names = "--config", paramLabel = "FILE", description = "Tally configuration file.")
  private Path config;

  private final CliEnvironment environment;

  RunCommand(CliEnvironment environment) {
    this.environment = environment;
  }

  @Override
  public Integer call() {
    if (config != null && !Files.isRegularFile(config)) {
      throw new ParameterException(spec.commandLine(), "--config: no such file: " + config);
    }
    return PipelineCommands.runUntilStopped(
        environment, spec.commandLine().getOut(), Optional.ofNullable(config), null, false);
  }
}
