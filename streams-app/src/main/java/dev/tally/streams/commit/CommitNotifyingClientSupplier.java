package dev.tally.streams.commit;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaClientSupplier;

/**
 * Kafka Streams' default clients, except that each producer tells a {@link CommittedView} when its
 * transaction has committed. Under {@code exactly_once_v2} each stream thread has one producer and
 * calls {@code commitTransaction()} on itself, so the calling thread names the tasks whose writes
 * just became final.
 */
public final class CommitNotifyingClientSupplier implements KafkaClientSupplier {
  private final CommittedView view;

  public CommitNotifyingClientSupplier(CommittedView view) {
    this.view = view;
  }

  @Override
  public Admin getAdmin(Map<String, Object> config) {
    return Admin.create(config);
  }

  @Override
  public Producer<byte[], byte[]> getProducer(Map<String, Object> config) {
    return new NotifyingProducer(
        new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer()), view);
  }

  @Override
  public Consumer<byte[], byte[]> getConsumer(Map<String, Object> config) {
    return consumer(config);
  }

  @Override
  public Consumer<byte[], byte[]> getRestoreConsumer(Map<String, Object> config) {
    return consumer(config);
  }

  @Override
  public Consumer<byte[], byte[]> getGlobalConsumer(Map<String, Object> config) {
    return consumer(config);
  }

  private static Consumer<byte[], byte[]> consumer(Map<String, Object> config) {
    return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /** Delegates everything; reports a successful {@link #commitTransaction()}. */
  private record NotifyingProducer(Producer<byte[], byte[]> delegate, CommittedView view)
      implements Producer<byte[], byte[]> {

    @Override
    public void commitTransaction() {
      delegate.commitTransaction();
      // Only after the broker acknowledged the commit: a failed commit throws above and the
      // writes stay masked until the task is restored.
      view.committed(Thread.currentThread());
    }

    @Override
    public void initTransactions() {
      delegate.initTransactions();
    }

    @Override
    public void beginTransaction() {
      delegate.beginTransaction();
    }

    @Override
    public void sendOffsetsToTransaction(
        Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata groupMetadata) {
      delegate.sendOffsetsToTransaction(offsets, groupMetadata);
    }

    @Override
    public void abortTransaction() {
      delegate.abortTransaction();
    }

    @Override
    public void registerMetricForSubscription(KafkaMetric metric) {
      delegate.registerMetricForSubscription(metric);
    }

    @Override
    public void unregisterMetricFromSubscription(KafkaMetric metric) {
      delegate.unregisterMetricFromSubscription(metric);
    }

    @Override
    public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record) {
      return delegate.send(record);
    }

    @Override
    public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
      return delegate.send(record, callback);
    }

    @Override
    public void flush() {
      delegate.flush();
    }

    @Override
    public List<PartitionInfo> partitionsFor(String topic) {
      return delegate.partitionsFor(topic);
    }

    @Override
    public Map<MetricName, ? extends Metric> metrics() {
      return delegate.metrics();
    }

    @Override
    public Uuid clientInstanceId(Duration timeout) {
      return delegate.clientInstanceId(timeout);
    }

    @Override
    public void close() {
      delegate.close();
    }

    @Override
    public void close(Duration timeout) {
      delegate.close(timeout);
    }
  }
}
