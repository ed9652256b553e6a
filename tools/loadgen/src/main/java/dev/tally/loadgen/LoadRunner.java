package dev.tally.loadgen;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Sends a generated load to Kafka at a given rate and keeps the ground truth of what the broker
 * acknowledged: a record whose send failed is counted as an error and left out of the truth.
 *
 * <pre>{@code
 * LoadRunner.Result result =
 *     LoadRunner.builder(bootstrapServers, load).events(10_000).rate(5_000).build().run();
 * result.truth().counts();
 * }</pre>
 */
public final class LoadRunner {
  private final String bootstrapServers;
  private final EventLoad load;
  private final long events;
  private final Duration duration;
  private final double rate;
  private final int partitions;
  private final Progress progress;
  private final boolean stampedNow;
  private final Map<String, Object> producerSettings;

  private LoadRunner(Builder b) {
    this.bootstrapServers = b.bootstrapServers;
    this.load = b.load;
    this.events = b.events;
    this.duration = b.duration;
    this.rate = b.rate;
    this.partitions = b.partitions;
    this.progress = b.progress;
    this.stampedNow = b.stampedNow;
    this.producerSettings = Map.copyOf(b.producerSettings);
  }

  public static Builder builder(String bootstrapServers, EventLoad load) {
    return new Builder(bootstrapServers, load);
  }

  /**
   * What a run did.
   *
   * @param sent records the broker acknowledged
   * @param errors records whose send failed (not in the truth)
   */
  public record Result(GroundTruth truth, long sent, long errors, Duration elapsed) {}

  /** Creates the load's missing topics, sends the load, waits for every acknowledgement. */
  public Result run() throws InterruptedException {
    createTopics();
    Map<String, Object> props = new HashMap<>(producerSettings);
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    // Exactly what the truth says: every acknowledged record once, in the order it was sent.
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
    props.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "tally-loadgen");
    GroundTruth truth = GroundTruth.keyedBySource();
    AtomicLong sent = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    long started = System.nanoTime();
    long deadline = duration == null ? Long.MAX_VALUE : started + duration.toNanos();
    double intervalNanos = rate > 0 ? 1e9 / rate : 0;
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (long i = 0; events < 0 || i < events; i++) {
        long now = System.nanoTime();
        if (now >= deadline) {
          break;
        }
        if (intervalNanos > 0) {
          long due = started + (long) (i * intervalNanos);
          if (due > now) {
            TimeUnit.NANOSECONDS.sleep(due - now);
          }
        }
        GeneratedEvent e = stampedNow ? load.nextAt(System.currentTimeMillis()) : load.next();
        producer.send(
            new ProducerRecord<>(e.topic(), null, e.timestampMs(), e.key(), e.json()),
            (metadata, failure) -> {
              if (failure != null) {
                errors.incrementAndGet();
              } else {
                sent.incrementAndGet();
                synchronized (truth) {
                  truth.add(e);
                }
              }
            });
        long elapsed = System.nanoTime() - started;
        progress.update(sent.get(), errors.get(), elapsed, done(i + 1, elapsed));
      }
      producer.flush();
    }
    long elapsed = System.nanoTime() - started;
    progress.finish(sent.get(), errors.get(), elapsed);
    synchronized (truth) {
      return new Result(truth, sent.get(), errors.get(), Duration.ofNanos(elapsed));
    }
  }

  private double done(long records, long elapsedNanos) {
    if (events >= 0) {
      return (double) records / events;
    }
    return duration == null ? Double.NaN : (double) elapsedNanos / duration.toNanos();
  }

  private void createTopics() throws InterruptedException {
    try (Admin admin =
        Admin.create(
            Map.<String, Object>of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
      Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      List<NewTopic> missing = new ArrayList<>();
      for (String topic : load.topics()) {
        if (!existing.contains(topic)) {
          missing.add(new NewTopic(topic, partitions, (short) 1));
        }
      }
      if (!missing.isEmpty()) {
        admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
      }
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new IllegalStateException("cannot create the load's topics: " + e.getCause(), e);
      }
    } catch (TimeoutException e) {
      throw new IllegalStateException(
          "Kafka at " + bootstrapServers + " did not answer within 30 s", e);
    }
  }

  /** Options of a run. */
  public static final class Builder {
    private final String bootstrapServers;
    private final EventLoad load;
    private long events = -1;
    private Duration duration;
    private double rate;
    private int partitions = 3;
    private Progress progress = Progress.quiet();
    private boolean stampedNow = true;
    private final Map<String, Object> producerSettings = new HashMap<>();

    private Builder(String bootstrapServers, EventLoad load) {
      this.bootstrapServers = bootstrapServers;
      this.load = load;
    }

    /** Records to send (copies included); unbounded unless this or a duration is set. */
    public Builder events(long events) {
      this.events = events;
      return this;
    }

    public Builder duration(Duration duration) {
      this.duration = duration;
      return this;
    }

    /** Records per second; 0 for as fast as the producer takes them. */
    public Builder rate(double rate) {
      this.rate = rate;
      return this;
    }

    /** Partitions of the topics it creates (existing topics are left as they are). */
    public Builder partitions(int partitions) {
      this.partitions = partitions;
      return this;
    }

    /**
     * Whether events are stamped with the time they are sent (the default, a live load) or with the
     * times the load spreads them over ({@link EventLoad#next()}), e.g. minutes in the past.
     */
    public Builder stampedNow(boolean stampedNow) {
      this.stampedNow = stampedNow;
      return this;
    }

    public Builder progress(Progress progress) {
      this.progress = progress;
      return this;
    }

    /** A producer setting (e.g. security); acks and idempotence are always all and on. */
    public Builder producerSetting(String name, Object value) {
      producerSettings.put(name, value);
      return this;
    }

    public LoadRunner build() {
      if (events < 0 && duration == null) {
        throw new IllegalArgumentException("a load needs a number of events or a duration");
      }
      return new LoadRunner(this);
    }
  }
}
