package dev.tally.cli;

import dev.tally.tools.kafka.LocalKafkaBroker;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code tally broker}: a local single-node Kafka broker for development, until Ctrl-C. */
@Command(
    name = "broker",
    mixinStandardHelpOptions = true,
    versionProvider = TallyCli.Version.class,
    description = {
      "Run a local single-node Kafka broker (KRaft mode) on 127.0.0.1 until Ctrl-C.",
      "Prints one line '" + KafkaTarget.READY_LINE_PREFIX + "HOST:PORT' once it accepts clients."
    })
final class BrokerCommand implements Callable<Integer> {
  @Spec private CommandSpec spec;

  @Option(
      names = "--port",
      paramLabel = "N",
      defaultValue = "9092",
      description = "Port for clients (default: ${DEFAULT-VALUE}); 0 picks a free one.")
  private int port;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description =
          "Keep topics and records in DIR across restarts (default: a temporary directory,"
              + " deleted on exit).")
  private Path dataDir;

  private final CliEnvironment environment;

  BrokerCommand(CliEnvironment environment) {
    this.environment = environment;
  }

  @Override
  public Integer call() {
    LocalKafkaBroker.Builder builder = LocalKafkaBroker.builder().port(validPort());
    if (dataDir != null) {
      builder.dataDir(dataDir);
    }
    StopSignal stop = environment.stopSignal();
    stop.install();
    try {
      KafkaTarget broker = KafkaTarget.embedded(builder, spec.commandLine().getOut());
      try {
        stop.await(null);
      } finally {
        broker.close();
      }
    } finally {
      stop.stopped();
    }
    return 0;
  }

  private int validPort() {
    if (port < 0 || port > 65_535) {
      throw new ParameterException(
          spec.commandLine(), "--port must be between 0 and 65535, got " + port);
    }
    return port;
  }
}
