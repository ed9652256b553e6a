package dev.tally.exporter.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.streams.query.LabelMatcher;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Times and matchers as the docs (docs/api.md) write them. */
class ApiParametersTest {
  private static final long NOW = Instant.parse("2026-11-30T12:00:00Z").toEpochMilli();

  @Test
  void timesInEveryDocumentedForm() {
    assertThat(TimeParameter.parse("from", "now", NOW)).isEqualTo(NOW);
    assertThat(TimeParameter.parse("from", "-1h", NOW)).isEqualTo(NOW - 3_600_000);
    assertThat(TimeParameter.parse("from", "now-15m", NOW)).isEqualTo(NOW - 900_000);
    assertThat(TimeParameter.parse("from", "-30s", NOW)).isEqualTo(NOW - 30_000);
    assertThat(TimeParameter.parse("from", "-2d", NOW)).isEqualTo(NOW - 172_800_000);
    assertThat(TimeParameter.parse("from", "1764500400000", NOW)).isEqualTo(1_764_500_400_000L);
    assertThat(TimeParameter.parse("from", "2026-11-30T11:00:00Z", NOW)).isEqualTo(NOW - 3_600_000);
    assertThat(TimeParameter.parse("from", "2026-11-30T12:00:00+01:00", NOW))
        .isEqualTo(NOW - 3_600_000);
    assertThatThrownBy(() -> TimeParameter.parse("to", "1h ago", NOW))
        .isInstanceOfSatisfying(
            QueryException.class, e -> assertThat(e.parameter()).isEqualTo("to"));
  }

  @Test
  void matchersAsInPromQl() {
    Map<String, String> labels = Map.of("route", "/api/v1/users/{id}", "method", "GET");
    assertThat(LabelMatcher.parse("method=GET").matches(labels)).isTrue();
    assertThat(LabelMatcher.parse("method!=GET").matches(labels)).isFalse();
    assertThat(LabelMatcher.parse("route=~/api/v1/.*").matches(labels)).isTrue();
    // Anchored: a partial match is no match.
    assertThat(LabelMatcher.parse("route=~api").matches(labels)).isFalse();
    assertThat(LabelMatcher.parse("route!~/api/v2/.*").matches(labels)).isTrue();
    // A value may contain the operators' characters.
    assertThat(LabelMatcher.parse("status=a=b").value()).isEqualTo("a=b");
    // A missing label is the empty value.
    assertThat(LabelMatcher.parse("status=").matches(labels)).isTrue();
    assertThatThrownBy(() -> LabelMatcher.parse("=x")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> LabelMatcher.parse("route=~[")).hasMessageContaining("bad regex");
    assertThatThrownBy(() -> LabelMatcher.parse("route")).hasMessageContaining("not a matcher");
  }
}
