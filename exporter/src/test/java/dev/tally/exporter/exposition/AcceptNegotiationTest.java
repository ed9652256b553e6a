package dev.tally.exporter.exposition;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Content negotiation as RFC 9110 §12.5.1 defines it: weights, {@code q=0} as "not acceptable", the
 * most specific range deciding a format's weight, wildcards, and ties in header order.
 */
class AcceptNegotiationTest {
  private static final String PROTOBUF =
      "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited";

  @Test
  void shouldHonourWeightsRatherThanTheOrderOfTheHeader() {
    assertThat(negotiate("text/plain;q=1, application/openmetrics-text;q=0.5"))
        .isEqualTo(ScrapeFormat.PROMETHEUS_TEXT);
    assertThat(negotiate("text/plain;q=0.5, application/openmetrics-text"))
        .isEqualTo(ScrapeFormat.OPENMETRICS);
    assertThat(negotiate("text/plain;q=0.2, " + PROTOBUF + ";q=0.3"))
        .isEqualTo(ScrapeFormat.PROTOBUF);
  }

  @Test
  void shouldAnswerWhatPrometheusAsksFor() {
    assertThat(
            negotiate(
                "application/openmetrics-text;version=1.0.0,application/openmetrics-text;"
                    + "version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"))
        .isEqualTo(ScrapeFormat.OPENMETRICS);
    assertThat(
            negotiate(
                PROTOBUF
                    + ",application/openmetrics-text;version=1.0.0;q=0.8,"
                    + "text/plain;version=0.0.4;q=0.2,*/*;q=0.1"))
        .isEqualTo(ScrapeFormat.PROTOBUF);
    // Prometheus 3 names an escaping scheme in each range; it is no media type parameter.
    assertThat(
            negotiate(
                "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,"
                    + "text/plain;version=0.0.4;q=0.2,*/*;q=0.1"))
        .isEqualTo(ScrapeFormat.OPENMETRICS);
  }

  @Test
  void shouldTakeAWeightOfZeroAsNotAcceptable() {
    assertThat(AcceptNegotiation.negotiate("text/plain;q=0")).isEmpty();
    assertThat(negotiate("text/plain;q=0, */*")).isEqualTo(ScrapeFormat.OPENMETRICS);
    assertThat(AcceptNegotiation.negotiate("text/plain;q=0, application/*;q=0")).isEmpty();
  }

  @Test
  void shouldLetTheMostSpecificRangeDecideAFormatsWeight() {
    // RFC 9110's example, with Tally's two text formats for its text/plain and text/html.
    String rfcExample = "text/*;q=0.3, text/plain;q=0.7, text/plain;version=0.0.4;q=0.2, */*;q=0.5";
    // text/plain;version=0.0.4 gets 0.2 (most specific), OpenMetrics 0.5 from */*.
    assertThat(negotiate(rfcExample)).isEqualTo(ScrapeFormat.OPENMETRICS);
    // text/plain without a version still matches Prometheus text, more specifically than text/*.
    assertThat(negotiate("text/*;q=0.1, text/plain;q=0.9, */*;q=0.5"))
        .isEqualTo(ScrapeFormat.PROMETHEUS_TEXT);
  }

  @Test
  void shouldMatchWildcards() {
    assertThat(negotiate("*/*")).isEqualTo(ScrapeFormat.PROMETHEUS_TEXT);
    assertThat(negotiate("text/*")).isEqualTo(ScrapeFormat.PROMETHEUS_TEXT);
    assertThat(negotiate("application/*")).isEqualTo(ScrapeFormat.OPENMETRICS);
    assertThat(negotiate("text/html, application/xhtml+xml, */*;q=0.8"))
        .as("a browser")
        .isEqualTo(ScrapeFormat.PROMETHEUS_TEXT);
  }

  @Test
  void shouldResolveTiesInTheOrderOfTheHeader() {
    assertThat(negotiate("application/openmetrics-text, text/plain"))
        .isEqualTo(ScrapeFormat.OPENMETRICS);
    assertThat(negotiate("text/plain, application/openmetrics-text"))
        .isEqualTo(ScrapeFormat.PROMETHEUS_TEXT);
    assertThat(negotiate(PROTOBUF + ";q=0.5, text/plain;q=0.5")).isEqualTo(ScrapeFormat.PROTOBUF);
  }

  @Test
  void shouldOfferProtobufOnlyForDelimitedMetricFamilies() {
    assertThat(AcceptNegotiation.negotiate("application/vnd.google.protobuf")).isEmpty();
    assertThat(
            AcceptNegotiation.negotiate(
                "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;"
                    + "encoding=text"))
        .isEmpty();
    assertThat(negotiate("application/*, " + PROTOBUF + ";q=0.9"))
        .as("a wildcard never selects protobuf")
        .isEqualTo(ScrapeFormat.OPENMETRICS);
    assertThat(negotiate("*/*;q=0.1, " + PROTOBUF.toUpperCase(java.util.Locale.ROOT)))
        .as("type, subtype and parameter names are case-insensitive")
        .isEqualTo(ScrapeFormat.PROTOBUF);
  }

  @Test
  void shouldRefuseVersionsItDoesNotWrite() {
    assertThat(AcceptNegotiation.negotiate("application/openmetrics-text;version=0.0.1")).isEmpty();
    assertThat(AcceptNegotiation.negotiate("text/plain;version=1.0.0")).isEmpty();
    assertThat(negotiate("text/plain;version=1.0.0, text/plain;version=0.0.4;q=0.1"))
        .isEqualTo(ScrapeFormat.PROMETHEUS_TEXT);
  }

  @Test
  void shouldTakeAMissingOrBlankHeaderAsAnythingAndAMalformedWeightAsZero() {
    assertThat(negotiate(null)).isEqualTo(ScrapeFormat.PROMETHEUS_TEXT);
    assertThat(negotiate(" ")).isEqualTo(ScrapeFormat.PROMETHEUS_TEXT);
    assertThat(AcceptNegotiation.negotiate("text/plain;q=2")).isEmpty();
    assertThat(AcceptNegotiation.negotiate("text/plain;q=0.0001")).isEmpty();
    assertThat(AcceptNegotiation.negotiate("application/json")).isEmpty();
    assertThat(negotiate("nonsense, text/plain;q=\"0.5\"")).isEqualTo(ScrapeFormat.PROMETHEUS_TEXT);
  }

  private static ScrapeFormat negotiate(String accept) {
    return AcceptNegotiation.negotiate(accept).orElseThrow();
  }
}
