package dev.tally.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_36_2.Metrics.Metric;
import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_36_2.Metrics.MetricFamily;
import io.prometheus.metrics.shaded.com_google_protobuf_4_36_2.CodedInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/** Puts two expositions of the same scrape in one order, so that they compare exactly. */
public final class ExpositionText {
  private ExpositionText() {}

  private static final Pattern LE = Pattern.compile(",?le=\"[^\"]*\"");

  /**
   * The text with its families sorted by their metadata lines and, within each family, its series
   * (a run of lines with the same labels, {@code le} aside) sorted by labels. Every line is kept as
   * it is.
   */
  public static String inOneOrder(String text) {
    List<List<String>> families = new ArrayList<>();
    List<List<String>> series = null;
    List<String> header = null;
    String lastKey = null;
    List<List<List<String>>> seriesOfFamilies = new ArrayList<>();
    for (String line : text.split("\n", -1)) {
      if (line.isEmpty() || line.equals("# EOF")) {
        continue;
      }
      if (line.startsWith("#")) {
        if (header == null || !series.isEmpty()) {
          header = new ArrayList<>();
          series = new ArrayList<>();
          families.add(header);
          seriesOfFamilies.add(series);
          lastKey = null;
        }
        header.add(line);
        continue;
      }
      String key = LE.matcher(labelsOf(line)).replaceFirst("");
      if (!key.equals(lastKey)) {
        series.add(new ArrayList<>());
        lastKey = key;
      }
      series.get(series.size() - 1).add(line);
    }
    List<String> blocks = new ArrayList<>();
    for (int f = 0; f < families.size(); f++) {
      List<String> seriesTexts = new ArrayList<>();
      seriesOfFamilies.get(f).forEach(s -> seriesTexts.add(String.join("\n", s)));
      seriesTexts.sort(Comparator.naturalOrder());
      blocks.add(String.join("\n", families.get(f)) + "\n" + String.join("\n", seriesTexts));
    }
    blocks.sort(Comparator.naturalOrder());
    return String.join("\n", blocks) + "\n";
  }

  /** The {@code {...}} part of a sample line (quoted values may hold braces), or "". */
  private static String labelsOf(String line) {
    int open = line.indexOf('{');
    int space = line.indexOf(' ');
    if (open < 0 || (space >= 0 && space < open)) {
      return "";
    }
    boolean quoted = false;
    for (int i = open + 1; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '\\') {
        i++;
      } else if (c == '"') {
        quoted = !quoted;
      } else if (c == '}' && !quoted) {
        return line.substring(open, i + 1);
      }
    }
    throw new AssertionError("unterminated labels: " + line);
  }

  /**
   * The delimited families, each with its metrics in label order; every message is also checked to
   * be encoded as protobuf itself would encode it.
   */
  public static Map<String, MetricFamily> protobufFamilies(byte[] stream) throws IOException {
    Map<String, MetricFamily> families = new TreeMap<>();
    CodedInputStream in = CodedInputStream.newInstance(stream);
    while (!in.isAtEnd()) {
      byte[] message = in.readByteArray();
      MetricFamily family = MetricFamily.parseFrom(message);
      assertThat(family.toByteArray()).as(family.getName()).isEqualTo(message);
      List<Metric> metrics = new ArrayList<>(family.getMetricList());
      metrics.sort(Comparator.comparing(m -> m.getLabelList().toString()));
      families.put(
          family.getName(), family.toBuilder().clearMetric().addAllMetric(metrics).build());
    }
    return families;
  }
}
