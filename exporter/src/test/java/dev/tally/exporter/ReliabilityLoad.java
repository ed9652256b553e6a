package dev.tally.exporter;

import dev.tally.loadgen.EventLoad;
import dev.tally.loadgen.LoadRunner;
import dev.tally.streams.config.TallyConfig;
import dev.tally.tools.kafka.KafkaBrokerExtension;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The load of the reliability ITs and the settings of the instances that count it: {@link
 * EventLoad}'s mixed shape on new topics {@code events.<id>.*} of three partitions, 1 % invalid and
 * 1 % re-sent records, sent by {@link LoadRunner} at a steady rate in the background, with live
 * timestamps as running services stamp their events.
 *
 * <pre>{@code
 * ReliabilityLoad load = ReliabilityLoad.create(kafka, "crash", 42);
 * ChildTally tally = new ChildTally("tally", dir, load.settings("tally", dir));
 * CompletableFuture<LoadRunner.Result> sent = load.send(300_000, 6_000);
 * GroundTruth truth = sent.get().truth();
 * }</pre>
 */
final class ReliabilityLoad {
  private final KafkaBrokerExtension kafka;
  private final String name;
  private final String id;
  private final EventLoad load;

  private ReliabilityLoad(KafkaBrokerExtension kafka, String name, long seed) {
    this.kafka = kafka;
    this.name = name;
    this.id = name.charAt(0) + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    this.load =
        EventLoad.builder()
            .seed(seed)
            .topicPrefix("events." + id + ".")
            .badFraction(0.01)
            .duplicateFraction(0.01)
            .build();
  }

  /** A load with its own topics, created now, and its own application id. */
  static ReliabilityLoad create(KafkaBrokerExtension kafka, String name, long seed) {
    ReliabilityLoad load = new ReliabilityLoad(kafka, name, seed);
    load.load.topics().forEach(topic -> kafka.createTopic(topic, 3));
    return load;
  }

  /**
   * The settings of one instance counting this load, all of one application id, with its state in
   * {@code dir/state-<instance>} and a free HTTP port; the caller may add to them.
   */
  Map<String, String> settings(String instance, Path dir) {
    String application = "tally-" + name + "-" + id;
    Map<String, String> p = new HashMap<>();
    p.put(TallyConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
    p.put(TallyConfig.APPLICATION_ID, application);
    p.put(TallyConfig.STATE_DIR, dir.resolve("state-" + instance).toString());
    p.put(TallyConfig.INPUT_TOPIC_PATTERN, "events\\." + id + "\\..*");
    p.put(TallyConfig.DLQ_TOPIC, application + ".dlq");
    p.put(TallyConfig.HTTP_PORT, "0");
    // A killed member leaves the group after 6 s rather than the 45 s default, so that its
    // partitions move (or come back to it, restarted) sooner.
    p.put("kafka.session.timeout.ms", "6000");
    return p;
  }

  /** Sends {@code events} records at {@code rate} a second in the background. */
  CompletableFuture<LoadRunner.Result> send(long events, double rate) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return LoadRunner.builder(kafka.bootstrapServers(), load)
                .events(events)
                .rate(rate)
                .build()
                .run();
          } catch (InterruptedException e) {
            throw new CompletionException(e);
          }
        });
  }
}
