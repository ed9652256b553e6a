package dev.tally.loadgen;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * One status line on a terminal, rewritten in place ({@code \r}): records sent, rate, errors and
 * the time left. Quiet when there is no terminal, so that redirected output stays clean.
 *
 * <pre>{@code
 * Progress progress = Progress.onTerminal(out, System.console() != null);
 * progress.update(sent, errors, elapsedNanos, fractionDone);
 * progress.finish(sent, errors, elapsedNanos);
 * }</pre>
 */
public final class Progress {
  private static final long EVERY_NANOS = 250_000_000L;

  private final PrintWriter out;
  private final boolean enabled;
  private long lastPrintNanos = Long.MIN_VALUE / 2;
  private int lastWidth;

  private Progress(PrintWriter out, boolean enabled) {
    this.out = out;
    this.enabled = enabled;
  }

  /** Prints to {@code out} when {@code terminal}, else nothing. */
  public static Progress onTerminal(PrintWriter out, boolean terminal) {
    return new Progress(out, terminal);
  }

  /** A progress that never prints. */
  public static Progress quiet() {
    return new Progress(null, false);
  }

  /**
   * Rewrites the line, at most four times a second.
   *
   * @param done the share of the load done so far, 0..1, or NaN when unknown
   */
  public void update(long sent, long errors, long elapsedNanos, double done) {
    if (!enabled || elapsedNanos - lastPrintNanos < EVERY_NANOS) {
      return;
    }
    lastPrintNanos = elapsedNanos;
    print(line(sent, errors, elapsedNanos, done));
  }

  /** Prints the final figures and ends the line, so that what follows starts on its own. */
  public void finish(long sent, long errors, long elapsedNanos) {
    if (enabled) {
      print(line(sent, errors, elapsedNanos, 1));
      out.println();
      out.flush();
    }
  }

  static String line(long sent, long errors, long elapsedNanos, double done) {
    double seconds = elapsedNanos / 1e9;
    double rate = seconds > 0 ? sent / seconds : 0;
    String eta = "?";
    if (done > 0 && done <= 1 && seconds > 0) {
      long left = Math.round(seconds / done - seconds);
      eta = String.format(Locale.ROOT, "%d:%02d", left / 60, left % 60);
    }
    return String.format(
        Locale.ROOT, "sent %,d  rate %,.0f/s  errors %,d  ETA %s", sent, rate, errors, eta);
  }

  private void print(String line) {
    // Pads over a longer previous line.
    String padded = line + " ".repeat(Math.max(0, lastWidth - line.length()));
    lastWidth = line.length();
    out.print("\r" + padded);
    out.flush();
  }
}
