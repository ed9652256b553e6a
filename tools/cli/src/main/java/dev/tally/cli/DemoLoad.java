package dev.tally.cli;

import dev.tally.loadgen.EventLoad;
import dev.tally.loadgen.GeneratedEvent;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The demo's producer: events of every family from three simulated services, stamped with the
 * current time, at a steady rate, with a small share of bad records so the DLQ has something to
 * show.
 */
final class DemoLoad implements AutoCloseable {
  static final int EVENTS_PER_SECOND = 500;
  private static final double BAD_FRACTION = 0.005;

  private final KafkaProducer<byte[], byte[]> producer;
  private final Thread thread;
  private volatile boolean running = true;

  private DemoLoad(String bootstrapServers) {
    producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                ProducerConfig.LINGER_MS_CONFIG,
                20,
                ProducerConfig.CLIENT_ID_CONFIG,
                "tally-demo-load"),
            new ByteArraySerializer(),
            new ByteArraySerializer());
    EventLoad load = EventLoad.builder().seed(System.nanoTime()).badFraction(BAD_FRACTION).build();
    thread = new Thread(() -> produce(load), "tally-demo-load");
    thread.setDaemon(true);
  }

  /** Creates the demo topics (3 partitions each) and starts producing. */
  static DemoLoad start(String bootstrapServers) {
    List<String> topics = EventLoad.builder().build().topics();
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
      for (String topic : topics) {
        try {
          admin
              .createTopics(List.of(new NewTopic(topic, 3, (short) 1)))
              .all()
              .get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw new CliFailure(
                "cannot create topic " + topic + ": " + e.getCause().getMessage(), e);
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliFailure("interrupted while creating the demo topics", e);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new CliFailure("the broker did not create the demo topics within 30 s", e);
    }
    DemoLoad load = new DemoLoad(bootstrapServers);
    load.thread.start();
    return load;
  }

  private void produce(EventLoad load) {
    long intervalNanos = TimeUnit.SECONDS.toNanos(1) / EVENTS_PER_SECOND;
    long next = System.nanoTime();
    while (running) {
      GeneratedEvent e = load.nextAt(System.currentTimeMillis());
      producer.send(new ProducerRecord<>(e.topic(), null, e.timestampMs(), null, e.json()));
      next += intervalNanos;
      long sleep = next - System.nanoTime();
      if (sleep > 0) {
        try {
          TimeUnit.NANOSECONDS.sleep(sleep);
        } catch (InterruptedException ex) {
          return;
        }
      }
    }
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    producer.close(java.time.Duration.ofSeconds(5));
  }
}
