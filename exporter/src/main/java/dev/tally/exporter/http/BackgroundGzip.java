package dev.tally.exporter.http;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * A gzip stream that compresses on another thread: while the scrape thread writes the next chunk of
 * the scrape, the chunk before it is being compressed into the target stream. Writing a scrape and
 * gzipping it take the same order of time, so on two cores the scrape is done sooner. The CPU spent
 * is the same; only the wait is shorter.
 *
 * <p>Chunks go through a small bounded queue, so a slow target holds back the writer rather than
 * letting the text pile up in memory. A failure on either side ends both: the compressor's (say,
 * the target stream failed) is thrown by the writer's next write or {@link #close}, and a writer
 * that stops without closing ({@link #abandon}) leaves the gzip stream unfinished, so that it never
 * passes for a complete but short one.
 */
final class BackgroundGzip extends OutputStream {
  private static final int CHUNK = 64 * 1024;
  private static final int QUEUED_CHUNKS = 4;

  private record Chunk(byte[] bytes, int length) {}

  private static final Chunk END = new Chunk(new byte[0], 0);
  private static final Chunk ABANDON = new Chunk(new byte[0], 0);

  private final BlockingQueue<Chunk> queue = new ArrayBlockingQueue<>(QUEUED_CHUNKS);

  /** Buffers the compressor is done with, for the writer to fill again. */
  private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(QUEUED_CHUNKS + 2);

  private final Future<?> compressor;
  private byte[] buffer = new byte[CHUNK];
  private int length;
  private boolean closed;

  /**
   * Starts compressing into {@code body} on {@code executor}, which closes {@code body} at the end.
   */
  BackgroundGzip(OutputStream body, ExecutorService executor) throws IOException {
    // The fastest level: a scrape is compressed once per scrape interval, a tenth of its size.
    OutputStream gzip =
        new GZIPOutputStream(body, CHUNK) {
          {
            def.setLevel(Deflater.BEST_SPEED);
          }
        };
    this.compressor = executor.submit(() -> compress(gzip));
  }

  private Void compress(OutputStream gzip) throws IOException, InterruptedException {
    while (true) {
      Chunk chunk = queue.take();
      if (chunk == ABANDON) {
        return null; // the response stays unfinished
      }
      if (chunk == END) {
        gzip.close();
        return null;
      }
      gzip.write(chunk.bytes(), 0, chunk.length());
      free.offer(chunk.bytes());
    }
  }

  @Override
  public void write(int b) throws IOException {
    if (length == buffer.length) {
      handOff();
    }
    buffer[length++] = (byte) b;
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    while (len > 0) {
      if (length == buffer.length) {
        handOff();
      }
      int n = Math.min(len, buffer.length - length);
      System.arraycopy(b, off, buffer, length, n);
      length += n;
      off += n;
      len -= n;
    }
  }

  /** Everything written goes out and the gzip trailer after it; waits until it has. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    if (length > 0) {
      handOff();
    }
    put(END);
    awaitCompressor();
  }

  /**
   * Stops without finishing the body (the writer failed half-way), and waits a moment for the
   * compressor to let go of the body so that the caller can close the exchange.
   */
  void abandon() {
    if (closed) {
      return;
    }
    closed = true;
    queue.clear();
    queue.offer(ABANDON);
    try {
      compressor.get(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      compressor.cancel(true);
    } catch (ExecutionException | TimeoutException e) {
      compressor.cancel(true); // it failed already, or is stuck on a client that reads nothing
    }
  }

  private void handOff() throws IOException {
    put(new Chunk(buffer, length));
    byte[] next = free.poll();
    buffer = next != null ? next : new byte[CHUNK];
    length = 0;
  }

  /** Queues a chunk, giving up as soon as the compressor has stopped (with its failure). */
  private void put(Chunk chunk) throws IOException {
    try {
      while (!queue.offer(chunk, 10, TimeUnit.MILLISECONDS)) {
        if (compressor.isDone()) {
          awaitCompressor();
          throw new IOException("gzip stopped before the scrape was written");
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      compressor.cancel(true);
      throw new InterruptedIOException("interrupted while writing the scrape");
    }
  }

  private void awaitCompressor() throws IOException {
    try {
      compressor.get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw io;
      }
      throw new IOException("gzip failed: " + cause, cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      compressor.cancel(true);
      throw new InterruptedIOException("interrupted while finishing the scrape");
    }
  }
}
