package dev.tally.streams.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Tally's configuration: built-in defaults, then a config file ({@code --config FILE}, YAML or
 * properties), then environment variables ({@code TALLY_*}), each overriding the one before.
 *
 * <p>Keys are dotted ({@code window.grace}); the environment form upper-cases them and replaces
 * dots by underscores ({@code TALLY_WINDOW_GRACE}). Every Kafka client or Streams property passes
 * through under the {@code kafka.} prefix ({@code kafka.security.protocol=SASL_SSL}, or {@code
 * TALLY_KAFKA_SECURITY_PROTOCOL}). {@code KAFKA_BOOTSTRAP_SERVERS} is honoured as well. Unknown
 * keys and bad values fail at start-up with an {@link InvalidConfigException} naming the key.
 *
 * <pre>{@code
 * TallyConfig config = TallyConfig.load(Optional.of(Path.of("tally.yaml")), System.getenv());
 * Properties streams = config.streamsProperties();
 * }</pre>
 */
public final class TallyConfig {
  public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
  public static final String APPLICATION_ID = "application.id";
  public static final String APPLICATION_SERVER = "application.server";
  public static final String INPUT_TOPIC_PATTERN = "input.topic.pattern";
  public static final String DLQ_TOPIC = "dlq.topic";
  public static final String PROCESSING_GUARANTEE = "processing.guarantee";
  public static final String STATE_DIR = "state.dir";
  public static final String CATALOG_FILE = "catalog.file";
  public static final String WINDOWS = "windows";
  public static final String WINDOW_GRACE = "window.grace";
  public static final String GAUGE_TTL = "gauge.ttl";
  public static final String SERIES_CAP = "series.cap";
  public static final String FLUSH_INTERVAL = "flush.interval";
  public static final String SERIES_PARTITIONS = "series.partitions";
  public static final String DEDUP_WINDOW = "dedup.window";
  public static final String SERIES_TTL = "series.ttl";
  public static final String SERIES_RETENTION = "series.retention";
  public static final String EVENT_MAX_BYTES = "event.max.bytes";
  public static final String EVENT_MAX_FUTURE_SKEW = "event.max.future.skew";
  public static final String LABELS_MAX = "labels.max";
  public static final String LABEL_VALUE_MAX_LENGTH = "label.value.max.length";
  public static final String HTTP_PORT = "http.port";
  public static final String HTTP_AUTH_USERNAME = "http.auth.username";
  public static final String HTTP_AUTH_PASSWORD = "http.auth.password";
  public static final String HTTP_AUTH_PASSWORD_FILE = "http.auth.password.file";
  public static final String HTTP_TLS_KEYSTORE_PATH = "http.tls.keystore.path";
  public static final String HTTP_TLS_KEYSTORE_PASSWORD = "http.tls.keystore.password";
  public static final String HTTP_TLS_KEYSTORE_TYPE = "http.tls.keystore.type";
  public static final String API_TIMEOUT = "api.timeout";
  public static final String API_MAX_SERIES = "api.max.series";
  public static final String API_MAX_POINTS = "api.max.points";
  public static final String API_MAX_SAMPLES = "api.max.samples";

  /** Every Kafka client / Streams property is passed through under this prefix. */
  public static final String KAFKA_PREFIX = "kafka.";

  private static final String ENV_PREFIX = "TALLY_";

  /** Environment variables the {@code ./tally} launcher reads itself; they are not settings. */
  private static final Set<String> LAUNCHER_ENV = Set.of("TALLY_JAVA_OPTS", "TALLY_HOME");

  /** A documented setting: key, default ("" means unset) and what it does. */
  public record Setting(String key, String defaultValue, String description) {}

  private static final List<Setting> SETTINGS =
      List.of(
          new Setting(
              BOOTSTRAP_SERVERS,
              "",
              "Kafka bootstrap servers (also read from KAFKA_BOOTSTRAP_SERVERS). Unset: `./tally`"
                  + " starts an embedded broker."),
          new Setting(
              APPLICATION_ID,
              "tally",
              "Kafka Streams application id: consumer group, and prefix of internal topics."),
          new Setting(
              APPLICATION_SERVER,
              "",
              "host:port other instances use to reach this one's HTTP API (interactive queries)."),
          new Setting(INPUT_TOPIC_PATTERN, "events\\..*", "Regex of the topics Tally reads."),
          new Setting(DLQ_TOPIC, "tally.dlq", "Dead-letter topic for rejected records."),
          new Setting(PROCESSING_GUARANTEE, "exactly_once_v2", "exactly_once_v2 or at_least_once."),
          new Setting(
              STATE_DIR,
              Path.of(System.getProperty("java.io.tmpdir"), "tally-state").toString(),
              "Directory of the local state stores."),
          new Setting(
              CATALOG_FILE, "", "User metric catalog (YAML or JSON) merged over the built-in one."),
          new Setting(
              WINDOWS,
              "10s:2h,1m:48h,1h:30d",
              "Windowed resolutions as size:retention, finest first; each size a multiple of the"
                  + " previous."),
          new Setting(
              WINDOW_GRACE,
              "30s",
              "How far (event time) its source may already be past a window's end when an event"
                  + " of that window arrives, and the event still counts in it."),
          new Setting(
              GAUGE_TTL,
              "5m",
              "A gauge source (service + instance) that sent no event of any type for this long (by"
                  + " Tally's clock at arrival) stops counting."),
          new Setting(
              SERIES_CAP,
              "10000",
              "Default live-series cap per metric; further label sets go to the overflow series."),
          new Setting(
              SERIES_TTL,
              "1h",
              "A series with no update for this long (by Tally's clock) leaves /metrics and frees"
                  + " its place under series.cap; its value is kept (series.retention) and"
                  + " continues if it returns. 0 keeps every series exported."),
          new Setting(
              SERIES_RETENTION,
              "30d",
              "How long the value of a series with no update is kept; then it is deleted and a"
                  + " returning series starts from 0. At least series.ttl; 0 keeps it forever, as does"
                  + " series.ttl=0."),
          new Setting(
              DEDUP_WINDOW,
              "10m",
              "How long a counted (service, event_id) is remembered per input partition; a re-sent"
                  + " event within it is counted as a duplicate, not again. 0 turns it off."),
          new Setting(
              SERIES_PARTITIONS,
              "6",
              "Partitions of the series repartition topic: how many tasks own series, so the most"
                  + " instances that share the work. Fixed once the topic exists."),
          new Setting(
              FLUSH_INTERVAL,
              "250ms",
              "How often pre-aggregated partials are flushed to the series owners."),
          new Setting(EVENT_MAX_BYTES, "65536", "Largest accepted event, in bytes."),
          new Setting(
              EVENT_MAX_FUTURE_SKEW, "5m", "How far in the future an event timestamp may be."),
          new Setting(LABELS_MAX, "16", "Most labels an event may carry."),
          new Setting(LABEL_VALUE_MAX_LENGTH, "256", "Longest label value, in characters."),
          new Setting(HTTP_PORT, "8080", "Port of /metrics, the query API and health."),
          new Setting(
              HTTP_AUTH_USERNAME, "", "Basic-auth user; set with a password to require auth."),
          new Setting(HTTP_AUTH_PASSWORD, "", "Basic-auth password."),
          new Setting(HTTP_AUTH_PASSWORD_FILE, "", "File holding the basic-auth password."),
          new Setting(HTTP_TLS_KEYSTORE_PATH, "", "Keystore (PKCS12 or JKS); set to serve HTTPS."),
          new Setting(HTTP_TLS_KEYSTORE_PASSWORD, "", "Keystore password."),
          new Setting(HTTP_TLS_KEYSTORE_TYPE, "PKCS12", "Keystore type."),
          new Setting(
              API_TIMEOUT,
              "10s",
              "Time budget of one query API request, the calls to other instances included;"
                  + " past it the answer is a 503."),
          new Setting(API_MAX_SERIES, "10000", "Most series one query API answer may have."),
          new Setting(
              API_MAX_POINTS,
              "11000",
              "Most windows per series one /api/v1/query answer may have (as Prometheus)."),
          new Setting(
              API_MAX_SAMPLES,
              "200000",
              "Most (series, window) values one query may hold in memory; bounds its memory."));

  private static final Map<String, Setting> BY_KEY = index(SETTINGS);

  private static final List<String> KAFKA_PREFIXES =
      List.of(
          StreamsConfig.MAIN_CONSUMER_PREFIX,
          StreamsConfig.RESTORE_CONSUMER_PREFIX,
          StreamsConfig.GLOBAL_CONSUMER_PREFIX,
          StreamsConfig.CONSUMER_PREFIX,
          StreamsConfig.PRODUCER_PREFIX,
          StreamsConfig.ADMIN_CLIENT_PREFIX,
          StreamsConfig.TOPIC_PREFIX,
          StreamsConfig.CLIENT_TAG_PREFIX);

  private final Map<String, String> values;
  private final Map<String, String> kafka;

  private TallyConfig(Map<String, String> values, Map<String, String> kafka) {
    this.values = values;
    this.kafka = kafka;
    validate();
  }

  /** Defaults, then {@code file} if present, then the {@code TALLY_*} variables of {@code env}. */
  public static TallyConfig load(Optional<Path> file, Map<String, String> env) {
    Map<String, String> merged = new LinkedHashMap<>();
    file.ifPresent(f -> merged.putAll(readFile(f)));
    merged.putAll(fromEnvironment(env));
    return fromMap(merged);
  }

  /** Defaults overridden by {@code overrides} (dotted keys). Used by tests and embedding code. */
  public static TallyConfig fromMap(Map<String, String> overrides) {
    Map<String, String> values = new TreeMap<>();
    Map<String, String> kafka = new TreeMap<>();
    for (Setting s : SETTINGS) {
      values.put(s.key(), s.defaultValue());
    }
    overrides.forEach(
        (key, value) -> {
          if (key.startsWith(KAFKA_PREFIX)) {
            String kafkaKey = key.substring(KAFKA_PREFIX.length());
            if (!isKafkaProperty(kafkaKey)) {
              throw new InvalidConfigException(key, "not a Kafka client or Streams property");
            }
            kafka.put(kafkaKey, value);
          } else if (BY_KEY.containsKey(key)) {
            values.put(key, value == null ? "" : value.trim());
          } else {
            throw new InvalidConfigException(key, "unknown setting (see docs/configuration.md)");
          }
        });
    return new TallyConfig(Collections.unmodifiableMap(values), Collections.unmodifiableMap(kafka));
  }

  /** Every documented setting with its default, in documentation order. */
  public static List<Setting> settings() {
    return SETTINGS;
  }

  /**
   * Returns a copy with one more override; handy when a launcher fills in the bootstrap address.
   */
  public TallyConfig with(String key, String value) {
    Map<String, String> all = new LinkedHashMap<>(values);
    kafka.forEach((k, v) -> all.put(KAFKA_PREFIX + k, v));
    all.put(key, value);
    return fromMap(all);
  }

  public Optional<String> bootstrapServers() {
    return optional(BOOTSTRAP_SERVERS);
  }

  public String applicationId() {
    return values.get(APPLICATION_ID);
  }

  public Optional<String> applicationServer() {
    return optional(APPLICATION_SERVER);
  }

  public Pattern inputTopicPattern() {
    return Pattern.compile(values.get(INPUT_TOPIC_PATTERN));
  }

  public String dlqTopic() {
    return values.get(DLQ_TOPIC);
  }

  public boolean exactlyOnce() {
    return values.get(PROCESSING_GUARANTEE).equals(StreamsConfig.EXACTLY_ONCE_V2);
  }

  public String processingGuarantee() {
    return values.get(PROCESSING_GUARANTEE);
  }

  public Path stateDir() {
    return Path.of(values.get(STATE_DIR));
  }

  public Optional<Path> catalogFile() {
    return optional(CATALOG_FILE).map(Path::of);
  }

  public List<WindowSpec> windows() {
    return WindowSpec.parseList(WINDOWS, values.get(WINDOWS));
  }

  public Duration windowGrace() {
    return Durations.parse(WINDOW_GRACE, values.get(WINDOW_GRACE));
  }

  public Duration gaugeTtl() {
    return Durations.parse(GAUGE_TTL, values.get(GAUGE_TTL));
  }

  public int seriesCap() {
    return positiveInt(SERIES_CAP);
  }

  public Duration seriesTtl() {
    return Durations.parse(SERIES_TTL, values.get(SERIES_TTL));
  }

  /**
   * How long an idle series' value is kept; zero (forever) when {@code series.ttl} is 0, since a
   * series that never leaves the scrape must never be reset under it.
   */
  public Duration seriesRetention() {
    return seriesTtl().isZero()
        ? Duration.ZERO
        : Durations.parse(SERIES_RETENTION, values.get(SERIES_RETENTION));
  }

  public Duration dedupWindow() {
    return Durations.parse(DEDUP_WINDOW, values.get(DEDUP_WINDOW));
  }

  public int seriesPartitions() {
    return positiveInt(SERIES_PARTITIONS);
  }

  public Duration flushInterval() {
    return Durations.parse(FLUSH_INTERVAL, values.get(FLUSH_INTERVAL));
  }

  public int eventMaxBytes() {
    return positiveInt(EVENT_MAX_BYTES);
  }

  public Duration eventMaxFutureSkew() {
    return Durations.parse(EVENT_MAX_FUTURE_SKEW, values.get(EVENT_MAX_FUTURE_SKEW));
  }

  public int labelsMax() {
    return positiveInt(LABELS_MAX);
  }

  public int labelValueMaxLength() {
    return positiveInt(LABEL_VALUE_MAX_LENGTH);
  }

  /** The time budget of one query API request. */
  public Duration apiTimeout() {
    Duration timeout = Durations.parse(API_TIMEOUT, values.get(API_TIMEOUT));
    if (timeout.isZero()) {
      throw new InvalidConfigException(API_TIMEOUT, "must be longer than 0");
    }
    return timeout;
  }

  public int apiMaxSeries() {
    return positiveInt(API_MAX_SERIES);
  }

  public int apiMaxPoints() {
    return positiveInt(API_MAX_POINTS);
  }

  public int apiMaxSamples() {
    return positiveInt(API_MAX_SAMPLES);
  }

  public int httpPort() {
    int port = intValue(HTTP_PORT);
    if (port < 0 || port > 65535) {
      throw new InvalidConfigException(HTTP_PORT, "'" + port + "' is not a port (0-65535)");
    }
    return port;
  }

  /** The raw value of a Tally setting ("" when unset). */
  public String get(String key) {
    String value = values.get(key);
    if (value == null) {
      throw new IllegalArgumentException("no such setting: " + key);
    }
    return value;
  }

  /** The Kafka properties passed through, without the {@code kafka.} prefix. */
  public Map<String, String> kafkaProperties() {
    return kafka;
  }

  /**
   * Kafka Streams properties: Tally's choices first, then every {@code kafka.*} pass-through, so an
   * operator can override any of them (at their own risk for the exactly-once settings).
   */
  public Properties streamsProperties() {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId());
    bootstrapServers().ifPresent(b -> props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, b));
    applicationServer().ifPresent(s -> props.put(StreamsConfig.APPLICATION_SERVER_CONFIG, s));
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir().toString());
    // Exact counts are the product: transactions tie input offsets, changelogs and repartition
    // writes together so a crash neither loses nor double-counts an event.
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, processingGuarantee());
    // Readers see the owner stores as of the last commit (CommittedView), and the owners see
    // partials only once the reading task commits: an event needs up to flush.interval plus two
    // commit intervals to reach /metrics. 500 ms keeps that p99 under 1.5 s (docs/performance.md)
    // while each busy series is still rewritten into its changelogs at most twice a second
    // (Kafka Streams' exactly-once default is 100 ms).
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "500");
    // A topic created after start-up that matches input.topic.pattern is found on the next
    // metadata refresh; the 5-minute default would leave its first events waiting that long.
    props.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.METADATA_MAX_AGE_CONFIG), "10000");
    // One produce request in flight per broker connection. With transactions v2 (Kafka 4 brokers),
    // when a partition's first batch of a transaction is refused with CONCURRENT_TRANSACTIONS while
    // its next batches are already in flight, the broker refuses those as out of order, again on
    // every retry, until the transaction times out: CrashUnderLoadIT saw a pipeline count 12,000
    // records in five minutes that way (OutOfOrderSequenceException "Expected sequence 0 for
    // transactions v2 idempotent producer with no existing state"); with one in flight, none.
    props.put(
        StreamsConfig.producerPrefix(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION), "1");
    // Records the parser cannot even deserialize (repartition corruption) and processing errors
    // that escape Tally's own handling are logged, sent to the DLQ by Kafka Streams, and skipped:
    // a poison record must never stop a stream thread.
    props.put(
        StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
        org.apache.kafka.streams.errors.LogAndContinueExceptionHandler.class.getName());
    props.put(
        StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
        org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler.class.getName());
    props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, "true");
    props.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, dlqTopic());
    // The persistent parts (stores, repartition topic) are named by Tally; the optimizer must not
    // merge or rename them, or an upgrade would orphan the changelogs that hold the totals.
    props.put(StreamsConfig.TOPOLOGY_OPTIMIZATION_CONFIG, StreamsConfig.NO_OPTIMIZATION);
    props.putAll(kafka);
    return props;
  }

  private void validate() {
    windows();
    windowGrace();
    gaugeTtl();
    if (flushInterval().isZero()) {
      throw new InvalidConfigException(FLUSH_INTERVAL, "must be longer than 0");
    }
    seriesPartitions();
    dedupWindow();
    Duration retention = Durations.parse(SERIES_RETENTION, values.get(SERIES_RETENTION));
    Duration ttl = seriesTtl();
    if (!retention.isZero() && !ttl.isZero() && retention.compareTo(ttl) < 0) {
      throw new InvalidConfigException(
          SERIES_RETENTION, "must be 0 (forever) or at least " + SERIES_TTL);
    }
    eventMaxFutureSkew();
    seriesCap();
    eventMaxBytes();
    labelsMax();
    labelValueMaxLength();
    httpPort();
    apiTimeout();
    apiMaxSeries();
    apiMaxPoints();
    apiMaxSamples();
    String guarantee = values.get(PROCESSING_GUARANTEE);
    if (!guarantee.equals(StreamsConfig.EXACTLY_ONCE_V2)
        && !guarantee.equals(StreamsConfig.AT_LEAST_ONCE)) {
      throw new InvalidConfigException(
          PROCESSING_GUARANTEE, "'" + guarantee + "' is not exactly_once_v2 or at_least_once");
    }
    try {
      inputTopicPattern();
    } catch (PatternSyntaxException e) {
      throw new InvalidConfigException(
          INPUT_TOPIC_PATTERN, "not a regular expression: " + e.getDescription());
    }
    if (applicationId().isEmpty()) {
      throw new InvalidConfigException(APPLICATION_ID, "must not be empty");
    }
    if (dlqTopic().isEmpty() || inputTopicPattern().matcher(dlqTopic()).matches()) {
      throw new InvalidConfigException(
          DLQ_TOPIC, "must be set and must not match " + INPUT_TOPIC_PATTERN);
    }
    if (optional(HTTP_AUTH_USERNAME).isPresent()
        && optional(HTTP_AUTH_PASSWORD).isEmpty()
        && optional(HTTP_AUTH_PASSWORD_FILE).isEmpty()) {
      throw new InvalidConfigException(
          HTTP_AUTH_USERNAME, "needs http.auth.password or http.auth.password.file");
    }
    kafka.forEach(TallyConfig::checkKafkaValue);
    try {
      new StreamsConfig(withPlaceholderBootstrap(streamsProperties()));
    } catch (org.apache.kafka.common.config.ConfigException e) {
      throw new InvalidConfigException(KAFKA_PREFIX + kafkaKeyOf(e), e.getMessage());
    }
  }

  /**
   * Parses a pass-through value with the type and validator Kafka declares for it, so that {@code
   * kafka.linger.ms=soon} fails at start-up rather than when a client is first created.
   */
  private static void checkKafkaValue(String key, String value) {
    String name = key;
    for (String prefix : KAFKA_PREFIXES) {
      if (key.startsWith(prefix)) {
        name = key.substring(prefix.length());
        break;
      }
    }
    for (ConfigDef def :
        List.of(
            StreamsConfig.configDef(),
            ProducerConfig.configDef(),
            ConsumerConfig.configDef(),
            AdminClientConfig.configDef())) {
      ConfigDef.ConfigKey configKey = def.configKeys().get(name);
      if (configKey != null) {
        try {
          Object parsed = ConfigDef.parseType(name, value, configKey.type);
          if (configKey.validator != null) {
            configKey.validator.ensureValid(name, parsed);
          }
        } catch (org.apache.kafka.common.config.ConfigException e) {
          throw new InvalidConfigException(KAFKA_PREFIX + key, e.getMessage());
        }
        return;
      }
    }
  }

  private static Properties withPlaceholderBootstrap(Properties props) {
    // Validation must not need a reachable cluster; the address is only checked for syntax later.
    props.putIfAbsent(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9092");
    return props;
  }

  private String kafkaKeyOf(org.apache.kafka.common.config.ConfigException e) {
    String message = String.valueOf(e.getMessage());
    for (String key : kafka.keySet()) {
      if (message.contains(key)) {
        return key;
      }
    }
    return "*";
  }

  private Optional<String> optional(String key) {
    String value = values.get(key);
    return value == null || value.isEmpty() ? Optional.empty() : Optional.of(value);
  }

  private int intValue(String key) {
    try {
      return Integer.parseInt(values.get(key));
    } catch (NumberFormatException e) {
      throw new InvalidConfigException(key, "'" + values.get(key) + "' is not an integer");
    }
  }

  private int positiveInt(String key) {
    int value = intValue(key);
    if (value <= 0) {
      throw new InvalidConfigException(key, "must be > 0, was " + value);
    }
    return value;
  }

  static boolean isKafkaProperty(String key) {
    if (StreamsConfig.configDef().names().contains(key)
        || ProducerConfig.configNames().contains(key)
        || ConsumerConfig.configNames().contains(key)
        || AdminClientConfig.configNames().contains(key)) {
      return true;
    }
    for (String prefix : KAFKA_PREFIXES) {
      if (key.startsWith(prefix) && key.length() > prefix.length()) {
        return true;
      }
    }
    return false;
  }

  /** {@code TALLY_WINDOW_GRACE} → {@code window.grace}; {@code KAFKA_BOOTSTRAP_SERVERS} too. */
  static Map<String, String> fromEnvironment(Map<String, String> env) {
    Map<String, String> result = new LinkedHashMap<>();
    String kafkaBootstrap = env.get("KAFKA_BOOTSTRAP_SERVERS");
    if (kafkaBootstrap != null && !kafkaBootstrap.isBlank()) {
      result.put(BOOTSTRAP_SERVERS, kafkaBootstrap);
    }
    new TreeMap<>(env)
        .forEach(
            (name, value) -> {
              if (!name.startsWith(ENV_PREFIX) || LAUNCHER_ENV.contains(name)) {
                return;
              }
              String key =
                  name.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
              if (!key.startsWith(KAFKA_PREFIX) && !BY_KEY.containsKey(key)) {
                throw new InvalidConfigException(
                    name, "unknown setting (see docs/configuration.md)");
              }
              if (key.startsWith(KAFKA_PREFIX)
                  && !isKafkaProperty(key.substring(KAFKA_PREFIX.length()))) {
                throw new InvalidConfigException(name, "not a Kafka client or Streams property");
              }
              result.put(key, value);
            });
    return result;
  }

  private static Map<String, String> readFile(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new InvalidConfigException("--config", "no such file: " + file);
    }
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    try (InputStream in = Files.newInputStream(file)) {
      if (name.endsWith(".properties")) {
        Properties props = new Properties();
        props.load(in);
        Map<String, String> result = new LinkedHashMap<>();
        props.stringPropertyNames().forEach(k -> result.put(k, props.getProperty(k)));
        return result;
      }
      // A key given twice is a mistake to report, not one to settle silently by the last value.
      JsonNode root =
          new ObjectMapper(
                  YAMLFactory.builder()
                      .enable(
                          com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                      .build())
              .readTree(in);
      Map<String, String> result = new LinkedHashMap<>();
      if (root != null && !root.isNull()) {
        if (!root.isObject()) {
          throw new InvalidConfigException("--config", file + " must hold a mapping of settings");
        }
        flatten("", root, result);
      }
      return result;
    } catch (IOException e) {
      if (e instanceof com.fasterxml.jackson.core.JsonProcessingException jpe) {
        throw new InvalidConfigException(
            "--config", file + " is not valid YAML: " + jpe.getOriginalMessage());
      }
      throw new UncheckedIOException(e);
    }
  }

  private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
    if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        flatten(
            prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey(),
            field.getValue(),
            out);
      }
    } else if (node.isArray()) {
      throw new InvalidConfigException(
          prefix, "lists are not settings; use a comma-separated string");
    } else {
      out.put(prefix, node.isNull() ? "" : node.asText());
    }
  }

  private static Map<String, Setting> index(List<Setting> settings) {
    Map<String, Setting> byKey = new LinkedHashMap<>();
    settings.forEach(s -> byKey.put(s.key(), s));
    return Collections.unmodifiableMap(byKey);
  }
}
