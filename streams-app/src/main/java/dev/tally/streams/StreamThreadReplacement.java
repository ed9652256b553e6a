package dev.tally.streams;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.function.Predicate;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens when a stream thread dies of an exception nothing else handled: it is replaced, so
 * one bad moment does not leave a process that looks alive and counts nothing. Under exactly-once
 * the dead thread's open transaction aborts and the new thread resumes from the last commit, so a
 * replacement neither loses nor double-counts.
 *
 * <p>A failure that repeats (the same poison record, a broken disk) would kill every replacement:
 * after {@value #MAX_REPLACEMENTS} replacements within {@link #WINDOW} the client shuts down
 * instead, Kafka Streams goes to {@code ERROR}, and {@code /health/live} answers 503 so that an
 * orchestrator restarts the process (and its crash loop is visible).
 */
final class StreamThreadReplacement implements StreamsUncaughtExceptionHandler {
  private static final Logger LOG = LoggerFactory.getLogger(StreamThreadReplacement.class);
  static final int MAX_REPLACEMENTS = 3;
  static final Duration WINDOW = Duration.ofMinutes(10);

  private final Clock clock;
  private final Predicate<Throwable> repair;
  private final Deque<Long> replacedAtMs = new ArrayDeque<>();
  private volatile String lastFailure;

  StreamThreadReplacement(Clock clock) {
    this(clock, failure -> false);
  }

  /**
   * @param repair fixes what killed a thread, if it can (returns true): such a death is replaced
   *     without counting towards the limit, since the replacement will not die of it again
   */
  StreamThreadReplacement(Clock clock, Predicate<Throwable> repair) {
    this.clock = clock;
    this.repair = repair;
  }

  @Override
  public synchronized StreamThreadExceptionResponse handle(Throwable exception) {
    long now = clock.millis();
    while (!replacedAtMs.isEmpty() && replacedAtMs.peekFirst() <= now - WINDOW.toMillis()) {
      replacedAtMs.removeFirst();
    }
    if (repair.test(exception)) {
      LOG.warn(
          "a stream thread died of what is now repaired; replacing it: {}", describe(exception));
      return StreamThreadExceptionResponse.REPLACE_THREAD;
    }
    lastFailure = describe(exception);
    if (replacedAtMs.size() >= MAX_REPLACEMENTS) {
      LOG.error(
          "a stream thread died for the {}th time within {}; shutting down: {}",
          MAX_REPLACEMENTS + 1,
          WINDOW,
          lastFailure,
          exception);
      return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    }
    replacedAtMs.addLast(now);
    LOG.error("a stream thread died; replacing it: {}", lastFailure, exception);
    return StreamThreadExceptionResponse.REPLACE_THREAD;
  }

  /** The last exception that killed a stream thread, as one line. */
  Optional<String> lastFailure() {
    return Optional.ofNullable(lastFailure);
  }

  private static String describe(Throwable exception) {
    Throwable root = exception;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage();
    return root.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }
}
