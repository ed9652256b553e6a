package dev.tally.streams.topology;

import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * Step two: map each valid event to its series updates through the catalog ({@link EventMapper}).
 * Stateless. Invalid records pass through; a valid event a catalog rule fails on becomes invalid
 * with reason {@value #INTERNAL_ERROR}, so it reaches the dead-letter topic like any record Tally
 * cannot count instead of stopping the stream thread.
 */
final class MapStep implements FixedKeyProcessor<byte[], Checked, Checked> {
  static final String INTERNAL_ERROR = "internal_error";

  private final EventMapper mapper;
  private FixedKeyProcessorContext<byte[], Checked> context;

  MapStep(EventMapper mapper) {
    this.mapper = mapper;
  }

  @Override
  public void init(FixedKeyProcessorContext<byte[], Checked> context) {
    this.context = context;
  }

  @Override
  public void process(FixedKeyRecord<byte[], Checked> record) {
    if (!(record.value() instanceof Checked.Valid valid)) {
      context.forward(record);
      return;
    }
    Checked mapped;
    try {
      mapped = new Checked.Mapped(valid.event().envelope(), mapper.map(valid.event()));
    } catch (RuntimeException e) {
      mapped =
          new Checked.Invalid(
              valid.value(),
              INTERNAL_ERROR,
              INTERNAL_ERROR,
              e.getClass().getSimpleName() + ": " + e.getMessage());
    }
    context.forward(record.withValue(mapped));
  }
}
