package dev.tally.exporter.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.exporter.reliability.PoisonRecords.Poison;
import dev.tally.tools.kafka.KafkaBrokerExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, poison input: a seeded stream of mutated records (truncated JSON, wrong types, huge
 * strings, random bytes, deep nesting, invalid UTF-8, lone surrogates, extreme numbers, duplicate
 * keys, 64 KiB ± 1 ...) interleaved with valid events, sent to a real broker and read by a real
 * Tally. Every bad record reaches the dead-letter topic unchanged with the reason the contract
 * names; every valid one is counted exactly once; no stream thread dies; the consumer lag returns
 * to zero.
 */
class PoisonInputIT {
  private static final long SEED = 14_001;
  private static final int MUTATED = 12_000;
  private static final String SERVICE = "poison";

  @RegisterExtension static KafkaBrokerExtension kafka = new KafkaBrokerExtension();

  @TempDir Path stateDir;

  record Sent(Poison poison, String topic, int partition, long offset, byte[] key, String trace) {}

  @Test
  void shouldDeadLetterEveryBadRecordWithItsReasonAndCountEveryValidOneExactly() throws Exception {
    long started = System.nanoTime();
    try (RunningTally tally = RunningTally.start(kafka, stateDir, Map.of())) {
      String topic = tally.createTopic(SERVICE, 2);
      List<Sent> sent = produce(tally, topic);
      figure("records sent (valid + mutated)", sent.size());
      figure("produced after (s)", seconds(started));
      List<Sent> bad = sent.stream().filter(s -> !s.poison().valid()).toList();
      assertThat(bad).hasSize(MUTATED);

      Map<String, Double> expectedCounts = new TreeMap<>();
      sent.stream()
          .filter(s -> s.poison().valid())
          .forEach(s -> expectedCounts.merge(s.poison().series(), 1.0, Double::sum));
      Map<String, Double> scraped =
          tally.awaitScrape(
              s ->
                  RunningTally.sum(s, "tally_events_consumed_total{") == sent.size()
                      && expectedCounts.entrySet().stream()
                          .allMatch(e -> e.getValue().equals(s.get(e.getKey()))),
              Duration.ofMinutes(3));

      figure("all counted after (s)", seconds(started));
      // Every valid event counted once, no bad one counted.
      assertThat(RunningTally.sum(scraped, "tally_events_consumed_total{")).isEqualTo(sent.size());
      Map<String, Double> counted = new TreeMap<>();
      expectedCounts.keySet().forEach(series -> counted.put(series, scraped.get(series)));
      assertThat(counted).isEqualTo(expectedCounts);
      assertThat(RunningTally.sum(scraped, "tally_events_duplicate_total{")).isZero();

      // Every bad record dead-lettered once, unchanged, with a reason the contract allows.
      List<ConsumerRecord<byte[], byte[]>> dead =
          tally.readDeadLetters(bad.size(), Duration.ofMinutes(1));
      Map<Long, Sent> byOffset = new HashMap<>();
      bad.forEach(s -> byOffset.put(offsetKey(s.partition(), s.offset()), s));
      Map<String, Integer> reasons = new TreeMap<>();
      List<String> wrong = new ArrayList<>();
      for (ConsumerRecord<byte[], byte[]> record : dead) {
        assertThat(RunningTally.header(record, "tally.source.topic")).isEqualTo(topic);
        int partition = Integer.parseInt(RunningTally.header(record, "tally.source.partition"));
        long offset = Long.parseLong(RunningTally.header(record, "tally.source.offset"));
        Sent source = byOffset.remove(offsetKey(partition, offset));
        assertThat(source)
            .as("dead letter of %s:%d, sent once and bad", partition, offset)
            .isNotNull();
        String reason = RunningTally.header(record, "tally.reason");
        String message = RunningTally.header(record, "tally.message");
        reasons.merge(reason, 1, Integer::sum);
        if (!source.poison().reasons().contains(reason)
            || !List.of(RunningTally.header(record, "tally.reasons").split(",")).contains(reason)
            || message == null
            || message.isEmpty()
            || message.length() > 1_000) {
          wrong.add(
              source.poison().mutation()
                  + ": expected "
                  + source.poison().reasons()
                  + ", got "
                  + reason
                  + " ("
                  + message
                  + ")");
        }
        assertThat(record.value()).as("value unchanged").isEqualTo(source.poison().value());
        assertThat(record.key()).as("key unchanged").isEqualTo(source.key());
        assertThat(RunningTally.header(record, "producer.trace"))
            .as("the producer's own header kept")
            .isEqualTo(source.trace());
      }
      assertThat(wrong).as("records with a reason the contract does not name").isEmpty();
      assertThat(byOffset.values().stream().map(s -> s.poison().mutation()).toList())
          .as("bad records missing from the dead-letter topic")
          .isEmpty();
      assertThat(dead).hasSize(bad.size());

      // The rejected counter agrees with the dead-letter topic, reason by reason.
      Map<String, Double> rejected =
          tally.awaitScrape(
              s -> RunningTally.sum(s, "tally_events_rejected_total{") == bad.size(),
              Duration.ofSeconds(30));
      reasons.forEach(
          (reason, n) ->
              assertThat(
                      rejected.get(
                          "tally_events_rejected_total{reason=\""
                              + reason
                              + "\",topic=\""
                              + topic
                              + "\"}"))
                  .as(reason)
                  .isEqualTo(n.doubleValue()));
      assertThat(RunningTally.sum(rejected, "tally_events_rejected_total{")).isEqualTo(bad.size());
      assertThat(reasons.keySet()).as("reason codes exercised").hasSizeGreaterThanOrEqualTo(17);

      figure("dead letters read after (s)", seconds(started));
      tally.awaitNoLag(List.of(topic), Duration.ofMinutes(1));
      tally.assertHealthy(tally.scrape());
      figure("reasons", reasons);
      figure("lag zero, test done after (s)", seconds(started));
    }
  }

  private static void figure(String what, Object value) {
    RunningTally.figure("PoisonInputIT", what, value);
  }

  private static String seconds(long startedNanos) {
    return String.format(java.util.Locale.ROOT, "%.1f", (System.nanoTime() - startedNanos) / 1e9);
  }

  private static long offsetKey(int partition, long offset) {
    return ((long) partition << 48) | offset;
  }

  /**
   * Sends {@link #MUTATED} mutated records interleaved with as many valid events, and valid events
   * of exactly 64 KiB and one byte less; returns each with where it landed.
   */
  private static List<Sent> produce(RunningTally tally, String topic) throws Exception {
    PoisonRecords records = new PoisonRecords(SEED, SERVICE, Instant.now());
    java.util.SplittableRandom order = new java.util.SplittableRandom(SEED);
    List<Poison> poisons = new ArrayList<>();
    int mutated = 0;
    while (mutated < MUTATED) {
      if (order.nextBoolean()) {
        poisons.add(records.nextMutated());
        mutated++;
      } else {
        poisons.add(records.nextValid());
      }
      if (order.nextInt(400) == 0) {
        poisons.add(records.atSize(PoisonRecords.MAX_EVENT_BYTES));
        poisons.add(records.atSize(PoisonRecords.MAX_EVENT_BYTES - 1));
      }
    }
    List<Future<RecordMetadata>> acks = new ArrayList<>();
    List<byte[]> keys = new ArrayList<>();
    try (KafkaProducer<byte[], byte[]> producer = tally.producer()) {
      for (int i = 0; i < poisons.size(); i++) {
        byte[] key = i % 3 == 0 ? null : ("k" + i).getBytes(StandardCharsets.UTF_8);
        keys.add(key);
        RecordHeaders headers = new RecordHeaders();
        headers.add("producer.trace", ("t-" + i).getBytes(StandardCharsets.UTF_8));
        acks.add(
            producer.send(
                new ProducerRecord<>(topic, null, null, key, poisons.get(i).value(), headers)));
      }
      producer.flush();
    }
    List<Sent> sent = new ArrayList<>();
    for (int i = 0; i < poisons.size(); i++) {
      RecordMetadata md = acks.get(i).get();
      sent.add(new Sent(poisons.get(i), topic, md.partition(), md.offset(), keys.get(i), "t-" + i));
    }
    return sent;
  }
}
