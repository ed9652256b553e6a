package dev.tally.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class ProgressTest {
  @Test
  void shouldShowSentRateErrorsAndTimeLeft() {
    // 5,000 of 20,000 in 10 s: 500/s, 30 s to go.
    assertThat(Progress.line(5_000, 2, 10_000_000_000L, 0.25))
        .isEqualTo("sent 5,000  rate 500/s  errors 2  ETA 0:30");
    assertThat(Progress.line(5_000, 0, 10_000_000_000L, Double.NaN)).endsWith("ETA ?");
  }

  @Test
  void shouldRewriteOneLineOnATerminal() {
    StringWriter out = new StringWriter();
    Progress progress = Progress.onTerminal(new PrintWriter(out), true);

    progress.update(10, 0, 1_000_000_000L, 0.5);
    progress.update(11, 0, 1_000_000_001L, 0.5); // within 250 ms: not printed
    progress.finish(20, 0, 2_000_000_000L);

    assertThat(out.toString())
        .isEqualTo(
            "\rsent 10  rate 10/s  errors 0  ETA 0:01"
                + "\rsent 20  rate 10/s  errors 0  ETA 0:00"
                + System.lineSeparator());
  }

  @Test
  void shouldPrintNothingWithoutATerminal() {
    StringWriter out = new StringWriter();
    Progress progress = Progress.onTerminal(new PrintWriter(out), false);

    progress.update(10, 0, 1_000_000_000L, 0.5);
    progress.finish(20, 0, 2_000_000_000L);

    assertThat(out.toString()).isEmpty();
  }
}
