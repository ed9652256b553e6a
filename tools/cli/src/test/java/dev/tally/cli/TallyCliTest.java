package dev.tally.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

class TallyCliTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int tally(Map<String, String> env, String... args) {
    return TallyCli.commandLine(new CliEnvironment(env, StopSignal.manual()))
        .setOut(new PrintWriter(out, true))
        .setErr(new PrintWriter(err, true))
        .execute(args);
  }

  private int tally(String... args) {
    return tally(Map.of(), args);
  }

  @Test
  void shouldListEverySubcommandInHelp() {
    assertThat(tally("--help")).isZero();
    assertThat(out.toString())
        .startsWith("Usage: tally")
        .containsPattern("(?m)^  broker ")
        .containsPattern("(?m)^  run ")
        .containsPattern("(?m)^  demo ")
        .containsPattern("(?m)^  query ")
        .containsPattern("(?m)^  loadgen ");
  }

  @Test
  void shouldPrintTallyAndKafkaVersions() {
    assertThat(tally("--version")).isZero();
    assertThat(out.toString())
        .startsWith("tally ")
        .doesNotContain("tally unknown")
        .contains("Kafka " + builtAgainstKafka() + ", Java ");
  }

  /** The Kafka version the build pins (pom.xml's kafka.version, filtered into the jar). */
  private static String builtAgainstKafka() {
    Properties properties = new Properties();
    try (InputStream in = TallyCli.class.getResourceAsStream("version.properties")) {
      properties.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return properties.getProperty("kafka.version");
  }

  @Test
  void shouldTreatAMissingSubcommandAsAUsageError() {
    assertThat(tally()).isEqualTo(2);
    assertThat(err.toString()).startsWith("Missing required subcommand").contains("Usage: tally");
  }

  @ParameterizedTest
  @CsvSource({
    "250ms, PT0.25S",
    "30s, PT30S",
    "5m, PT5M",
    "2h, PT2H",
    "1d, PT24H",
    "PT1M30S, PT1M30S"
  })
  void shouldReadDurationsAsPeopleTypeThem(String typed, Duration expected) {
    CommandLine.ParseResult parsed =
        TallyCli.commandLine(new CliEnvironment(Map.of(), StopSignal.manual()))
            .parseArgs("demo", "--duration", typed);

    assertThat(parsed.subcommand().<Duration>matchedOptionValue("--duration", null))
        .isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"5x", "abc", "30", "-5s", "0s", "s", "99999999999999999999h"})
  void shouldRejectABadDurationAsAUsageErrorNamingTheOption(String typed) {
    assertThat(tally("demo", "--duration", typed)).isEqualTo(2);
    assertThat(err.toString())
        .startsWith("Invalid value for option '--duration': '" + typed + "'")
        .contains("Usage: tally demo");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void shouldRejectAConfigFileThatDoesNotExist(@TempDir Path dir) {
    String missing = dir.resolve("missing.yaml").toString();

    assertThat(tally("run", "--config", missing)).isEqualTo(2);
    assertThat(err.toString()).startsWith("--config: no such file: " + missing);
  }

  @Test
  void shouldRejectAPortOutsideTheValidRange() {
    assertThat(tally("broker", "--port", "70000")).isEqualTo(2);
    assertThat(err.toString()).startsWith("--port must be between 0 and 65535, got 70000");
  }

  @Test
  void shouldFailAtStartUpNamingAnUnknownSetting() {
    int exit = tally(Map.of("TALLY_WINDW_GRACE", "10s"), "run");

    assertThat(exit).isEqualTo(1);
    assertThat(err.toString())
        .startsWith("tally: configuration: TALLY_WINDW_GRACE: unknown setting")
        .doesNotContain("Exception");
    assertThat(out.toString()).doesNotContain("ready at");
  }

  @Test
  void shouldFailAtStartUpNamingABadValue() {
    int exit = tally(Map.of("TALLY_WINDOW_GRACE", "soon"), "demo", "--duration", "1s");

    assertThat(exit).isEqualTo(1);
    assertThat(err.toString()).startsWith("tally: configuration: window.grace: 'soon'");
  }
}
