package dev.tally.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.loadgen.GroundTruth;
import dev.tally.loadgen.Verify;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One whole Tally instance ({@link TallyServerMain}) in a JVM of its own, which a test kills with
 * SIGKILL, as a crashed container dies, and starts again on the same config and state directory, as
 * a pod with a volume comes back.
 *
 * <pre>{@code
 * ChildTally a = new ChildTally("a", dir, settings);
 * a.start();                 // returns once it serves HTTP
 * URI metrics = a.metrics();
 * a.kill();                  // SIGKILL: no shutdown hook, no clean close
 * a.start();
 * }</pre>
 *
 * <p>Settings named in the system property {@value #EXTRA_SETTINGS} ({@code key=value,...}) are
 * added to every child's config and win: they switch a guarantee off to show that a test guarding
 * it fails, e.g. {@code -Dtally.child.settings=processing.guarantee=at_least_once}.
 */
final class ChildTally {
  static final String EXTRA_SETTINGS = "tally.child.settings";

  private static final Pattern PORT = Pattern.compile("(?m)^port (\\d+)$");
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  private final String name;
  private final Path dir;
  private final Path config;
  private volatile Process process;
  private volatile URI url;
  private int starts;

  /**
   * @param dir where the config file and each run's log go
   * @param settings the instance's Tally settings; {@code http.port} 0 if the test need not know
   *     the port in advance
   */
  ChildTally(String name, Path dir, Map<String, String> settings) {
    this.name = name;
    this.dir = dir;
    this.config = dir.resolve(name + ".properties");
    Properties p = new Properties();
    p.putAll(settings);
    p.putAll(extraSettings());
    try (Writer out = Files.newBufferedWriter(config)) {
      p.store(out, null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The settings of {@value #EXTRA_SETTINGS}, none when it is not set. */
  static Map<String, String> extraSettings() {
    String extra = System.getProperty(EXTRA_SETTINGS, "").strip();
    Properties p = new Properties();
    if (!extra.isEmpty()) {
      for (String pair : extra.split(",")) {
        int eq = pair.indexOf('=');
        p.setProperty(pair.substring(0, eq).strip(), pair.substring(eq + 1).strip());
      }
    }
    @SuppressWarnings({"unchecked", "rawtypes"})
    Map<String, String> settings = (Map) p;
    return Map.copyOf(settings);
  }

  String name() {
    return name;
  }

  /** Starts the JVM and returns once it serves HTTP. */
  void start() throws IOException, InterruptedException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Path log = dir.resolve(name + "-" + (++starts) + ".log");
    ProcessBuilder pb =
        new ProcessBuilder(
            java,
            "-Xmx384m",
            "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
            "-cp",
            System.getProperty("java.class.path"),
            TallyServerMain.class.getName(),
            config.toString());
    pb.redirectErrorStream(true);
    pb.redirectOutput(log.toFile());
    process = pb.start();
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      Matcher m = PORT.matcher(Files.readString(log));
      if (m.find()) {
        url = URI.create("http://127.0.0.1:" + m.group(1) + "/");
        return;
      }
      assertThat(process.isAlive()).as("%s exited: %s", name, Files.readString(log)).isTrue();
      Thread.sleep(50);
    }
    throw new AssertionError(name + " did not start: " + Files.readString(log));
  }

  /** Kills the JVM with SIGKILL and waits until it is gone. */
  void kill() throws InterruptedException {
    Process p = process;
    url = null;
    if (p != null) {
      // Process.destroyForcibly is SIGKILL on Linux: no shutdown hook, no clean close.
      p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
  }

  /** The HTTP port's base URL, or null while the instance is not running. */
  URI url() {
    return url;
  }

  /** {@code /metrics}, or null while the instance is not running. */
  URI metrics() {
    URI base = url;
    return base == null ? null : base.resolve("metrics");
  }

  /**
   * Scrapes the instances until their summed {@code /metrics} matches {@code truth}, or the timeout
   * passes; returns the last differences (empty when it matched).
   */
  static List<Verify.Mismatch> awaitTruth(
      List<ChildTally> instances, GroundTruth truth, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<Verify.Mismatch> wrong = List.of();
    while (System.nanoTime() < deadline) {
      List<URI> urls = instances.stream().map(ChildTally::metrics).toList();
      try {
        if (!urls.contains(null)) {
          wrong = Verify.diff(truth.series(), Verify.scrape(urls));
          if (wrong.isEmpty()) {
            return wrong;
          }
        }
      } catch (IOException e) {
        // An instance answering 503 while it starts: ask again.
      }
      Thread.sleep(500);
    }
    return wrong.size() > 20 ? wrong.subList(0, 20) : wrong;
  }
}
