package dev.tally.streams.topology;

import java.util.regex.Pattern;

/**
 * Turns a raw request path into a route template: numeric, UUID and long hex segments become {@code
 * :id}, and the query string is dropped. {@code /users/42/orders/9f1c...} and {@code
 * /users/43/orders/77aa...} are one series, not thousands.
 */
public final class RouteTemplate {
  private static final Pattern ID_SEGMENT =
      Pattern.compile(
          "\\d+|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
              + "|[0-9a-fA-F]{16,}");

  private RouteTemplate() {}

  /**
   *
   *
   * <pre>{@code RouteTemplate.apply("/api/users/42?x=1") // "/api/users/:id"}</pre>
   */
  public static String apply(String path) {
    int query = indexOfAny(path, '?', '#');
    String p = query >= 0 ? path.substring(0, query) : path;
    String[] segments = p.split("/", -1);
    StringBuilder out = new StringBuilder(p.length());
    for (int i = 0; i < segments.length; i++) {
      if (i > 0) {
        out.append('/');
      }
      String s = segments[i];
      out.append(!s.isEmpty() && ID_SEGMENT.matcher(s).matches() ? ":id" : s);
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
