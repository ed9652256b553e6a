package dev.tally.streams.topology;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * The dead-letter branch: each invalid record goes to the DLQ topic with its original key and
 * value, its original headers, and Tally's headers naming the reason and the record's source
 * (docs/events.md, "Rejected events").
 */
final class DeadLetters implements FixedKeyProcessor<byte[], Checked, byte[]> {
  static final String HEADER_REASON = "tally.reason";
  static final String HEADER_REASONS = "tally.reasons";
  static final String HEADER_MESSAGE = "tally.message";
  static final String HEADER_TOPIC = "tally.source.topic";
  static final String HEADER_PARTITION = "tally.source.partition";
  static final String HEADER_OFFSET = "tally.source.offset";
  private static final int MAX_MESSAGE_CHARS = 1000;

  private FixedKeyProcessorContext<byte[], byte[]> context;

  @Override
  public void init(FixedKeyProcessorContext<byte[], byte[]> context) {
    this.context = context;
  }

  @Override
  public void process(FixedKeyRecord<byte[], Checked> record) {
    Checked.Invalid invalid = (Checked.Invalid) record.value();
    Headers headers = new RecordHeaders(record.headers().toArray());
    headers.add(HEADER_REASON, utf8(invalid.reason()));
    headers.add(HEADER_REASONS, utf8(invalid.reasons()));
    String message = invalid.message();
    headers.add(
        HEADER_MESSAGE,
        utf8(
            message.length() > MAX_MESSAGE_CHARS
                ? message.substring(0, MAX_MESSAGE_CHARS)
                : message));
    context
        .recordMetadata()
        .ifPresent(
            md -> {
              headers.add(HEADER_TOPIC, utf8(md.topic()));
              headers.add(HEADER_PARTITION, utf8(Integer.toString(md.partition())));
              headers.add(HEADER_OFFSET, utf8(Long.toString(md.offset())));
            });
    context.forward(record.withValue(invalid.value()).withHeaders(headers));
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
