package dev.tally.schemas;

import dev.tally.schemas.validation.ReasonCode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The golden examples under {@code src/test/resources/events}: {@code valid/<type>--<what>.json}
 * and {@code invalid/<reason code>--<what>.json}.
 */
public final class Examples {

  /** The clock every example is checked against: the examples' timestamps are just before it. */
  public static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-11-23T12:00:00Z"), ZoneOffset.UTC);

  private Examples() {}

  /** File names of the valid examples, sorted. */
  public static List<String> valid() {
    return list("valid");
  }

  /** File names of the invalid examples, sorted. */
  public static List<String> invalid() {
    return list("invalid");
  }

  public static byte[] validBytes(String fileName) {
    return read("valid", fileName);
  }

  public static byte[] invalidBytes(String fileName) {
    return read("invalid", fileName);
  }

  /** The event type a valid example's file name starts with. */
  public static EventType typeOf(String validFileName) {
    String wireName = validFileName.substring(0, validFileName.indexOf("--"));
    return EventType.fromWireName(wireName)
        .orElseThrow(() -> new AssertionError("no event type " + wireName));
  }

  /** The reason code an invalid example's file name starts with. */
  public static ReasonCode expectedReason(String invalidFileName) {
    String code = invalidFileName.substring(0, invalidFileName.indexOf("--"));
    return ReasonCode.fromCode(code)
        .orElseThrow(() -> new AssertionError("no reason code " + code));
  }

  private static List<String> list(String kind) {
    try (Stream<Path> files = Files.list(directory(kind))) {
      return files
          .map(path -> path.getFileName().toString())
          .filter(name -> name.endsWith(".json"))
          .sorted()
          .collect(Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] read(String kind, String fileName) {
    try {
      return Files.readAllBytes(directory(kind).resolve(fileName));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path directory(String kind) {
    URL url = Examples.class.getResource("/events/" + kind);
    if (url == null) {
      throw new IllegalStateException("no examples at /events/" + kind);
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
