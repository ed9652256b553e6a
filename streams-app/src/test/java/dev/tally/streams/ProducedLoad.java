package dev.tally.streams;

import dev.tally.loadgen.EventLoad;
import dev.tally.loadgen.GroundTruth;
import dev.tally.loadgen.LoadRunner;

/** Produces a generated load with loadgen's runner and keeps the ground truth of what it sent. */
final class ProducedLoad {
  private ProducedLoad() {}

  /**
   * Sends {@code events} records of {@code load}, stamped as the load spreads them (idempotent,
   * acks=all, keyed by instance); returns their truth.
   */
  static GroundTruth produce(String bootstrapServers, EventLoad load, int events) {
    try {
      LoadRunner.Result result =
          LoadRunner.builder(bootstrapServers, load).events(events).stampedNow(false).build().run();
      if (result.errors() > 0) {
        throw new AssertionError(result.errors() + " records could not be sent");
      }
      return result.truth();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while producing", e);
    }
  }

  /** The input pattern matching exactly the topics of a load whose prefix is {@code events.<p>}. */
  static String topicPattern(String prefix) {
    return "events\\." + prefix.replace(".", "\\.") + ".*";
  }
}
