package dev.tally.cli;

import dev.tally.streams.config.TallyConfig;
import dev.tally.tools.kafka.LocalKafkaBroker;
import dev.tally.tools.kafka.PortInUseException;
import java.io.PrintWriter;
import java.util.Optional;

/**
 * The Kafka cluster a command works with: the configured bootstrap.servers (file, TALLY_ or {@value
 * #BOOTSTRAP_SERVERS_ENV} variable), or else a local KRaft broker started in this process and
 * stopped on {@link #close()}.
 */
final class KafkaTarget implements AutoCloseable {
  static final String BOOTSTRAP_SERVERS_ENV = "KAFKA_BOOTSTRAP_SERVERS";
  static final String READY_LINE_PREFIX = "Kafka broker (KRaft) ready at ";
  private static final String NETWORK_CLIENT_LOG_LEVEL =
      "org.slf4j.simpleLogger.log.org.apache.kafka.clients.NetworkClient";

  private final String bootstrapServers;
  private final LocalKafkaBroker embedded;
  private final PrintWriter out;

  private KafkaTarget(String bootstrapServers, LocalKafkaBroker embedded, PrintWriter out) {
    this.bootstrapServers = bootstrapServers;
    this.embedded = embedded;
    this.out = out;
  }

  /**
   * Uses the configured {@code bootstrap.servers} (the config file, {@code TALLY_BOOTSTRAP_SERVERS}
   * or {@value #BOOTSTRAP_SERVERS_ENV}) when there is one, otherwise starts a local broker on a
   * free port (so that it never collides with a broker the user already runs on 9092).
   */
  static KafkaTarget fromConfig(TallyConfig config, PrintWriter out) {
    Optional<String> external = config.bootstrapServers().map(String::trim);
    if (external.isPresent() && !external.get().isEmpty()) {
      out.println("using Kafka at " + external.get() + " (" + TallyConfig.BOOTSTRAP_SERVERS + ")");
      out.flush();
      return new KafkaTarget(external.get(), null, out);
    }
    return embedded(LocalKafkaBroker.builder(), out);
  }

  /** Starts a local broker and prints the one line that says where it listens. */
  static KafkaTarget embedded(LocalKafkaBroker.Builder builder, PrintWriter out) {
    // The broker's shutdown logs "Attempting to close NetworkClient that has already been
    // closed" at warn every time; with the broker in this process, that line would end every
    // Ctrl-C. The price: client warnings of this process show only at error, unless
    // TALLY_JAVA_OPTS sets this property. Must be set before the first Kafka client logs.
    if (System.getProperty(NETWORK_CLIENT_LOG_LEVEL) == null) {
      System.setProperty(NETWORK_CLIENT_LOG_LEVEL, "error");
    }
    LocalKafkaBroker broker = builder.build();
    try {
      broker.start();
    } catch (PortInUseException e) {
      throw new CliFailure(e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new CliFailure("the Kafka broker did not start: " + e.getMessage(), e);
    }
    String address = broker.bootstrapServers();
    out.println(READY_LINE_PREFIX + address);
    out.println("try: kcat -L -b " + address + "   (Ctrl-C stops it)");
    out.flush();
    return new KafkaTarget(address, broker, out);
  }

  String bootstrapServers() {
    return bootstrapServers;
  }

  /** Whether the broker runs in this process (and so starts empty every time). */
  boolean isEmbedded() {
    return embedded != null;
  }

  @Override
  public void close() {
    if (embedded != null) {
      embedded.close();
      out.println("Kafka broker stopped");
      out.flush();
    }
  }
}
