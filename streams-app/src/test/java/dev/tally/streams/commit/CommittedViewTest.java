package dev.tally.streams.commit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.apache.kafka.streams.processor.TaskId;
import org.junit.jupiter.api.Test;

class CommittedViewTest {
  private static final TaskId TASK = new TaskId(1, 0);

  @Test
  void shouldShowTheCommittedValueUntilTheWritingThreadCommits() {
    CommittedView view = CommittedView.exactlyOnce();
    Overlay<String, Long> overlay = view.open("cumulative", TASK, UnaryOperator.identity());
    overlay.remember("a", 10L); // store held 10 at the last commit
    overlay.remember("a", 11L); // a second write in the same transaction changes nothing
    overlay.remember("b", null); // a key created in this transaction

    assertThat(view.read("cumulative", "a", 12L)).isEqualTo(10L);
    assertThat(view.read("cumulative", "b", 1L)).isNull();
    assertThat(view.read("cumulative", "c", 7L)).isEqualTo(7L);
    assertThat(view.read("gauges", "a", 12L)).isEqualTo(12L);

    view.committed(Thread.currentThread());
    assertThat(view.read("cumulative", "a", 12L)).isEqualTo(12L);
    assertThat(view.read("cumulative", "b", 1L)).isEqualTo(1L);
  }

  @Test
  void shouldIgnoreACommitOfAnotherStreamThread() throws Exception {
    CommittedView view = CommittedView.exactlyOnce();
    Overlay<String, Long> overlay = view.open("cumulative", TASK, UnaryOperator.identity());
    overlay.remember("a", 10L);
    Thread other = new Thread(() -> view.committed(Thread.currentThread()));
    other.start();
    other.join();
    assertThat(view.read("cumulative", "a", 12L)).isEqualTo(10L);
  }

  @Test
  void shouldRememberACopyNotTheObjectTheOwnerGoesOnChanging() {
    CommittedView view = CommittedView.exactlyOnce();
    Overlay<String, AtomicReference<String>> overlay =
        view.open("cumulative", TASK, r -> new AtomicReference<>(r.get()));
    AtomicReference<String> value = new AtomicReference<>("committed");
    overlay.remember("a", value);
    value.set("changed in place");
    assertThat(view.read("cumulative", "a", value).get()).isEqualTo("committed");
  }

  @Test
  void shouldKeepMaskingAfterACloseWithoutCommitUntilTheTaskIsOpenedAgain() {
    CommittedView view = CommittedView.exactlyOnce();
    Overlay<String, Long> overlay = view.open("cumulative", TASK, UnaryOperator.identity());
    overlay.remember("a", 10L);
    view.close("cumulative", TASK);
    assertThat(view.read("cumulative", "a", 12L)).isEqualTo(10L);
    // The thread's next commit is of other tasks: this one's transaction aborted.
    view.committed(Thread.currentThread());
    assertThat(view.read("cumulative", "a", 12L)).isEqualTo(10L);
    view.open("cumulative", TASK, UnaryOperator.<Long>identity());
    assertThat(view.read("cumulative", "a", 10L)).isEqualTo(10L);
  }

  @Test
  void shouldMaskNothingWithoutTransactions() {
    CommittedView view = CommittedView.disabled();
    Overlay<String, Long> overlay = view.open("cumulative", TASK, UnaryOperator.identity());
    overlay.remember("a", 10L);
    assertThat(view.read("cumulative", "a", 12L)).isEqualTo(12L);
  }
}
