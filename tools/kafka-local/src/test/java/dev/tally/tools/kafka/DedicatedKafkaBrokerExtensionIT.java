package dev.tally.tools.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class DedicatedKafkaBrokerExtensionIT {
  @RegisterExtension
  static final KafkaBrokerExtension kafka =
      KafkaBrokerExtension.dedicated(
          LocalKafkaBroker.builder().brokerConfig("num.partitions", "3"));

  @Test
  void shouldAutoCreateTopicsWithTheDedicatedBrokersPartitionCount() throws Exception {
    try (KafkaProducer<String, String> producer =
        LocalKafkaBrokerIT.producer(kafka.broker(), Map.of())) {
      RecordMetadata sent =
          producer.send(new ProducerRecord<>("events.auto-created", "k", "v")).get();

      assertThat(sent.topic()).isEqualTo("events.auto-created");
      assertThat(producer.partitionsFor("events.auto-created")).hasSize(3);
    }
  }
}
