package dev.tally.streams.topology;

import dev.tally.streams.catalog.LabelRule;
import java.util.regex.Pattern;

/**
 * Turns a raw request path into a route template: the query string is dropped and every segment
 * that is an id becomes {@code :id}. By default an id is a number, a UUID or a hex string of 16
 * digits or more ({@link #DEFAULT_IDS}); a catalog label may name its own pattern. {@code
 * /users/42/orders/9f1c...} and {@code /users/43/orders/77aa...} are one series, not thousands.
 *
 * <p>A route sent as a template already, one with a {@code {name}} or {@code :name} segment, is
 * kept as sent (query string dropped): {@code /rest/api/2/issue/{issueIdOrKey}} stays itself, and
 * the API version {@code 2} is not mistaken for an id.
 */
public final class RouteTemplate {
  /** The default id segments: a number, a UUID, or 16 or more hex digits. */
  public static final String DEFAULT_IDS = LabelRule.DEFAULT_PATH_IDS;

  private static final RouteTemplate DEFAULT = new RouteTemplate(Pattern.compile(DEFAULT_IDS));
  private static final Pattern TEMPLATE_SEGMENT =
      Pattern.compile("\\{[^/{}]+\\}|:[A-Za-z_][A-Za-z0-9_]*");

  private final Pattern idSegment;

  private RouteTemplate(Pattern idSegment) {
    this.idSegment = idSegment;
  }

  /** The rule with the default id segments. */
  public static RouteTemplate defaults() {
    return DEFAULT;
  }

  /**
   * A rule whose id segments fully match {@code idRegex}.
   *
   * @throws java.util.regex.PatternSyntaxException if it is not a regular expression
   */
  public static RouteTemplate ids(String idRegex) {
    return new RouteTemplate(Pattern.compile(idRegex));
  }

  /**
   *
   *
   * <pre>{@code RouteTemplate.apply("/api/users/42?x=1") // "/api/users/:id"}</pre>
   */
  public static String apply(String path) {
    return DEFAULT.template(path);
  }

  /** {@code path} as a template by this rule. */
  public String template(String path) {
    int query = indexOfAny(path, '?', '#');
    String p = query >= 0 ? path.substring(0, query) : path;
    String[] segments = p.split("/", -1);
    for (String segment : segments) {
      if (TEMPLATE_SEGMENT.matcher(segment).matches()) {
        return p;
      }
    }
    StringBuilder out = new StringBuilder(p.length());
    for (int i = 0; i < segments.length; i++) {
      if (i > 0) {
        out.append('/');
      }
      String s = segments[i];
      out.append(!s.isEmpty() && idSegment.matcher(s).matches() ? ":id" : s);
    }
    return out.toString();
  }

  private static int indexOfAny(String s, char a, char b) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == a || c == b) {
        return i;
      }
    }
    return -1;
  }
}
