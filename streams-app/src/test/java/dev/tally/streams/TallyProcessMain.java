package dev.tally.streams;

import dev.tally.streams.config.TallyConfig;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Runs one Tally instance in its own JVM so that a test can kill it with SIGKILL, mid-transaction,
 * the way a crashed container dies. Arguments: bootstrap servers, application id, state dir, DLQ
 * topic, input topic pattern.
 */
public final class TallyProcessMain {
  private TallyProcessMain() {}

  public static void main(String[] args) throws InterruptedException {
    TallyConfig config =
        TallyConfig.fromMap(
            Map.of(
                TallyConfig.BOOTSTRAP_SERVERS,
                args[0],
                TallyConfig.APPLICATION_ID,
                args[1],
                TallyConfig.STATE_DIR,
                args[2],
                TallyConfig.DLQ_TOPIC,
                args[3],
                TallyConfig.INPUT_TOPIC_PATTERN,
                args[4],
                // Longer than the commit interval and no multiple of it: most commits find partials
                // in the buffer that only its changelog carries over a crash (when the two align,
                // the flush empties the buffer just before each commit and a test could not tell).
                TallyConfig.FLUSH_INTERVAL,
                "2300ms",
                // Long enough that a kill almost always lands between two commits, with partials
                // already sent downstream in the open transaction.
                "kafka.commit.interval.ms",
                "1000",
                // A dead instance's partitions move after 6 s rather than the 45 s default.
                "kafka.session.timeout.ms",
                "6000"));
    TallyApp app = TallyApp.create(config);
    app.start();
    System.out.println("started");
    System.out.flush();
    new CountDownLatch(1).await();
  }
}
