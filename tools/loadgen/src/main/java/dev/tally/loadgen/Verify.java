package dev.tally.loadgen;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import javax.net.ssl.SSLContext;

/**
 * Holds what Tally shows against a ground truth: scrapes each {@code /metrics} URL, sums every
 * series over them (each Tally instance exposes the series it owns, and its own counters for the
 * records it read), and lists every series whose value differs.
 *
 * <pre>{@code
 * List<Verify.Mismatch> wrong =
 *     Verify.diff(TruthFile.readSeries(truth), Verify.scrape(List.of(URI.create(url))));
 * }</pre>
 *
 * <p>Counts must match exactly. A {@code _sum} may differ by one part in 10⁹: the truth is an exact
 * decimal, the exposition a 64-bit float. A series of a family the truth covers that the truth does
 * not list must be 0 or absent (nothing counted where nothing was sent).
 */
public final class Verify {
  /** Relative difference a histogram {@code _sum} may show. */
  static final double SUM_TOLERANCE = 1e-9;

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private Verify() {}

  /**
   * One series that differs.
   *
   * @param expected the truth's value, or null for a series the truth does not list
   * @param got the scraped value, or null when no scrape showed it
   */
  public record Mismatch(String series, BigDecimal expected, Double got) {
    @Override
    public String toString() {
      return series
          + "  expected "
          + (expected == null ? "absent" : expected.toPlainString())
          + ", got "
          + (got == null ? "absent" : format(got));
    }
  }

  /** Every series that differs, sorted by series. */
  public static List<Mismatch> diff(Map<String, BigDecimal> expected, Map<String, Double> scraped) {
    Map<String, Mismatch> wrong = new TreeMap<>();
    Set<String> families = new HashSet<>();
    expected.forEach(
        (series, value) -> {
          families.add(name(series));
          Double got = scraped.get(series);
          if (got == null || !matches(series, value, got)) {
            wrong.put(series, new Mismatch(series, value, got));
          }
        });
    scraped.forEach(
        (series, got) -> {
          if (!expected.containsKey(series) && families.contains(name(series)) && got != 0) {
            wrong.put(series, new Mismatch(series, null, got));
          }
        });
    return new ArrayList<>(wrong.values());
  }

  static boolean matches(String series, BigDecimal expected, double got) {
    double want = expected.doubleValue();
    if (name(series).endsWith("_sum")) {
      return Math.abs(got - want) <= Math.abs(want) * SUM_TOLERANCE;
    }
    return got == want;
  }

  /** Scrapes every URL and sums each series over them. */
  public static Map<String, Double> scrape(List<URI> urls)
      throws IOException, InterruptedException {
    return scrape(urls, null, null);
  }

  /**
   * Scrapes every URL and sums each series over them.
   *
   * @param ssl the TLS context for https URLs, or null for the JDK's default trust
   * @param authorization the Authorization header to send (e.g. {@code Basic ...}), or null
   * @throws IOException if a URL cannot be reached or answers other than 200
   */
  public static Map<String, Double> scrape(List<URI> urls, SSLContext ssl, String authorization)
      throws IOException, InterruptedException {
    HttpClient.Builder client = HttpClient.newBuilder().connectTimeout(TIMEOUT);
    if (ssl != null) {
      client.sslContext(ssl);
    }
    HttpClient http = client.build();
    Map<String, Double> sum = new HashMap<>();
    for (URI url : urls) {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(url)
              .timeout(TIMEOUT)
              // The classic text format: no _created lines, no native histograms.
              .header("Accept", "text/plain; version=0.0.4")
              .GET();
      if (authorization != null) {
        request.header("Authorization", authorization);
      }
      HttpResponse<String> response =
          http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IOException(url + " answered HTTP " + response.statusCode());
      }
      ExpositionText.parse(response.body()).forEach((k, v) -> sum.merge(k, v, Double::sum));
    }
    return sum;
  }

  private static String name(String series) {
    int brace = series.indexOf('{');
    return brace < 0 ? series : series.substring(0, brace);
  }

  private static String format(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
  }
}
