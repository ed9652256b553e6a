package dev.tally.streams.config;

/** Renders {@code docs/configuration.md} from {@link TallyConfig#settings()}. */
public final class ConfigDocs {
  private ConfigDocs() {}

  public static String markdown() {
    StringBuilder md = new StringBuilder();
    md.append("# Configuration\n\n");
    md.append(
        "Generated from `TallyConfig` by `ConfigDocsTest`; do not edit by hand. Regenerate with\n"
            + "`mvn -pl streams-app -am test -Dtest=ConfigDocsTest -Dtally.docs.write=true"
            + " -Dsurefire.failIfNoSpecifiedTests=false`.\n\n");
    md.append(
        "Precedence, lowest first: built-in defaults, the config file (`--config FILE`, YAML"
            + " or `.properties`), environment variables. A key's environment form is `TALLY_`"
            + " plus the key upper-cased with dots as underscores (`window.grace` →"
            + " `TALLY_WINDOW_GRACE`). Durations are written `0`, `500ms`, `30s`, `5m`, `2h`, `30d`."
            + " An unknown key or a bad value stops Tally at start-up with a message naming"
            + " the key.\n\n");
    md.append("| key | default | what it does |\n|---|---|---|\n");
    for (TallyConfig.Setting s : TallyConfig.settings()) {
      String def =
          s.key().equals(TallyConfig.STATE_DIR)
              ? "`$TMPDIR/tally-state`"
              : s.defaultValue().isEmpty()
                  ? "(unset)"
                  : "`" + s.defaultValue().replace("|", "\\|") + "`";
      md.append("| `").append(s.key()).append("` | ").append(def).append(" | ");
      md.append(s.description()).append(" |\n");
    }
    md.append(
        "\n## Kafka client and Streams properties\n\n"
            + "Any Kafka producer, consumer, admin or Streams property passes through under the"
            + " `kafka.` prefix (`TALLY_KAFKA_` in the environment), and is checked against"
            + " Kafka's own list of names and value rules at start-up. Example for a cluster with"
            + " SASL over TLS:\n\n"
            + "```yaml\n"
            + "bootstrap.servers: broker-1:9093,broker-2:9093\n"
            + "kafka:\n"
            + "  security.protocol: SASL_SSL\n"
            + "  sasl.mechanism: SCRAM-SHA-512\n"
            + "  sasl.jaas.config: >-\n"
            + "    org.apache.kafka.common.security.scram.ScramLoginModule required\n"
            + "    username=\"tally\" password=\"change-me\";\n"
            + "  ssl.truststore.location: /etc/tally/truststore.p12\n"
            + "  ssl.truststore.password: change-me\n"
            + "  num.stream.threads: 2\n"
            + "```\n\n"
            + "`KAFKA_BOOTSTRAP_SERVERS` is read as `bootstrap.servers` too. Tally sets `commit.interval.ms=500`,"
            + " `processing.guarantee=exactly_once_v2`, continue-and-DLQ exception handlers"
            + " (`errors.dead.letter.queue.topic.name` = `dlq.topic`),"
            + " `topology.optimization=none`, `main.consumer.metadata.max.age.ms=10000` (a new"
            + " input topic is found within 10 s) and"
            + " `producer.max.in.flight.requests.per.connection=1` (with transactions v2, a"
            + " refused first batch of a transaction otherwise made the broker refuse the batches"
            + " behind it until the transaction timed out); a `kafka.` property overrides them.\n");
    return md.toString();
  }
}
