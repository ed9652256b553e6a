package dev.tally.tools.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KafkaBrokerExtension.class)
class KafkaBrokerParameterIT {
  @BeforeAll
  static void createTopics(LocalKafkaBroker kafka) {
    kafka.createTopic("parameter.events", 1);
  }

  @Test
  void shouldHandTheRunningBrokerToTestMethods(LocalKafkaBroker kafka) throws Exception {
    try (KafkaProducer<String, String> producer = LocalKafkaBrokerIT.producer(kafka, Map.of())) {
      producer.send(new ProducerRecord<>("parameter.events", "k", "v")).get();
    }

    assertThat(LocalKafkaBrokerIT.consumeValues(kafka, "parameter.events", 1, "read_uncommitted"))
        .containsExactly("v");
  }
}
