package dev.tally.tools.kafka;

import java.util.Objects;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives integration tests a real {@link LocalKafkaBroker}.
 *
 * <p>By default all test classes of one test run share one broker: it starts when the first class
 * needs it and stops when the run ends. Tests keep apart by using unique topic names and
 * application ids. A class that needs a broker of its own (other settings, or it restarts the
 * broker) asks for a dedicated one, which stops after the class.
 *
 * <pre>{@code
 * class PipelineIT {
 *   @RegisterExtension static final KafkaBrokerExtension kafka = new KafkaBrokerExtension();
 *
 *   @Test
 *   void shouldCountEvents() {
 *     kafka.createTopic("events.chat", 3);
 *     props.put("bootstrap.servers", kafka.bootstrapServers());
 *   }
 * }
 *
 * @ExtendWith(KafkaBrokerExtension.class)
 * class OtherIT {
 *   @Test
 *   void shouldX(LocalKafkaBroker kafka) { ... }
 * }
 *
 * @RegisterExtension
 * static final KafkaBrokerExtension kafka =
 *     KafkaBrokerExtension.dedicated(LocalKafkaBroker.builder().brokerConfig("num.partitions", "3"));
 * }</pre>
 */
public final class KafkaBrokerExtension
    implements BeforeAllCallback, BeforeEachCallback, ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(KafkaBrokerExtension.class);
  private static final String SHARED_KEY = "shared-broker";

  private final LocalKafkaBroker.Builder dedicated;
  private volatile LocalKafkaBroker broker;

  /** Uses the broker shared by every test class in this test run. */
  public KafkaBrokerExtension() {
    this.dedicated = null;
  }

  private KafkaBrokerExtension(LocalKafkaBroker.Builder dedicated) {
    this.dedicated = Objects.requireNonNull(dedicated, "builder");
  }

  /** Starts a broker for the test class alone, described by {@code builder}, and stops it after. */
  public static KafkaBrokerExtension dedicated(LocalKafkaBroker.Builder builder) {
    return new KafkaBrokerExtension(builder);
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    broker = brokerFor(context);
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    // Also covers an extension registered on an instance field, which sees no beforeAll.
    broker = brokerFor(context);
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == LocalKafkaBroker.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return brokerFor(context);
  }

  /** The running broker. */
  public LocalKafkaBroker broker() {
    LocalKafkaBroker current = broker;
    if (current == null) {
      throw new IllegalStateException(
          "no Kafka broker yet: register KafkaBrokerExtension with @RegisterExtension or"
              + " @ExtendWith and use it from a test or a @BeforeAll/@BeforeEach method");
    }
    return current;
  }

  /** The {@code bootstrap.servers} value for clients, {@code 127.0.0.1:PORT}. */
  public String bootstrapServers() {
    return broker().bootstrapServers();
  }

  /** Creates a topic and waits until all its partitions have a leader. */
  public void createTopic(String name, int partitions) {
    broker().createTopic(name, partitions);
  }

  private LocalKafkaBroker brokerFor(ExtensionContext context) {
    if (dedicated == null) {
      // The root store closes the broker (an AutoCloseable) when the whole test run ends.
      return context
          .getRoot()
          .getStore(NAMESPACE)
          .getOrComputeIfAbsent(
              SHARED_KEY,
              key -> LocalKafkaBroker.builder().build().start(),
              LocalKafkaBroker.class);
    }
    // Kept in the store of the class that asked for it: it closes with that class, and nested
    // classes and test methods find it through the store's parent chain.
    ExtensionContext classContext = context;
    while (classContext.getTestMethod().isPresent() && classContext.getParent().isPresent()) {
      classContext = classContext.getParent().get();
    }
    return classContext
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(this, key -> dedicated.build().start(), LocalKafkaBroker.class);
  }
}
