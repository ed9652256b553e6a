package dev.tally.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class EventTypeTest {

  private static Envelope envelope(EventType type) {
    return Envelope.builder(type)
        .service("im-gateway")
        .instance("im-1")
        .eventId("e-1")
        .timestamp(Instant.parse("2026-11-23T11:00:00Z"))
        .build();
  }

  @Test
  void shouldDeriveEveryConstantFromItsFamilyDotEventWireName() {
    for (EventType type : EventType.values()) {
      assertThat(type.wireName()).matches("[a-z]+\\.[a-z]+(_[a-z]+)*");
      assertThat(type.name()).isEqualTo(type.wireName().replace('.', '_').toUpperCase(Locale.ROOT));
      assertThat(type.family() + "." + type.eventName()).isEqualTo(type.wireName());
      assertThat(EventType.fromWireName(type.wireName())).contains(type);
    }
  }

  @Test
  void shouldNotFindTypesByAnyOtherSpelling() {
    assertThat(EventType.fromWireName("ACK.RECEIVED")).isEmpty();
    assertThat(EventType.fromWireName("ack_received")).isEmpty();
    assertThat(EventType.fromWireName(null)).isEmpty();
  }

  @Test
  void shouldPermitExactlyOneRecordPerEventType() {
    Set<Class<?>> permitted = Set.of(Event.class.getPermittedSubclasses());
    Map<Class<?>, EventType> byClass = new HashMap<>();
    for (EventType type : EventType.values()) {
      assertThat(byClass.put(type.eventClass(), type)).as(type.wireName()).isNull();
      assertThat(type.eventClass().isRecord()).isTrue();
    }

    assertThat(permitted).isEqualTo(byClass.keySet());
    assertThat(permitted.stream().map(Class::getSimpleName).collect(Collectors.toSet()))
        .isEqualTo(
            Arrays.stream(EventType.values())
                .map(EventType::eventClass)
                .map(Class::getSimpleName)
                .collect(Collectors.toSet()));
  }

  @Test
  void shouldRefuseAnEnvelopeOfAnotherType() {
    assertThatThrownBy(() -> new AckReceived(envelope(EventType.CACHE_HIT), 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cache.hit")
        .hasMessageContaining("ack.received");
  }

  @Test
  void shouldKeepLabelsSortedImmutableAndNeverNull() {
    Envelope withLabels =
        Envelope.builder(EventType.CACHE_HIT)
            .service("api")
            .instance("api-1")
            .eventId("e")
            .timestamp(Instant.EPOCH)
            .label("zone", "b")
            .label("app", "chat")
            .build();
    Envelope without =
        new Envelope(EventType.CACHE_HIT, 1, "api", "api-1", "e", Instant.EPOCH, null, null);

    assertThat(withLabels.labels().keySet()).containsExactly("app", "zone");
    assertThatThrownBy(() -> withLabels.labels().put("x", "y"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThat(without.labels()).isEmpty();
    assertThat(withLabels.schemaVersion()).isEqualTo(Envelope.CURRENT_SCHEMA_VERSION);
  }

  @Test
  void shouldFillInTheDefaultPoolAndTellMultiDeviceDeliveries() {
    PoolSample pool = new PoolSample(envelope(EventType.POOL_SAMPLE), null, 1, 2);
    DeliveryDelivered single =
        new DeliveryDelivered(envelope(EventType.DELIVERY_DELIVERED), 5, 1L, null, null, null);
    DeliveryDelivered multi =
        new DeliveryDelivered(envelope(EventType.DELIVERY_DELIVERED), 5, 2L, null, null, null);

    assertThat(pool.pool()).isEqualTo("default");
    assertThat(single.isMultiDevice()).isFalse();
    assertThat(multi.isMultiDevice()).isTrue();
  }
}
