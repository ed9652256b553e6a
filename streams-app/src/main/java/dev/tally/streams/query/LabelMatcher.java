package dev.tally.streams.query;

import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A PromQL label matcher: {@code label=value}, {@code label!=value}, {@code label=~regex}, {@code
 * label!~regex}. Regexes match the whole value (anchored, as in PromQL); a series without the label
 * has the empty value for it, as in PromQL.
 *
 * <pre>{@code
 * LabelMatcher m = LabelMatcher.parse("route=~/api/v1/.*");
 * m.matches(Map.of("route", "/api/v1/users")); // true
 * }</pre>
 */
public final class LabelMatcher {
  /** The four PromQL matching operators. */
  public enum Op {
    EQ("="),
    NE("!="),
    RE("=~"),
    NRE("!~");

    private final String symbol;

    Op(String symbol) {
      this.symbol = symbol;
    }

    public String symbol() {
      return symbol;
    }
  }

  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

  private final String label;
  private final Op op;
  private final String value;
  private final Pattern regex;

  private LabelMatcher(String label, Op op, String value, Pattern regex) {
    this.label = label;
    this.op = op;
    this.value = value;
    this.regex = regex;
  }

  /**
   * Parses {@code label<op>value}; the label is the text before the first operator.
   *
   * @throws IllegalArgumentException with a message for people when the text is no matcher, the
   *     label name is not a Prometheus label name, or the regex does not compile
   */
  public static LabelMatcher parse(String text) {
    int at = -1;
    Op op = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '=') {
        at = i;
        op = i + 1 < text.length() && text.charAt(i + 1) == '~' ? Op.RE : Op.EQ;
        break;
      }
      if (c == '!' && i + 1 < text.length()) {
        char next = text.charAt(i + 1);
        if (next == '=' || next == '~') {
          at = i;
          op = next == '=' ? Op.NE : Op.NRE;
          break;
        }
      }
    }
    if (op == null) {
      throw new IllegalArgumentException(
          "'"
              + text
              + "' is not a matcher: use label=value, label!=value, label=~regex or"
              + " label!~regex");
    }
    String label = text.substring(0, at);
    if (!LABEL_NAME.matcher(label).matches()) {
      throw new IllegalArgumentException(
          "'" + label + "' in '" + text + "' is not a label name ([a-zA-Z_][a-zA-Z0-9_]*)");
    }
    String value = text.substring(at + op.symbol().length());
    return of(label, op, value);
  }

  /**
   * @throws IllegalArgumentException when {@code op} is a regex operator and {@code value} does not
   *     compile
   */
  public static LabelMatcher of(String label, Op op, String value) {
    Pattern regex = null;
    if (op == Op.RE || op == Op.NRE) {
      try {
        regex = Pattern.compile(value);
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException(
            "bad regex '" + value + "' for label " + label + ": " + e.getDescription());
      }
    }
    return new LabelMatcher(label, op, value, regex);
  }

  public String label() {
    return label;
  }

  public Op op() {
    return op;
  }

  public String value() {
    return value;
  }

  /** Whether a series with {@code labels} passes; a missing label is the empty value. */
  public boolean matches(Map<String, String> labels) {
    return matches(labels, ReadDeadline.NONE);
  }

  /**
   * As {@link #matches(Map)}, stopping a regex that runs past {@code deadline}.
   *
   * @throws ReadDeadline.ReadTimeoutException past the deadline
   */
  public boolean matches(Map<String, String> labels, ReadDeadline deadline) {
    String actual = Objects.requireNonNullElse(labels.get(label), "");
    return switch (op) {
      case EQ -> actual.equals(value);
      case NE -> !actual.equals(value);
      case RE -> regex.matcher(deadline.guard(actual)).matches();
      case NRE -> !regex.matcher(deadline.guard(actual)).matches();
    };
  }

  @Override
  public String toString() {
    return label + op.symbol() + value;
  }
}
