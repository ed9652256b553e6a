package dev.tally.schemas;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The fields shared by every event.
 *
 * @param type the event type; must match the record the envelope belongs to
 * @param schemaVersion the major version of the event contract, {@link #CURRENT_SCHEMA_VERSION}
 * @param service the service that emitted the event
 * @param instance the instance of that service
 * @param eventId an id unique per producer, used to drop duplicates
 * @param timestamp when the event happened
 * @param labels extra Prometheus labels, sorted by name; never null, empty when absent
 * @param traceId the trace the event belongs to, or {@code null}
 */
public record Envelope(
    EventType type,
    int schemaVersion,
    String service,
    String instance,
    String eventId,
    Instant timestamp,
    Map<String, String> labels,
    String traceId) {

  /** The major version of the event contract that this library reads and writes. */
  public static final int CURRENT_SCHEMA_VERSION = 1;

  public Envelope {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(instance, "instance");
    Objects.requireNonNull(eventId, "eventId");
    Objects.requireNonNull(timestamp, "timestamp");
    // Sorted so that the JSON Tally writes is canonical and equal events compare equal.
    labels =
        labels == null || labels.isEmpty()
            ? Map.of()
            : Collections.unmodifiableMap(new TreeMap<>(labels));
  }

  /**
   * Starts an envelope for an event of the given type, at the current schema version.
   *
   * <pre>{@code
   * Envelope envelope = Envelope.builder(EventType.CACHE_MISS)
   *     .service("api-gateway").instance("api-1").eventId(UUID.randomUUID().toString())
   *     .timestamp(clock.instant())
   *     .label("region", "eu-west-1")
   *     .build();
   * }</pre>
   */
  public static Builder builder(EventType type) {
    return new Builder(type);
  }

  /** Builds an {@link Envelope}. */
  public static final class Builder {
    private final EventType type;
    private int schemaVersion = CURRENT_SCHEMA_VERSION;
    private String service;
    private String instance;
    private String eventId;
    private Instant timestamp;
    private final Map<String, String> labels = new TreeMap<>();
    private String traceId;

    private Builder(EventType type) {
      this.type = Objects.requireNonNull(type, "type");
    }

    public Builder schemaVersion(int schemaVersion) {
      this.schemaVersion = schemaVersion;
      return this;
    }

    public Builder service(String service) {
      this.service = service;
      return this;
    }

    public Builder instance(String instance) {
      this.instance = instance;
      return this;
    }

    public Builder eventId(String eventId) {
      this.eventId = eventId;
      return this;
    }

    public Builder timestamp(Instant timestamp) {
      this.timestamp = timestamp;
      return this;
    }

    public Builder label(String name, String value) {
      labels.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
      return this;
    }

    public Builder labels(Map<String, String> labels) {
      labels.forEach(this::label);
      return this;
    }

    public Builder traceId(String traceId) {
      this.traceId = traceId;
      return this;
    }

    public Envelope build() {
      return new Envelope(
          type, schemaVersion, service, instance, eventId, timestamp, labels, traceId);
    }
  }
}
