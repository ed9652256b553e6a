package dev.tally.streams.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.streams.config.WindowSpec;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Expectations worked out by hand from the rule in docs/events.md ("Late events"). */
class LatenessTest {
  // 10s kept 2h, 1m kept 48h, 1h kept 30d; grace 30 s; future skew 5 min (the defaults).
  private final Lateness lateness =
      new Lateness(
          WindowSpec.parseList("windows", "10s:2h,1m:48h,1h:30d"),
          Duration.ofSeconds(30),
          Duration.ofMinutes(5));

  private static long at(String time) {
    return Instant.parse("2026-11-30T" + time + "Z").toEpochMilli();
  }

  @Test
  void shouldTakeAnEventFromANewSourceIntoEveryWindow() {
    assertThat(lateness.accepted(at("12:00:05"), Long.MIN_VALUE, at("12:00:06"))).isEqualTo(0b111);
  }

  @Test
  void shouldTakeAnEventUntilItsSourceIsGracePastTheWindowEnd() {
    // 10 s window [12:00:00, 12:00:10) closes for this source at 12:00:40.
    assertThat(lateness.accepted(at("12:00:05"), at("12:00:39.999"), at("12:00:41")))
        .isEqualTo(0b111);
    assertThat(lateness.accepted(at("12:00:05"), at("12:00:40"), at("12:00:41"))).isEqualTo(0b110);
    // 1 min window [12:00, 12:01) closes at 12:01:30; the hour window at 13:00:30.
    assertThat(lateness.accepted(at("12:00:05"), at("12:01:30"), at("12:01:31"))).isEqualTo(0b100);
    assertThat(lateness.accepted(at("12:00:05"), at("13:00:30"), at("13:00:31"))).isZero();
  }

  @Test
  void shouldIgnoreHowOldAnEventIsWhenItsSourceIsInOrder() {
    // An hour behind the wall clock, but its source sent nothing later: on time everywhere.
    assertThat(lateness.accepted(at("11:00:05"), at("11:00:04"), at("12:00:05"))).isEqualTo(0b111);
  }

  @Test
  void shouldRefuseWindowsNoLongerKept() {
    // The 10 s windows are kept 2 h; with 5 min of skew, one that started 1 h 55 min or more
    // before arrival is refused.
    assertThat(lateness.accepted(at("10:00:05"), Long.MIN_VALUE, at("11:54:59.999")))
        .isEqualTo(0b111);
    assertThat(lateness.accepted(at("10:00:05"), Long.MIN_VALUE, at("11:55:00"))).isEqualTo(0b110);
  }

  @Test
  void shouldForgetASourceOnlyWhenEveryDecisionItCouldMakeIsMadeByRetention() {
    long arrival = at("12:00:00");
    long thirtyDaysLessSkew = Duration.ofDays(30).minusMinutes(5).toMillis();
    assertThat(lateness.forgettable(arrival - thirtyDaysLessSkew, arrival)).isFalse();
    assertThat(lateness.forgettable(arrival - thirtyDaysLessSkew - 1, arrival)).isTrue();
  }
}
