package dev.tally.loadgen;

import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The ground truth of a load as a JSON file ({@code tally loadgen --truth FILE}); docs/loadgen.md
 * shows its shape. {@code series} holds the exact value of every series the load decides, in the
 * exporter's naming; {@code quantiles} the exact quantiles of each histogram's observations.
 *
 * <pre>{@code
 * TruthFile.write(truth, Map.of("seed", 42), Path.of("truth.json"));
 * Map<String, BigDecimal> expected = TruthFile.readSeries(Path.of("truth.json"));
 * }</pre>
 */
public final class TruthFile {
  /** The value of {@code format}: changes when the shape does. */
  public static final String FORMAT = "tally-loadgen-truth/1";

  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(SerializationFeature.INDENT_OUTPUT)
          // 1000, not 1E+3.
          .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
          .build();

  private TruthFile() {}

  /** The truth as a JSON document; {@code load} describes how it was generated (free-form). */
  public static String toJson(GroundTruth truth, Map<String, Object> load) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("format", FORMAT);
    doc.put("load", new TreeMap<>(load));
    Map<String, Object> records = new LinkedHashMap<>();
    records.put("sent", truth.events());
    records.put("valid", truth.valid());
    records.put("rejected", truth.rejected());
    records.put("resent", truth.resent());
    records.put("rejected_by_reason", new TreeMap<>(truth.rejectedByReason()));
    doc.put("records", records);
    doc.put("series", truth.series());
    Map<String, Map<String, Double>> quantiles = new TreeMap<>();
    truth
        .quantiles()
        .forEach(
            (series, byQ) -> {
              Map<String, Double> named = new LinkedHashMap<>();
              byQ.forEach((q, v) -> named.put(Double.toString(q), v));
              quantiles.put(series, named);
            });
    doc.put("quantiles", quantiles);
    try {
      return JSON.writeValueAsString(doc) + "\n";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static void write(GroundTruth truth, Map<String, Object> load, Path file)
      throws IOException {
    Files.writeString(file, toJson(truth, load));
  }

  /** The {@code series} of a truth file: series → exact expected value. */
  public static Map<String, BigDecimal> readSeries(Path file) throws IOException {
    return seriesOf(Files.readString(file));
  }

  static Map<String, BigDecimal> seriesOf(String json) throws IOException {
    JsonNode doc = JSON.readTree(json);
    if (!FORMAT.equals(doc.path("format").asText())) {
      throw new IOException("not a Tally loadgen truth file (format is not " + FORMAT + ")");
    }
    Map<String, BigDecimal> series = new TreeMap<>();
    Iterator<Map.Entry<String, JsonNode>> fields = doc.path("series").fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      if (!field.getValue().isNumber()) {
        throw new IOException("series " + field.getKey() + " is not a number");
      }
      series.put(ExpositionText.canonical(field.getKey()), field.getValue().decimalValue());
    }
    return series;
  }
}
