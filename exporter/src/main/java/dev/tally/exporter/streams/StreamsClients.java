package dev.tally.exporter.streams;

/**
 * Which Kafka client of a Kafka Streams instance a metric's {@code client-id} tag names. Kafka
 * Streams names each stream thread's clients {@code <client.id>-StreamThread-<n>-consumer} (the
 * main consumer: input and repartition topics) and {@code -producer}, its restore consumers (the
 * changelogs) {@code <client.id>-StateUpdater-<n>-restore-consumer} or {@code
 * <client.id>-StreamThread-<n>-restore-consumer}, and a global consumer {@code
 * <client.id>-global-consumer}.
 */
public final class StreamsClients {
  private StreamsClients() {}

  /** Whether {@code clientId} is a stream thread's main consumer: it reads the events. */
  public static boolean isMainConsumer(String clientId) {
    return clientId.endsWith("-consumer")
        && !clientId.endsWith("-restore-consumer")
        && !clientId.endsWith("-global-consumer");
  }
}
