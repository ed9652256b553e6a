package dev.tally.streams;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets an input topic with more partitions than the ones before it join the pipeline.
 *
 * <p>The reading task's sub-topology has one task per input partition number, over every topic the
 * pattern matches; Kafka Streams creates its changelog topics with that many partitions when the
 * application first starts. A matching topic with more partitions (a team's 6-partition topic after
 * a 3-partition one, or any topic after Kafka's auto-created 1-partition one) raises the task
 * count, and Kafka Streams then refuses the existing changelogs ("Existing internal topic ... has
 * invalid partitions: expected: 6; actual: 3"), killing the stream thread on every rebalance.
 *
 * <p>For these changelogs growing them is right: each holds the state of the input partition of its
 * number (task {@code p} writes partition {@code p}, by number, not by key hash), so the existing
 * partitions keep their state and the new tasks start empty, as a new input partition has nothing
 * counted yet. The owners' stores are not affected: their task count is {@code series.partitions},
 * fixed. Fewer partitions than before cannot be undone this way (Kafka topics do not shrink); that
 * error is left to kill the thread as before.
 */
final class ChangelogGrowth {
  private static final Logger LOG = LoggerFactory.getLogger(ChangelogGrowth.class);
  // Kafka Streams' InternalTopicManager words it so (4.3).
  private static final Pattern TOO_FEW =
      Pattern.compile(
          "Existing internal topic (\\S+) has invalid partitions: expected: (\\d+); actual: (\\d+)");

  private final Supplier<Admin> admin;
  private final List<String> changelogs;

  /**
   * @param changelogs the reading task's changelog topics ({@code <application.id>-<store>
   *     -changelog}), the only ones grown
   */
  ChangelogGrowth(Supplier<Admin> admin, List<String> changelogs) {
    this.admin = admin;
    this.changelogs = List.copyOf(changelogs);
  }

  /**
   * The partition count Kafka Streams expects, if {@code failure} refuses one of our changelogs.
   */
  Optional<Integer> expectedPartitions(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      Matcher m = TOO_FEW.matcher(String.valueOf(t.getMessage()));
      if (m.find() && changelogs.contains(m.group(1))) {
        int expected = Integer.parseInt(m.group(2));
        int actual = Integer.parseInt(m.group(3));
        return expected > actual ? Optional.of(expected) : Optional.empty();
      }
    }
    return Optional.empty();
  }

  /**
   * Grows every reading-task changelog with fewer than the expected partitions, if {@code failure}
   * is Kafka Streams refusing one of them for having too few.
   *
   * @return whether it grew any (the replacement thread will then find them right); false when they
   *     already had the partitions, so a failure that persists counts as a thread death
   */
  boolean repair(Throwable failure) {
    Optional<Integer> expected = expectedPartitions(failure);
    if (expected.isEmpty()) {
      return false;
    }
    int partitions = expected.get();
    try {
      Admin client = admin.get();
      Map<String, TopicDescription> existing =
          client.describeTopics(changelogs).allTopicNames().get(30, TimeUnit.SECONDS);
      Map<String, NewPartitions> growth = new HashMap<>();
      existing.forEach(
          (topic, description) -> {
            if (description.partitions().size() < partitions) {
              growth.put(topic, NewPartitions.increaseTo(partitions));
            }
          });
      if (growth.isEmpty()) {
        return false;
      }
      client.createPartitions(growth).all().get(30, TimeUnit.SECONDS);
      LOG.warn(
          "an input topic with {} partitions appeared, more than the reading task's changelogs had;"
              + " grew {} to {} partitions (existing partitions keep their state)",
          partitions,
          growth.keySet(),
          partitions);
      return true;
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      LOG.error(
          "could not grow the reading task's changelogs to {} partitions: {}",
          partitions,
          e.toString());
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
