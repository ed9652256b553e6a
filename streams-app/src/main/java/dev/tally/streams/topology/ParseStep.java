package dev.tally.streams.topology;

import dev.tally.schemas.validation.EventParser;
import dev.tally.schemas.validation.ParseResult;
import dev.tally.schemas.validation.Violation;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * Step one: parse and validate each input record against the event contract ({@link EventParser}).
 * Stateless; the record's key, timestamp and headers pass on unchanged.
 */
final class ParseStep implements FixedKeyProcessor<byte[], byte[], Checked> {
  private final EventParser parser;
  private FixedKeyProcessorContext<byte[], Checked> context;

  ParseStep(EventParser parser) {
    this.parser = parser;
  }

  @Override
  public void init(FixedKeyProcessorContext<byte[], Checked> context) {
    this.context = context;
  }

  @Override
  public void process(FixedKeyRecord<byte[], byte[]> record) {
    ParseResult result = parser.parse(record.value());
    if (result instanceof ParseResult.Parsed parsed) {
      context.forward(record.withValue(new Checked.Valid(record.value(), parsed.event())));
      return;
    }
    ParseResult.Rejected rejected = (ParseResult.Rejected) result;
    List<Violation> violations = rejected.violations();
    context.forward(
        record.withValue(
            new Checked.Invalid(
                record.value(),
                rejected.primaryReason().code(),
                violations.stream()
                    .map(v -> v.code().code())
                    .distinct()
                    .collect(Collectors.joining(",")),
                violations.stream()
                    .map(v -> (v.path().isEmpty() ? "" : v.path() + ": ") + v.message())
                    .collect(Collectors.joining("; ")))));
  }
}
