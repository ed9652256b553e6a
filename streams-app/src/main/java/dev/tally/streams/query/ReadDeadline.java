package dev.tally.streams.query;

/**
 * The time budget of one read: checked as the stores are scanned and while a label value is matched
 * against a regex (a regex can take exponential time on a short value), so that a read past its
 * budget stops with {@link ReadTimeoutException} instead of holding a thread and a core.
 */
public final class ReadDeadline {
  /** No budget. */
  public static final ReadDeadline NONE = new ReadDeadline(Long.MAX_VALUE, false);

  private final long deadlineNanos;
  private final boolean bounded;
  private int calls;

  private ReadDeadline(long deadlineNanos, boolean bounded) {
    this.deadlineNanos = deadlineNanos;
    this.bounded = bounded;
  }

  /** A budget ending at {@code deadlineNanos} on the {@link System#nanoTime()} clock. */
  public static ReadDeadline at(long deadlineNanos) {
    return new ReadDeadline(deadlineNanos, true);
  }

  /**
   * Throws {@link ReadTimeoutException} once past the deadline; looks at the clock every 64th call.
   * Not thread-safe: one read, one thread.
   */
  public void check() {
    if (bounded && (++calls & 63) == 0 && System.nanoTime() - deadlineNanos > 0) {
      throw new ReadTimeoutException();
    }
  }

  /** {@code text} for a regex matcher, checking the deadline as the regex engine reads it. */
  CharSequence guard(CharSequence text) {
    if (!bounded) {
      return text;
    }
    return new CharSequence() {
      @Override
      public int length() {
        return text.length();
      }

      @Override
      public char charAt(int index) {
        check();
        return text.charAt(index);
      }

      @Override
      public CharSequence subSequence(int start, int end) {
        return guard(text.subSequence(start, end));
      }

      @Override
      public String toString() {
        return text.toString();
      }
    };
  }

  /** A read went past its budget. */
  public static final class ReadTimeoutException extends RuntimeException {
    ReadTimeoutException() {
      super("the read took longer than its time budget", null, false, false);
    }
  }
}
