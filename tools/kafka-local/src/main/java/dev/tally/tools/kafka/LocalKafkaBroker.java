package dev.tally.tools.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.utils.Time;

/**
 * A real single-node Kafka broker in KRaft mode (one process is both broker and controller),
 * started inside the current JVM for local runs of Tally and for integration tests.
 *
 * <pre>{@code
 * try (LocalKafkaBroker broker = LocalKafkaBroker.builder().build().start()) {
 *   broker.createTopic("events.chat", 3);
 *   producerProps.put("bootstrap.servers", broker.bootstrapServers()); // "127.0.0.1:PORT"
 *   ...
 * }
 * }</pre>
 *
 * <p>Several brokers can run in one JVM, one after another or at the same time: each has its own
 * ports, data directory and cluster id.
 *
 * <p>A broker can be stopped and started again, as an outage: {@link #stop()} shuts it down and
 * keeps its data directory (a temporary one too) and its client port; {@link #start()} brings it
 * back on both, so clients reconnect to the address they had and find their topics, records,
 * consumer groups and transactions where they were.
 *
 * <pre>{@code
 * broker.stop();   // clients now fail to connect
 * broker.start();  // same port, same data
 * }</pre>
 */
public final class LocalKafkaBroker implements AutoCloseable {
  /** The address clients connect to and the broker advertises. */
  public static final String HOST = "127.0.0.1";

  private static final int NODE_ID = 1;
  private static final String BROKER_LISTENER = "PLAINTEXT";
  private static final String CONTROLLER_LISTENER = "CONTROLLER";
  private static final int MAX_START_ATTEMPTS = 5;
  private static final Set<String> OWNED_KEYS =
      Set.of(
          "process.roles",
          "node.id",
          "listeners",
          "advertised.listeners",
          "listener.security.protocol.map",
          "controller.listener.names",
          "inter.broker.listener.name",
          "controller.quorum.voters",
          "controller.quorum.bootstrap.servers",
          "log.dirs",
          "log.dir",
          "metadata.log.dir");

  private enum State {
    NEW,
    RUNNING,
    STOPPED,
    CLOSED
  }

  private final int requestedPort;
  private final Path requestedDataDir;
  private final Map<String, String> brokerConfig;
  private final Duration startupTimeout;

  private State state = State.NEW;
  private DataDirectory dataDir;
  private KafkaRaftServer server;
  private int port = -1;
  private Admin admin;

  private LocalKafkaBroker(Builder builder) {
    this.requestedPort = builder.port;
    this.requestedDataDir = builder.dataDir;
    this.brokerConfig = Map.copyOf(builder.brokerConfig);
    this.startupTimeout = builder.startupTimeout;
  }

  /** Starts describing a broker; {@code builder().build()} gives a broker on a free port. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Formats the data directory (unless it already holds this broker's data), starts the broker and
   * waits until it answers client requests. After {@link #stop()}, starts it again on the same data
   * directory and client port.
   *
   * @return this broker, for chaining after {@link Builder#build()}
   * @throws PortInUseException if the port given to {@link Builder#port(int)} is taken, or after
   *     {@link #stop()} the broker's own port
   * @throws IllegalStateException if the broker cannot start within the startup timeout, or it is
   *     running or closed
   */
  public synchronized LocalKafkaBroker start() {
    if (state != State.NEW && state != State.STOPPED) {
      throw new IllegalStateException("a LocalKafkaBroker that is " + state + " cannot start");
    }
    long deadline = System.nanoTime() + startupTimeout.toNanos();
    try {
      if (dataDir == null) {
        dataDir = DataDirectory.open(requestedDataDir);
      }
      startOnFreePorts(state == State.STOPPED ? port : requestedPort);
      awaitAcceptingRequests(deadline);
      state = State.RUNNING;
      return this;
    } catch (IOException e) {
      close();
      throw new UncheckedIOException("cannot prepare Kafka data directory: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /**
   * Shuts the broker down cleanly, as an outage its clients see, and keeps its data directory and
   * client port for {@link #start()}. Stopping a stopped broker does nothing.
   *
   * @throws IllegalStateException if the broker never started or is closed
   */
  public synchronized void stop() {
    if (state == State.STOPPED) {
      return;
    }
    requireRunning();
    state = State.STOPPED;
    closeAdmin();
    stop(server);
    server = null;
  }

  /**
   * The {@code bootstrap.servers} value for clients, {@code 127.0.0.1:PORT}; it stays the same
   * across {@link #stop()} and {@link #start()}.
   */
  public synchronized String bootstrapServers() {
    return HOST + ":" + port();
  }

  /** The port clients connect to, also while stopped. */
  public synchronized int port() {
    if (state != State.STOPPED) {
      requireRunning();
    }
    return port;
  }

  /** Where the broker keeps its logs and metadata. */
  public synchronized Path dataDir() {
    requireRunning();
    return dataDir.path();
  }

  /**
   * Creates a topic with replication factor 1 and waits until every partition has a leader, so that
   * producers and consumers can use it right away.
   */
  public void createTopic(String name, int partitions) {
    Admin admin = admin();
    try {
      admin
          .createTopics(List.of(new NewTopic(name, partitions, (short) 1)))
          .all()
          .get(startupTimeout.toMillis(), TimeUnit.MILLISECONDS);
      awaitLeaders(admin, name, partitions);
    } catch (ExecutionException e) {
      throw new IllegalStateException(
          "cannot create topic " + name + ": " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("creating topic " + name + " timed out", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topic " + name, e);
    }
  }

  /**
   * Shuts the broker down cleanly, waits for it to stop and deletes its data directory if it was a
   * temporary one. Closing twice does nothing.
   */
  @Override
  public synchronized void close() {
    if (state == State.CLOSED) {
      return;
    }
    state = State.CLOSED;
    closeAdmin();
    if (server != null) {
      stop(server);
      server = null;
    }
    if (dataDir != null) {
      dataDir.close();
    }
  }

  private void closeAdmin() {
    if (admin != null) {
      admin.close(Duration.ofSeconds(5));
      admin = null;
    }
  }

  private void startOnFreePorts(int wantedPort) {
    for (int attempt = 1; ; attempt++) {
      if (wantedPort != 0) {
        LoopbackPorts.requireFree(wantedPort);
      }
      int brokerPort = wantedPort != 0 ? wantedPort : LoopbackPorts.free(-1);
      int controllerPort = LoopbackPorts.free(brokerPort);
      KafkaConfig config =
          KafkaConfig.fromProps(serverProperties(brokerPort, controllerPort), false);
      dataDir.formatIfNew(NODE_ID, CONTROLLER_LISTENER);
      KafkaRaftServer candidate = new KafkaRaftServer(config, Time.SYSTEM);
      try {
        candidate.startup();
        server = candidate;
        port = brokerPort;
        return;
      } catch (RuntimeException e) {
        stop(candidate);
        if (!LoopbackPorts.isBindFailure(e)) {
          throw new IllegalStateException("Kafka broker failed to start: " + e.getMessage(), e);
        }
        if (wantedPort != 0) {
          LoopbackPorts.requireFree(wantedPort);
        }
        // Another process took a port between choosing it and binding it; choose again.
        if (attempt == MAX_START_ATTEMPTS) {
          throw new IllegalStateException(
              "Kafka broker found no free port after " + attempt + " attempts", e);
        }
      }
    }
  }

  private Properties serverProperties(int brokerPort, int controllerPort) {
    Properties props = new Properties();
    // One process is both the broker and its own KRaft controller: no separate quorum to run.
    props.put("process.roles", "broker,controller");
    // The only node of its own cluster; meta.properties in a reused data directory records it.
    props.put("node.id", Integer.toString(NODE_ID));
    // A static single-voter quorum lets the controller port change between runs on one data dir.
    props.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
    // Loopback only: a development broker without authentication must not face the network.
    props.put(
        "listeners",
        listener(BROKER_LISTENER, brokerPort)
            + ","
            + listener(CONTROLLER_LISTENER, controllerPort));
    // Clients are told to come back to the exact address they dialled, never a host name.
    props.put("advertised.listeners", listener(BROKER_LISTENER, brokerPort));
    // Plain text on loopback; the controller listener needs an explicit mapping.
    props.put(
        "listener.security.protocol.map",
        BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
    // Names the listener above that carries KRaft controller traffic.
    props.put("controller.listener.names", CONTROLLER_LISTENER);
    // Replication traffic (none with one node) and controlled shutdown use the client listener.
    props.put("inter.broker.listener.name", BROKER_LISTENER);
    // Partition logs and the metadata log share the one data directory.
    props.put("log.dirs", dataDir.path().toString());
    props.put("metadata.log.dir", dataDir.path().toString());
    // One broker: the default factor of 3 would make consumer groups unusable.
    props.put("offsets.topic.replication.factor", "1");
    // One partition is plenty locally and makes the first group join fast (default 50).
    props.put("offsets.topic.num.partitions", "1");
    // One broker: exactly_once_v2 needs a transaction log it can actually replicate.
    props.put("transaction.state.log.replication.factor", "1");
    // Transactional writes need this many in-sync replicas of that log; one broker has one.
    props.put("transaction.state.log.min.isr", "1");
    // One partition is plenty locally and makes the first transaction fast (default 50).
    props.put("transaction.state.log.num.partitions", "1");
    // Share groups are not used by Tally, but must not fail for want of three brokers.
    props.put("share.coordinator.state.topic.replication.factor", "1");
    props.put("share.coordinator.state.topic.min.isr", "1");
    // Instances join one at a time in tests and demos; do not wait 3 s for more members.
    props.put("group.initial.rebalance.delay.ms", "0");
    // Topics created without a partition count get one partition unless a caller overrides it.
    props.put("num.partitions", "1");
    // Kept on (the Kafka default) so a producer pointed at the local broker just works, as it does
    // against a stock broker; Kafka Streams never relies on it for its own topics.
    props.put("auto.create.topics.enable", "true");
    // The log cleaner allocates this on the heap at start (default 128 MB); local data is small.
    props.put("log.cleaner.dedupe.buffer.size", Long.toString(4L * 1024 * 1024));
    // Give up instead of waiting forever if the broker cannot join its own quorum.
    props.put("server.max.startup.time.ms", Long.toString(startupTimeout.toMillis()));
    props.putAll(brokerConfig);
    return props;
  }

  private static String listener(String name, int port) {
    return name + "://" + HOST + ":" + port;
  }

  private void awaitAcceptingRequests(long deadlineNanos) {
    Admin admin = admin();
    RuntimeException last = null;
    while (System.nanoTime() < deadlineNanos) {
      try {
        if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
          return;
        }
      } catch (ExecutionException | TimeoutException e) {
        last = new IllegalStateException(e.getMessage(), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for the Kafka broker", e);
      }
      pause(50);
    }
    throw new IllegalStateException(
        "Kafka broker at " + HOST + ":" + port + " did not answer within " + startupTimeout, last);
  }

  private void awaitLeaders(Admin admin, String topic, int partitions)
      throws InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + startupTimeout.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        TopicDescription description =
            admin
                .describeTopics(List.of(topic))
                .allTopicNames()
                .get(5, TimeUnit.SECONDS)
                .get(topic);
        if (description.partitions().size() == partitions
            && description.partitions().stream().allMatch(p -> p.leader() != null)) {
          return;
        }
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
          throw new IllegalStateException(
              "cannot describe topic " + topic + ": " + e.getCause().getMessage(), e.getCause());
        }
      }
      pause(20);
    }
    throw new TimeoutException("partitions of " + topic + " got no leader");
  }

  private synchronized Admin admin() {
    if (state == State.CLOSED || server == null) {
      throw new IllegalStateException("the Kafka broker is not running");
    }
    if (admin == null) {
      Map<String, Object> config = new LinkedHashMap<>();
      config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, HOST + ":" + port);
      // Unique per broker, so that two brokers in one JVM do not share client metrics names.
      config.put(AdminClientConfig.CLIENT_ID_CONFIG, "tally-local-broker-" + port);
      config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
      config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
      admin = Admin.create(config);
    }
    return admin;
  }

  private void requireRunning() {
    if (state != State.RUNNING) {
      throw new IllegalStateException("the Kafka broker is not running (" + state + ")");
    }
  }

  private static void stop(KafkaRaftServer server) {
    server.shutdown();
    server.awaitShutdown();
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the Kafka broker", e);
    }
  }

  /** Describes a {@link LocalKafkaBroker} before it starts. */
  public static final class Builder {
    private int port = 0;
    private Path dataDir;
    private final Map<String, String> brokerConfig = new LinkedHashMap<>();
    private Duration startupTimeout = Duration.ofSeconds(60);

    private Builder() {}

    /** The client port on {@value LocalKafkaBroker#HOST}; 0 (the default) picks a free one. */
    public Builder port(int port) {
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("port must be 0..65535, got " + port);
      }
      this.port = port;
      return this;
    }

    /**
     * Keeps the broker's data in {@code dir} so that topics survive a restart. Without it the
     * broker uses a fresh temporary directory that {@link LocalKafkaBroker#close()} deletes.
     */
    public Builder dataDir(Path dir) {
      this.dataDir = Objects.requireNonNull(dir, "dir");
      return this;
    }

    /**
     * Sets or overrides one broker setting, e.g. {@code brokerConfig("num.partitions", "3")}.
     * Listeners, node identity and directories belong to this class and cannot be set here.
     */
    public Builder brokerConfig(String key, String value) {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(value, "value");
      if (OWNED_KEYS.contains(key)) {
        throw new IllegalArgumentException(
            key + " is managed by LocalKafkaBroker; use port(...) or dataDir(...)");
      }
      brokerConfig.put(key, value);
      return this;
    }

    /** How long {@link LocalKafkaBroker#start()} may take before it gives up (default 60 s). */
    public Builder startupTimeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("startup timeout must be positive, got " + timeout);
      }
      this.startupTimeout = timeout;
      return this;
    }

    /** A broker that has not started yet; call {@link LocalKafkaBroker#start()}. */
    public LocalKafkaBroker build() {
      return new LocalKafkaBroker(this);
    }
  }
}
