package dev.tally.cli;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The options every {@code tally query} command shares: where Tally is, how to log in and trust it,
 * how long to wait and whether to print the raw JSON. Passwords never come from the command line,
 * where other users of the machine see them.
 */
final class QueryOptions {
  static final String URL_ENV = "TALLY_URL";
  static final String DEFAULT_URL = "http://localhost:8080";

  @Spec(Spec.Target.MIXEE)
  private CommandSpec command;

  @Option(
      names = "--url",
      paramLabel = "URL",
      description = "Tally's HTTP port (default: $" + URL_ENV + ", else " + DEFAULT_URL + ").")
  private String url;

  @Mixin private HttpLogin login;

  @Option(names = "--json", description = "Print the server's JSON answer as it is.")
  private boolean json;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      defaultValue = "15s",
      converter = DurationConverter.class,
      description = "How long to wait for the answer (default: ${DEFAULT-VALUE}).")
  private Duration timeout;

  boolean json() {
    return json;
  }

  /** The client these options describe; a wrong option is a usage error naming it. */
  QueryClient client(CliEnvironment environment) {
    Map<String, String> env = environment.variables();
    return new QueryClient(baseUrl(env), login.authorization(env), login.ssl(env), timeout);
  }

  private URI baseUrl(Map<String, String> env) {
    String text = url != null ? url : env.getOrDefault(URL_ENV, DEFAULT_URL);
    String option = url != null ? "--url" : "$" + URL_ENV;
    URI uri;
    try {
      uri = new URI(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
    } catch (URISyntaxException e) {
      throw usage(option + ": '" + text + "' is not a URL: " + e.getReason());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
      throw usage(option + ": '" + text + "' is not an http or https URL, e.g. " + DEFAULT_URL);
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw usage(option + ": '" + text + "' has a query or fragment; give the server's address");
    }
    return uri;
  }

  private ParameterException usage(String message) {
    return new ParameterException(command.commandLine(), message);
  }
}
