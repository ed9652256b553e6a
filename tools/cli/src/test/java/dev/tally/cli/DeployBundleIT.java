package dev.tally.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator bundle is consistent: compose and Kubernetes files parse and name only files that
 * exist, the Kafka image is the version Tally builds against, the Prometheus rules pass promtool's
 * checks and unit tests, and every dashboard expression parses in a real Prometheus (scripts under
 * deploy/ and dashboards/, which need Debian's prometheus package, as .ci/run installs).
 */
class DeployBundleIT {
  private static final Path REPO = Path.of("..", "..").toAbsolutePath().normalize();
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  @Test
  void shouldNameOnlyFilesThatExistInTheComposeFile() throws IOException {
    JsonNode compose = YAML.readTree(REPO.resolve("docker-compose.yml").toFile());
    List<String> missing = new ArrayList<>();
    compose
        .path("services")
        .forEach(
            service -> {
              service
                  .path("volumes")
                  .forEach(
                      v -> {
                        String spec = v.asText();
                        if (spec.startsWith("./")) {
                          String host = spec.substring(0, spec.indexOf(':'));
                          if (!Files.exists(REPO.resolve(host))) {
                            missing.add(host);
                          }
                        }
                      });
            });
    assertThat(missing).as("paths the compose file mounts but the repository lacks").isEmpty();
    assertThat(REPO.resolve("Dockerfile")).exists();
    assertThat(compose.path("services").size()).isGreaterThanOrEqualTo(5);
  }

  @Test
  void shouldPinTheKafkaVersionTallyBuildsAgainst() throws IOException {
    Matcher pom =
        Pattern.compile("<kafka.version>([^<]+)</kafka.version>")
            .matcher(Files.readString(REPO.resolve("pom.xml")));
    assertThat(pom.find()).isTrue();
    String compose = Files.readString(REPO.resolve("docker-compose.yml"));
    assertThat(compose).contains("image: apache/kafka:" + pom.group(1));
  }

  @Test
  void shouldParseEveryKubernetesManifest() throws IOException {
    try (Stream<Path> files = Files.list(REPO.resolve("deploy/kubernetes"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
        try (MappingIterator<JsonNode> docs =
            YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
          List<JsonNode> all = docs.readAll();
          assertThat(all).as(file.toString()).isNotEmpty();
          if (!file.getFileName().toString().equals("prometheus-scrape-config.yaml")) {
            for (JsonNode doc : all) {
              assertThat(doc.path("apiVersion").asText()).as(file + " apiVersion").isNotEmpty();
              assertThat(doc.path("kind").asText()).as(file + " kind").isNotEmpty();
            }
          }
        }
      }
    }
  }

  /**
   * promtool checks the compose Prometheus config. Debian's promtool is 2.x, which does not know
   * the two 3.x scrape settings the file uses (scrape_protocols, always_scrape_classic_histograms):
   * those lines are left out of the copy it checks.
   */
  @Test
  void shouldPassPromtoolsCheckOfThePrometheusConfig(@TempDir Path tmp) throws Exception {
    List<String> lines = Files.readAllLines(REPO.resolve("deploy/prometheus/prometheus.yml"));
    Path copy = tmp.resolve("prometheus.yml");
    Files.write(
        copy,
        lines.stream()
            .filter(
                l ->
                    !l.trim().startsWith("scrape_protocols:")
                        && !l.trim().startsWith("always_scrape_classic_histograms:"))
            .toList());
    assertThat(run("promtool", "check", "config", copy.toString())).isZero();
  }

  @Test
  void shouldPassPromtoolChecksAndUnitTestsOfTheRules() throws Exception {
    assertThat(run("bash", "deploy/prometheus/check-rules.sh")).isZero();
  }

  @Test
  void shouldParseEveryDashboardExpressionInARealPrometheus() throws Exception {
    assertThat(run("bash", "dashboards/check-expressions.sh")).isZero();
  }

  private static int run(String... command) throws Exception {
    Process process =
        new ProcessBuilder(command).directory(REPO.toFile()).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(5, TimeUnit.MINUTES)).as("%s finished", List.of(command)).isTrue();
    System.out.println(output);
    return process.exitValue();
  }
}
