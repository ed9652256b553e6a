package dev.tally.cli;

import java.util.Map;

/**
 * What commands take from the process around them. {@link #system()} is the real process; tests
 * pass their own variables and a stop signal they control.
 *
 * @param variables environment variables, e.g. {@code KAFKA_BOOTSTRAP_SERVERS}
 * @param stopSignal tells long-running commands when to shut down
 */
record CliEnvironment(Map<String, String> variables, StopSignal stopSignal) {
  CliEnvironment {
    variables = Map.copyOf(variables);
  }

  static CliEnvironment system() {
    return new CliEnvironment(System.getenv(), StopSignal.onProcessShutdown());
  }
}
