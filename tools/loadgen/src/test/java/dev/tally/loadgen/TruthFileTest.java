package dev.tally.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TruthFileTest {
  @TempDir Path dir;

  private static GroundTruth truth() {
    EventLoad load =
        EventLoad.builder().seed(5).startMs(1_795_435_170_000L).badFraction(0.05).build();
    GroundTruth truth = new GroundTruth();
    for (int i = 0; i < 2_000; i++) {
      truth.add(load.next());
    }
    return truth;
  }

  @Test
  void shouldReadBackEverySeriesExactly() throws IOException {
    GroundTruth truth = truth();
    Path file = dir.resolve("truth.json");

    TruthFile.write(truth, Map.of("seed", 5), file);

    Map<String, BigDecimal> read = TruthFile.readSeries(file);
    assertThat(read).hasSize(truth.series().size());
    truth.series().forEach((k, v) -> assertThat(read.get(k)).as(k).isEqualByComparingTo(v));
  }

  @Test
  void shouldWriteTheShapeDocsLoadgenMdShows() throws IOException {
    String json = TruthFile.toJson(truth(), Map.of("seed", 5));

    assertThat(json)
        .contains("\"format\" : \"tally-loadgen-truth/1\"")
        .contains("\"load\" : {")
        .contains("\"records\" : {")
        .contains("\"rejected_by_reason\" : {")
        .contains("\"series\" : {")
        .contains("\"quantiles\" : {")
        .contains("\"delivery_latency_seconds_bucket{service=\\\"im-gateway\\\",le=\\\"+Inf\\\"}\"")
        .contains("\"0.99\" : ");
  }

  @Test
  void shouldRefuseAFileOfAnotherFormat() throws IOException {
    Path file = Files.writeString(dir.resolve("other.json"), "{\"series\": {}}");

    assertThatThrownBy(() -> TruthFile.readSeries(file))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("not a Tally loadgen truth file");
  }
}
