package dev.tally.exporter;

import dev.tally.streams.TallyApp;
import dev.tally.streams.config.TallyConfig;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * One whole Tally instance (pipeline and HTTP port) in its own JVM, so that a test can kill it with
 * SIGKILL the way a crashed container dies. Argument: a config file. Prints {@code port N} once it
 * serves HTTP.
 */
public final class TallyServerMain {
  private TallyServerMain() {}

  public static void main(String[] args) throws InterruptedException {
    TallyConfig config = TallyConfig.load(Optional.of(Path.of(args[0])), Map.of());
    TallyApp app = TallyApp.create(config);
    TallyExporter exporter = TallyExporter.start(app);
    app.start();
    System.out.println("port " + exporter.port());
    System.out.flush();
    new CountDownLatch(1).await();
  }
}
