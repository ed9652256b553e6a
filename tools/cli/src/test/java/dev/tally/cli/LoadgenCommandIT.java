package dev.tally.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.exporter.TallyExporter;
import dev.tally.streams.TallyApp;
import dev.tally.streams.config.TallyConfig;
import dev.tally.tools.kafka.KafkaBrokerExtension;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tally loadgen} against a real broker and a real Tally: every simulated service, with
 * invalid, late, out-of-order and re-sent events; {@code --verify} then finds every series of the
 * truth file exactly as Tally exposes it.
 */
class LoadgenCommandIT {
  @RegisterExtension static KafkaBrokerExtension kafka = new KafkaBrokerExtension();

  @TempDir Path dir;

  private StringWriter out = new StringWriter();
  private StringWriter err = new StringWriter();

  private int tally(String... args) {
    out = new StringWriter();
    err = new StringWriter();
    return TallyCli.commandLine(new CliEnvironment(Map.of(), StopSignal.manual()))
        .setOut(new PrintWriter(out, true))
        .setErr(new PrintWriter(err, true))
        .execute(args);
  }

  @Test
  void shouldFindEverySeriesOfTheTruthInTallysScrape() throws Exception {
    String id = "lg" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    Path truth = dir.resolve("truth.json");

    int sent =
        tally(
            "loadgen",
            "--bootstrap-servers",
            kafka.bootstrapServers(),
            "--topic-prefix",
            "events." + id + ".",
            "--services",
            "mixed,im-gateway,api-gateway,job-worker",
            "--events",
            "4000",
            "--rate",
            "max",
            "--seed",
            "2026",
            "--invalid",
            "0.02",
            "--late",
            "0.02",
            "--out-of-order",
            "0.05",
            "--duplicate",
            "0.03",
            "--truth",
            truth.toString());
    assertThat(sent).as(err.toString()).isZero();
    assertThat(out.toString()).contains("sent 4,000 records").contains("0 errors");
    assertThat(Files.readString(truth))
        .contains("tally_events_duplicate_total")
        // --late 0.02: late events the scrape must show, metric by metric.
        .contains("tally_late_events_total{metric=");

    TallyConfig config =
        TallyConfig.fromMap(
            Map.of(
                TallyConfig.BOOTSTRAP_SERVERS,
                kafka.bootstrapServers(),
                TallyConfig.APPLICATION_ID,
                "tally-loadgen-it-" + id,
                TallyConfig.STATE_DIR,
                dir.resolve("state").toString(),
                TallyConfig.INPUT_TOPIC_PATTERN,
                "events\\." + id + "\\..*",
                TallyConfig.DLQ_TOPIC,
                "tally-loadgen-it-" + id + ".dlq",
                TallyConfig.FLUSH_INTERVAL,
                "200ms",
                TallyConfig.HTTP_PORT,
                "0",
                "kafka.commit.interval.ms",
                "200"));
    try (TallyApp app = TallyApp.create(config);
        TallyExporter exporter = TallyExporter.start(app)) {
      app.start();
      String metrics = exporter.url().resolve("metrics").toString();
      int verified = -1;
      long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
      while (System.nanoTime() < deadline) {
        verified = tally("loadgen", "--verify", metrics, "--truth", truth.toString());
        if (verified == 0) {
          break;
        }
        Thread.sleep(1_000);
      }
      assertThat(verified).as(out.toString() + err).isZero();
      assertThat(out.toString()).matches("all [0-9,]+ series match over 1 scrape\\(s\\)\n");
    }
  }
}
