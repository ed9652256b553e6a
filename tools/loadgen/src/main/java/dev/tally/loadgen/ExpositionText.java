package dev.tally.loadgen;

import java.util.HashMap;
import java.util.Map;

/**
 * Reads the samples of the Prometheus text format (0.0.4, the default {@code /metrics} answer):
 * {@code name{label="value",...} value [timestamp]}, comments skipped. Keys are canonical (labels
 * sorted by name, {@code le} last and written as {@link GroundTruth} writes it), so that a scrape
 * and a truth file compare however either orders its labels or spells {@code 1} as {@code 1.0}.
 */
public final class ExpositionText {
  private ExpositionText() {}

  /** Every sample of {@code text}, series → value; a repeated series keeps its last value. */
  public static Map<String, Double> parse(String text) {
    Map<String, Double> samples = new HashMap<>();
    int lineNo = 0;
    for (String line : text.split("\n")) {
      lineNo++;
      String l = line.strip();
      if (l.isEmpty() || l.startsWith("#")) {
        continue;
      }
      try {
        Reader reader = new Reader(l);
        GroundTruth.Key key = reader.key();
        samples.put(key.text(), reader.value());
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(
            "line " + lineNo + " is not a sample: " + l + " (" + e.getMessage() + ")", e);
      }
    }
    return samples;
  }

  /** A series key in canonical form: {@code a{z="1",b="2"}} becomes {@code a{b="2",z="1"}}. */
  public static String canonical(String series) {
    return key(series).text();
  }

  static GroundTruth.Key key(String series) {
    return new Reader(series).key();
  }

  private static final class Reader {
    private final String s;
    private int i;

    Reader(String s) {
      this.s = s;
    }

    GroundTruth.Key key() {
      int start = i;
      while (i < s.length() && s.charAt(i) != '{' && !Character.isWhitespace(s.charAt(i))) {
        i++;
      }
      String name = s.substring(start, i);
      if (name.isEmpty()) {
        throw new IllegalArgumentException("no metric name");
      }
      Map<String, String> labels = new HashMap<>();
      if (i < s.length() && s.charAt(i) == '{') {
        i++;
        skipSpaces();
        while (s.charAt(i) != '}') {
          int eq = s.indexOf('=', i);
          String label = s.substring(i, eq).strip();
          i = eq + 1;
          skipSpaces();
          expect('"');
          StringBuilder value = new StringBuilder();
          while (s.charAt(i) != '"') {
            char c = s.charAt(i++);
            if (c == '\\') {
              char next = s.charAt(i++);
              value.append(next == 'n' ? '\n' : next);
            } else {
              value.append(c);
            }
          }
          i++;
          labels.put(label, label.equals("le") ? le(value.toString()) : value.toString());
          skipSpaces();
          if (s.charAt(i) == ',') {
            i++;
            skipSpaces();
          }
        }
        i++;
      }
      return new GroundTruth.Key(name, labels);
    }

    double value() {
      skipSpaces();
      int start = i;
      while (i < s.length() && !Character.isWhitespace(s.charAt(i))) {
        i++;
      }
      return number(s.substring(start, i));
    }

    private void skipSpaces() {
      while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
        i++;
      }
    }

    private void expect(char c) {
      if (s.charAt(i) != c) {
        throw new IllegalArgumentException("expected " + c + " at " + i);
      }
      i++;
    }
  }

  private static String le(String value) {
    return GroundTruth.le(number(value));
  }

  private static double number(String text) {
    return switch (text) {
      case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      case "NaN" -> Double.NaN;
      default -> Double.parseDouble(text);
    };
  }
}
