package dev.tally.exporter.exposition;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Picks the {@link ScrapeFormat} an {@code Accept} header prefers, as RFC 9110 §12.5.1 defines it:
 * each format gets the weight ({@code q}) of the most specific media range that matches it; {@code
 * q=0} means "not acceptable"; the highest weight wins, and a tie goes to the format whose range
 * comes first in the header (then to Prometheus text, OpenMetrics, protobuf, in that order).
 *
 * <p>A range with parameters matches a format only if the format has each of them (the {@code
 * escaping} parameter aside: it is about names, not the format). Protobuf is only ever chosen
 * through {@code application/vnd.google.protobuf} naming {@code
 * proto=io.prometheus.client.MetricFamily} and {@code encoding=delimited}: a wildcard never turns a
 * scrape into binary.
 *
 * <pre>{@code
 * AcceptNegotiation.negotiate("text/plain;q=1, application/openmetrics-text;q=0.5");
 * // Optional[PROMETHEUS_TEXT]
 * }</pre>
 */
public final class AcceptNegotiation {
  private AcceptNegotiation() {}

  /** A format as offered: its media type, parameters, and the parameters a range must name. */
  private record Offer(
      ScrapeFormat format, String type, Map<String, String> params, List<String> required) {}

  /** In the order ties between ranges of equal place fall to. */
  private static final List<Offer> OFFERS =
      List.of(
          new Offer(
              ScrapeFormat.PROMETHEUS_TEXT,
              "text/plain",
              Map.of("version", "0.0.4", "charset", "utf-8"),
              List.of()),
          new Offer(
              ScrapeFormat.OPENMETRICS,
              "application/openmetrics-text",
              Map.of("version", "1.0.0", "charset", "utf-8"),
              List.of()),
          new Offer(
              ScrapeFormat.PROTOBUF,
              "application/vnd.google.protobuf",
              Map.of("proto", "io.prometheus.client.MetricFamily", "encoding", "delimited"),
              List.of("proto", "encoding")));

  /** One media range of the header, in header order. */
  private record Range(
      int position, String type, String subtype, Map<String, String> params, double q) {
    /** How specific the range is when it matches: type, subtype, then each parameter. */
    int specificity() {
      return (type.equals("*") ? 0 : 1) + (subtype.equals("*") ? 0 : 1) + params.size();
    }

    boolean matches(Offer offer) {
      String[] offered = offer.type().split("/");
      if (!type.equals("*") && !type.equals(offered[0])) {
        return false;
      }
      if (!subtype.equals("*") && !subtype.equals(offered[1])) {
        return false;
      }
      if (!offer.required().isEmpty() && (type.equals("*") || subtype.equals("*"))) {
        return false;
      }
      for (String name : offer.required()) {
        if (!params.containsKey(name)) {
          return false;
        }
      }
      for (Map.Entry<String, String> p : params.entrySet()) {
        if (!p.getValue().equalsIgnoreCase(offer.params().get(p.getKey()))) {
          return false;
        }
      }
      return true;
    }
  }

  /**
   * The format to answer with; empty when the header makes none acceptable (a 406). A missing or
   * blank header accepts anything: Prometheus text.
   */
  public static Optional<ScrapeFormat> negotiate(String accept) {
    if (accept == null || accept.isBlank()) {
      return Optional.of(ScrapeFormat.PROMETHEUS_TEXT);
    }
    List<Range> ranges = parse(accept);
    Offer best = null;
    Range bestRange = null;
    for (Offer offer : OFFERS) {
      Range range = mostSpecific(ranges, offer);
      if (range == null || range.q() <= 0) {
        continue;
      }
      if (best == null
          || range.q() > bestRange.q()
          || (range.q() == bestRange.q() && range.position() < bestRange.position())) {
        best = offer;
        bestRange = range;
      }
    }
    return best == null ? Optional.empty() : Optional.of(best.format());
  }

  /** The matching range of the highest specificity; the first such one in the header. */
  private static Range mostSpecific(List<Range> ranges, Offer offer) {
    Range found = null;
    for (Range range : ranges) {
      if (range.matches(offer) && (found == null || range.specificity() > found.specificity())) {
        found = range;
      }
    }
    return found;
  }

  /** The header's ranges; an element that is no media range (no slash) is ignored. */
  private static List<Range> parse(String accept) {
    List<Range> ranges = new ArrayList<>();
    for (String element : splitOutsideQuotes(accept, ',')) {
      List<String> parts = splitOutsideQuotes(element, ';');
      String mediaRange = parts.get(0).trim().toLowerCase(Locale.ROOT);
      int slash = mediaRange.indexOf('/');
      if (slash <= 0 || slash == mediaRange.length() - 1) {
        continue;
      }
      String type = mediaRange.substring(0, slash).trim();
      String subtype = mediaRange.substring(slash + 1).trim();
      if (type.equals("*") && !subtype.equals("*")) {
        continue; // "*/plain" is no media range
      }
      Map<String, String> params = new LinkedHashMap<>();
      double q = 1;
      for (String param : parts.subList(1, parts.size())) {
        int eq = param.indexOf('=');
        if (eq < 0) {
          continue;
        }
        String name = param.substring(0, eq).trim().toLowerCase(Locale.ROOT);
        String value = unquote(param.substring(eq + 1).trim());
        if (name.equals("q")) {
          q = weight(value);
          break; // what follows the weight are extensions, not media type parameters
        } else if (!name.equals("escaping")) {
          params.put(name, value);
        }
      }
      ranges.add(new Range(ranges.size(), type, subtype, params, q));
    }
    return ranges;
  }

  /** RFC 9110's qvalue: 0 to 1 with at most three decimals; anything else counts as 0. */
  private static double weight(String value) {
    if (!value.matches("0(\\.[0-9]{0,3})?|1(\\.0{0,3})?")) {
      return 0;
    }
    return Double.parseDouble(value);
  }

  private static String unquote(String value) {
    if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
      return value.substring(1, value.length() - 1).replaceAll("\\\\(.)", "$1");
    }
    return value;
  }

  private static List<String> splitOutsideQuotes(String text, char separator) {
    List<String> parts = new ArrayList<>();
    StringBuilder part = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (quoted && c == '\\' && i + 1 < text.length()) {
        part.append(c).append(text.charAt(++i));
        continue;
      }
      if (c == '"') {
        quoted = !quoted;
      }
      if (c == separator && !quoted) {
        parts.add(part.toString());
        part.setLength(0);
      } else {
        part.append(c);
      }
    }
    parts.add(part.toString());
    return parts;
  }
}
