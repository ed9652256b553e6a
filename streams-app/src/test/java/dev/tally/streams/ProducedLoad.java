package dev.tally.streams;

import dev.tally.loadgen.EventLoad;
import dev.tally.loadgen.GeneratedEvent;
import dev.tally.loadgen.GroundTruth;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Produces a generated load with a plain producer and keeps the ground truth of what it sent. */
final class ProducedLoad {
  private ProducedLoad() {}

  /** Sends {@code events} records of {@code load} (idempotent, acks=all); returns their truth. */
  static GroundTruth produce(String bootstrapServers, EventLoad load, int events) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    GroundTruth truth = new GroundTruth();
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < events; i++) {
        GeneratedEvent e = load.next();
        truth.add(e);
        producer.send(new ProducerRecord<>(e.topic(), null, e.timestampMs(), null, e.json()));
      }
    }
    return truth;
  }

  /** The input pattern matching exactly the topics of a load whose prefix is {@code events.<p>}. */
  static String topicPattern(String prefix) {
    return "events\\." + prefix.replace(".", "\\.") + ".*";
  }
}
