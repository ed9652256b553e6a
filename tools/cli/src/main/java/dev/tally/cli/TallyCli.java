package dev.tally.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.KafkaProducer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code tally} command.
 *
 * <p>Exit codes: 0 success, 1 runtime failure (one line on stderr), 2 usage error.
 */
@Command(
    name = "tally",
    mixinStandardHelpOptions = true,
    versionProvider = TallyCli.Version.class,
    description =
        "Exact, never-resetting Prometheus metrics from the events services publish to Kafka.",
    synopsisSubcommandLabel = "COMMAND")
public final class TallyCli implements Callable<Integer> {
  @Spec private CommandSpec spec;

  private TallyCli() {}

  public static void main(String[] args) {
    System.exit(commandLine(CliEnvironment.system()).execute(args));
  }

  /** The command line with all subcommands; tests set their own environment, out and err. */
  static CommandLine commandLine(CliEnvironment environment) {
    return new CommandLine(new TallyCli())
        .addSubcommand(new BrokerCommand(environment))
        .addSubcommand(new RunCommand(environment))
        .addSubcommand(new DemoCommand(environment))
        .addSubcommand(QueryCommand.commandLine(environment))
        .addSubcommand(new LoadgenCommand(environment))
        .setExecutionExceptionHandler(TallyCli::reportFailure);
  }

  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(), "Missing required subcommand");
  }

  private static int reportFailure(
      Exception failure, CommandLine command, CommandLine.ParseResult parsed) {
    PrintWriter err = command.getErr();
    if (failure instanceof CliFailure) {
      err.println("tally: " + failure.getMessage());
    } else {
      // Not a failure we foresaw: the stack trace is what a bug report needs.
      err.println("tally: unexpected failure: " + failure);
      failure.printStackTrace(err);
    }
    err.flush();
    return CommandLine.ExitCode.SOFTWARE;
  }

  /** Tally's version from the build, with the Kafka and Java versions it runs on. */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {
        "tally " + tallyVersion(),
        "Kafka " + kafkaVersion() + ", Java " + System.getProperty("java.version")
      };
    }

    /** From kafka-clients' own version resource (its AppInfoParser is not public API). */
    static String kafkaVersion() {
      Properties properties = new Properties();
      try (InputStream in =
          KafkaProducer.class.getResourceAsStream("/kafka/kafka-version.properties")) {
        if (in != null) {
          properties.load(in);
        }
      } catch (IOException e) {
        // Unknown then; the version line is informational.
      }
      return properties.getProperty("version", "unknown");
    }

    static String tallyVersion() {
      Properties properties = new Properties();
      try (InputStream in = TallyCli.class.getResourceAsStream("version.properties")) {
        if (in != null) {
          properties.load(in);
        }
      } catch (IOException e) {
        // Falls through to "unknown": a version line is not worth failing for.
      }
      return properties.getProperty("version", "unknown");
    }
  }
}
