package dev.tally.tools.kafka;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * The one directory a {@link LocalKafkaBroker} keeps partition logs and the metadata log in: locked
 * while the broker owns it, formatted on first use, deleted on close if it was temporary.
 */
final class DataDirectory implements AutoCloseable {
  private static final String LOCK_FILE = ".tally-broker.lock";

  private final Path path;
  private final boolean temporary;
  private FileChannel lockChannel;

  private DataDirectory(Path path, boolean temporary) {
    this.path = path;
    this.temporary = temporary;
  }

  /**
   * Creates (if needed) and locks {@code requested}, or a fresh temporary directory when it is
   * {@code null}.
   *
   * @throws IllegalStateException if another broker, in this JVM or another process, holds it
   */
  static DataDirectory open(Path requested) throws IOException {
    DataDirectory dir =
        requested != null
            ? new DataDirectory(requested, false)
            : new DataDirectory(Files.createTempDirectory("tally-kafka-"), true);
    try {
      Files.createDirectories(dir.path);
      dir.lock();
      return dir;
    } catch (IOException | RuntimeException e) {
      dir.close();
      throw e;
    }
  }

  Path path() {
    return path;
  }

  /**
   * Writes a new cluster's identity and bootstrap metadata, unless an earlier run did: a reused
   * directory keeps its cluster id, topics and records.
   */
  void formatIfNew(int nodeId, String controllerListener) {
    if (Files.exists(path.resolve("meta.properties"))) {
      return;
    }
    Formatter formatter =
        new Formatter()
            .setPrintStream(
                new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8))
            .setNodeId(nodeId)
            .setClusterId(Uuid.randomUuid().toString())
            .setDirectories(List.of(path.toString()))
            .setMetadataLogDirectory(path.toString())
            .setControllerListenerName(controllerListener)
            .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
            .setSupportedFeatures(Feature.PRODUCTION_FEATURES);
    try {
      formatter.run();
    } catch (Exception e) {
      throw new IllegalStateException(
          "cannot format Kafka data directory " + path + ": " + e.getMessage(), e);
    }
  }

  /** Releases the lock and deletes the directory if it was temporary. */
  @Override
  public void close() {
    if (lockChannel != null) {
      try {
        // Closing the channel releases the lock.
        lockChannel.close();
      } catch (IOException e) {
        // The lock goes with the process anyway; nothing to do.
      }
      lockChannel = null;
    }
    if (temporary) {
      deleteRecursively(path);
    }
  }

  /**
   * Kafka locks its log directories only after the controller has started writing the metadata log,
   * so a second broker on the same directory would corrupt it (and Kafka then halts the JVM). This
   * lock, taken before anything else, makes the second broker fail instead.
   */
  private void lock() throws IOException {
    lockChannel =
        FileChannel.open(
            path.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = lockChannel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      lockChannel.close();
      lockChannel = null;
      throw new IllegalStateException(
          "data directory " + path + " is in use by another Kafka broker");
    }
  }

  private static void deleteRecursively(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      // Leftovers in a temporary directory are harmless; never fail a shutdown over them.
    }
  }
}
