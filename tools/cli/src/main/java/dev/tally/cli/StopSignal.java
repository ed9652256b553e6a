package dev.tally.cli;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Lets a long-running command wait until it should stop, and lets the JVM wait until it has.
 *
 * <p>On Ctrl-C or SIGTERM the JVM runs shutdown hooks and then exits. The hook installed here asks
 * the command to stop and then waits for it to finish closing (the broker flushes its logs), so
 * that shutdown is clean rather than cut off.
 *
 * <pre>{@code
 * stop.install();
 * try (LocalKafkaBroker broker = ...) {
 *   stop.await(null); // until Ctrl-C
 * } finally {
 *   stop.stopped();
 * }
 * }</pre>
 */
final class StopSignal {
  /** How long the JVM waits for a command to close what it started once asked to stop. */
  static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(30);

  private final boolean onProcessShutdown;
  private final AtomicBoolean installed = new AtomicBoolean();
  private final CountDownLatch requested = new CountDownLatch(1);
  private final CountDownLatch stopped = new CountDownLatch(1);

  private StopSignal(boolean onProcessShutdown) {
    this.onProcessShutdown = onProcessShutdown;
  }

  /** Stops on Ctrl-C, SIGTERM or {@link System#exit}. */
  static StopSignal onProcessShutdown() {
    return new StopSignal(true);
  }

  /** Stops only when {@link #request()} is called; for tests. */
  static StopSignal manual() {
    return new StopSignal(false);
  }

  /** Starts listening for process shutdown; call before starting anything that must be closed. */
  void install() {
    if (onProcessShutdown && installed.compareAndSet(false, true)) {
      Runtime.getRuntime().addShutdownHook(new Thread(this::stopAndWait, "tally-shutdown"));
    }
  }

  /** Asks the command to stop. */
  void request() {
    requested.countDown();
  }

  /**
   * Blocks until a stop is requested or {@code maxWait} has passed.
   *
   * @param maxWait how long to run at most; {@code null} waits for a stop request only
   * @return {@code true} if a stop was requested, {@code false} if the time ran out
   */
  boolean await(Duration maxWait) {
    try {
      if (maxWait == null) {
        requested.await();
        return true;
      }
      return requested.await(maxWait.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return true;
    }
  }

  /** Tells a waiting shutdown hook that everything is closed. */
  void stopped() {
    stopped.countDown();
  }

  private void stopAndWait() {
    request();
    try {
      stopped.await(SHUTDOWN_GRACE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
