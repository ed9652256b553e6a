package dev.tally.exporter.api;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The contract check rejects answers that break openapi.json, so the IT's use of it can fail. */
class OpenApiContractTest {
  private static byte[] bytes(String json) {
    return json.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void acceptsADocumentedAnswerAndRejectsBrokenOnes() throws Exception {
    OpenApiContract contract = OpenApiContract.shipped();
    assertThatCode(
            () ->
                contract.check(
                    "/api/v1/totals",
                    200,
                    bytes(
                        "{\"metric\":\"m\",\"type\":\"counter\",\"series\":[{\"labels\":{\"service\":\"a\"},\"value\":3}]}")))
        .doesNotThrowAnyException();
    // A label value that is no string.
    assertThatThrownBy(
            () ->
                contract.check(
                    "/api/v1/totals",
                    200,
                    bytes(
                        "{\"metric\":\"m\",\"type\":\"counter\",\"series\":[{\"labels\":{\"service\":1},\"value\":3}]}")))
        .isInstanceOf(AssertionError.class);
    // A 503 whose unavailable entries lack the partition.
    assertThatThrownBy(
            () ->
                contract.check(
                    "/api/v1/query",
                    503,
                    bytes("{\"error\":\"x\",\"unavailable\":[{\"reason\":\"moving\"}]}")))
        .isInstanceOf(AssertionError.class);
    // A status the document does not list.
    assertThatThrownBy(() -> contract.check("/api/v1/metrics", 404, bytes("{\"error\":\"x\"}")))
        .hasMessageContaining("documents no 404");
  }
}
