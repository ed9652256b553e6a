package dev.tally.streams.store;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.processor.internals.InternalProcessorContext;
import org.apache.kafka.streams.processor.internals.ProcessorRecordContext;

/**
 * Writes a store makes into its logged inner store from Kafka Streams' pre-commit hook ({@code
 * CachedStateStore.flushCache}). A changelogging store stamps each changelog record with the
 * current record context, which at commit time belongs to whatever record or punctuation ran last
 * (or to none): these writes get a context of their own, with the wall-clock time as timestamp.
 */
final class CommitWrites {
  private final InternalProcessorContext<?, ?> context;

  private CommitWrites(InternalProcessorContext<?, ?> context) {
    this.context = context;
  }

  /** For the context a store was initialised with; other contexts (tests' mocks) are left alone. */
  static CommitWrites of(StateStoreContext context) {
    return new CommitWrites(
        context instanceof InternalProcessorContext<?, ?> internal ? internal : null);
  }

  /** Runs {@code writes} under a record context of their own, then restores the previous one. */
  void run(Runnable writes) {
    if (context == null) {
      writes.run();
      return;
    }
    ProcessorRecordContext previous = context.recordContext();
    context.setRecordContext(
        new ProcessorRecordContext(Time.SYSTEM.milliseconds(), -1, -1, null, new RecordHeaders()));
    try {
      writes.run();
    } finally {
      context.setRecordContext(previous);
    }
  }
}
