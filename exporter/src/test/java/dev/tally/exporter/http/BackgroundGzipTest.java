package dev.tally.exporter.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class BackgroundGzipTest {
  private final ExecutorService executor = Executors.newSingleThreadExecutor();

  @AfterEach
  void stop() {
    executor.shutdownNow();
  }

  @Test
  void shouldGzipEverythingWrittenInOrder() throws IOException {
    byte[] text = text(5_000_000);
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    Random random = new Random(1);

    try (BackgroundGzip gzip = new BackgroundGzip(body, executor)) {
      int i = 0;
      while (i < text.length) {
        if (random.nextInt(10) == 0) {
          gzip.write(text[i++]);
        } else {
          int n = Math.min(text.length - i, random.nextInt(200_000));
          gzip.write(text, i, n);
          i += n;
        }
      }
    }

    assertThat(gunzip(body.toByteArray())).isEqualTo(text);
  }

  @Test
  void shouldStopTheWriterWhenTheClientIsGone() throws IOException {
    OutputStream hungUp =
        new OutputStream() {
          private int written;

          @Override
          public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
          }

          @Override
          public void write(byte[] b, int off, int len) throws IOException {
            written += len;
            if (written > 10_000) {
              throw new IOException("Broken pipe");
            }
          }
        };
    byte[] text = text(20_000_000);

    BackgroundGzip gzip = new BackgroundGzip(hungUp, executor);
    long start = System.nanoTime();

    assertThatThrownBy(
            () -> {
              for (int i = 0; i < text.length; i += 8192) {
                gzip.write(text, i, Math.min(8192, text.length - i));
              }
              gzip.close();
            })
        .isInstanceOf(IOException.class)
        .hasMessageContaining("Broken pipe");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void shouldLeaveTheBodyUnfinishedWhenAbandoned() throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    BackgroundGzip gzip = new BackgroundGzip(body, executor);
    gzip.write(text(300_000));

    gzip.abandon();

    // A client sees a broken body, never a well-formed short one.
    assertThatThrownBy(() -> gunzip(body.toByteArray())).isInstanceOf(EOFException.class);
  }

  /** Exposition-like text: repetitive, as gzip sees it in a scrape. */
  private static byte[] text(int size) {
    StringBuilder sb = new StringBuilder(size + 100);
    Random random = new Random(7);
    for (int i = 0; sb.length() < size; i++) {
      sb.append("ack_latency_seconds_bucket{service=\"svc-")
          .append(i % 97)
          .append("\",le=\"0.25\"} ")
          .append(random.nextInt(1_000_000))
          .append('\n');
    }
    sb.setLength(size);
    return sb.toString().getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] gunzip(byte[] gzipped) throws IOException {
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipped))) {
      return in.readAllBytes();
    }
  }
}
