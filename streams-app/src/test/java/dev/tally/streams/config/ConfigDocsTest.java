package dev.tally.streams.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/configuration.md is generated from TallyConfig; this test keeps them in step. */
class ConfigDocsTest {
  private static final Path DOC = Path.of("..", "docs", "configuration.md");

  @Test
  void shouldMatchTheCommittedConfigurationReference() throws IOException {
    String generated = ConfigDocs.markdown();
    if (Boolean.getBoolean("tally.docs.write")) {
      Files.createDirectories(DOC.getParent());
      Files.writeString(DOC, generated);
    }
    assertThat(Files.readString(DOC))
        .as("docs/configuration.md is stale; regenerate it (see the command at its top)")
        .isEqualTo(generated);
    for (TallyConfig.Setting s : TallyConfig.settings()) {
      assertThat(generated).contains("`" + s.key() + "`");
    }
  }
}
