package dev.tally.streams;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.streams.config.InvalidConfigException;
import dev.tally.streams.config.TallyConfig;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TallyAppTest {
  @TempDir Path stateDir;

  /** A second Tally on a state directory in use fails naming state.dir, not with a stack trace. */
  @Test
  void shouldNameStateDirWhenAnotherTallyHoldsIt() {
    TallyConfig config =
        TallyConfig.fromMap(
            Map.of(
                TallyConfig.BOOTSTRAP_SERVERS, "localhost:1",
                TallyConfig.APPLICATION_ID, "tally-lock",
                TallyConfig.STATE_DIR, stateDir.toString()));
    try (TallyApp first = TallyApp.create(config)) {
      assertThatThrownBy(() -> TallyApp.create(config).close())
          .isInstanceOf(InvalidConfigException.class)
          .hasMessageStartingWith("state.dir: " + stateDir)
          .hasMessageContaining("another Tally process");
    }
  }
}
