package dev.tally.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import org.junit.jupiter.api.Test;

class ExpositionTextTest {
  @Test
  void shouldReadSamplesWithSortedLabelsLeLastAndCommentsSkipped() {
    String text =
        """
        # HELP cache_hits_total Cache lookups that found the entry, by cache.
        # TYPE cache_hits_total counter
        cache_hits_total{service="im-gateway",cache="redis"} 12
        ack_latency_seconds_bucket{le="1",service="im-gateway"} 4
        ack_latency_seconds_bucket{service="im-gateway",le="+Inf"} 6
        tally_stores_queryable 1.0
        process_start_time_seconds 1.7634E9 1763892000000
        """;

    assertThat(ExpositionText.parse(text))
        .containsOnly(
            entry("cache_hits_total{cache=\"redis\",service=\"im-gateway\"}", 12.0),
            entry("ack_latency_seconds_bucket{service=\"im-gateway\",le=\"1.0\"}", 4.0),
            entry("ack_latency_seconds_bucket{service=\"im-gateway\",le=\"+Inf\"}", 6.0),
            entry("tally_stores_queryable", 1.0),
            entry("process_start_time_seconds", 1.7634e9));
  }

  @Test
  void shouldKeepEscapedQuotesCommasAndBracesInLabelValues() {
    String text = "m{route=\"/a,{b}\\\"c\\\\\",x=\"1\"} 2\n";

    assertThat(ExpositionText.parse(text))
        .containsOnly(entry("m{route=\"/a,{b}\\\"c\\\\\",x=\"1\"}", 2.0));
  }

  @Test
  void shouldNameTheLineItCannotRead() {
    assertThatThrownBy(() -> ExpositionText.parse("ok 1\nbroken{a=\"1\" \n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("line 2 is not a sample");
  }
}
