package dev.tally.streams.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/metrics.md is generated from the catalog; this test keeps the two from drifting. */
class CatalogDocsTest {
  private static final Path DOC = Path.of("..", "docs", "metrics.md");

  @Test
  void shouldMatchTheCommittedMetricsReference() throws IOException {
    String generated = CatalogDocs.markdown(MetricCatalog.builtin(10_000));
    if (Boolean.getBoolean("tally.docs.write")) {
      Files.createDirectories(DOC.getParent());
      Files.writeString(DOC, generated);
    }
    assertThat(DOC).exists();
    assertThat(Files.readString(DOC))
        .as("docs/metrics.md is stale; regenerate it (see the command at its top)")
        .isEqualTo(generated);
    for (MetricDefinition m : MetricCatalog.builtin(10_000).metrics()) {
      assertThat(generated).contains("`" + m.name() + "`");
    }
  }
}
