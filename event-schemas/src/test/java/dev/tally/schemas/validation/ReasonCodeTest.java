package dev.tally.schemas.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ReasonCodeTest {

  @Test
  void shouldKeepThePublishedWireCodes() {
    // Dead-letter headers, counters and dashboards depend on these strings: never rename one.
    List<String> codes =
        Arrays.stream(ReasonCode.values()).map(ReasonCode::code).collect(Collectors.toList());

    assertThat(codes)
        .containsExactly(
            "not_json",
            "not_an_object",
            "event_too_large",
            "unknown_type",
            "unsupported_version",
            "missing_field",
            "wrong_type",
            "invalid_value",
            "negative_duration",
            "not_finite",
            "timestamp_in_future",
            "timestamp_too_old",
            "invalid_timestamp",
            "invalid_label_name",
            "reserved_label_name",
            "too_many_labels",
            "label_value_too_long",
            "invalid_utf8");
  }

  @Test
  void shouldFindEveryReasonByItsCode() {
    for (ReasonCode reason : ReasonCode.values()) {
      assertThat(ReasonCode.fromCode(reason.code())).contains(reason);
      assertThat(reason.code()).matches("[a-z][a-z0-9]*(_[a-z0-9]+)*").isEqualTo(reason.toString());
    }
    assertThat(ReasonCode.fromCode("NOT_JSON")).isEmpty();
    assertThat(ReasonCode.fromCode(null)).isEmpty();
  }

  @Test
  void shouldNameThePrimaryReasonAfterTheFirstViolation() {
    ParseResult.Rejected rejected =
        new ParseResult.Rejected(
            List.of(
                new Violation("/type", ReasonCode.UNKNOWN_TYPE, "unknown"),
                new Violation("/service", ReasonCode.MISSING_FIELD, "missing"),
                new Violation("/instance", ReasonCode.MISSING_FIELD, "missing")));

    assertThat(rejected.primaryReason()).isEqualTo(ReasonCode.UNKNOWN_TYPE);
    assertThat(rejected.reasons())
        .containsExactly(ReasonCode.UNKNOWN_TYPE, ReasonCode.MISSING_FIELD);
  }
}
