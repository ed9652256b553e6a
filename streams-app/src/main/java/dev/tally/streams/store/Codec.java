package dev.tally.streams.store;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.common.errors.SerializationException;

/**
 * The compact binary encoding of Tally's keys and aggregates: varints, zig-zag longs, IEEE doubles
 * and length-prefixed UTF-8. Small on the wire and in changelogs, and deterministic, which series
 * keys need so that one series always hashes to the same owner.
 */
public final class Codec {
  private Codec() {}

  /** Appends values to a growable buffer. */
  public static final class Writer {
    private byte[] buf;
    private int size;

    public Writer(int capacity) {
      buf = new byte[Math.max(16, capacity)];
    }

    public Writer writeByte(int b) {
      ensure(1);
      buf[size++] = (byte) b;
      return this;
    }

    public Writer writeVarLong(long v) {
      ensure(10);
      while ((v & ~0x7FL) != 0) {
        buf[size++] = (byte) ((v & 0x7F) | 0x80);
        v >>>= 7;
      }
      buf[size++] = (byte) v;
      return this;
    }

    public Writer writeZigZag(long v) {
      return writeVarLong((v << 1) ^ (v >> 63));
    }

    public Writer writeDouble(double d) {
      long bits = Double.doubleToLongBits(d);
      ensure(8);
      for (int i = 7; i >= 0; i--) {
        buf[size++] = (byte) (bits >>> (i * 8));
      }
      return this;
    }

    public Writer writeString(String s) {
      byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
      return writeBytes(utf8);
    }

    public Writer writeBytes(byte[] bytes) {
      writeVarLong(bytes.length);
      ensure(bytes.length);
      System.arraycopy(bytes, 0, buf, size, bytes.length);
      size += bytes.length;
      return this;
    }

    public byte[] toByteArray() {
      return Arrays.copyOf(buf, size);
    }

    private void ensure(int more) {
      if (size + more > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
      }
    }
  }

  /**
   * Reads what a {@link Writer} wrote; malformed input becomes a {@link SerializationException}.
   */
  public static final class Reader {
    private final byte[] buf;
    private int pos;

    public Reader(byte[] buf) {
      this.buf = buf;
    }

    public int readByte() {
      need(1);
      return buf[pos++] & 0xFF;
    }

    public long readVarLong() {
      long result = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        int b = readByte();
        result |= (long) (b & 0x7F) << shift;
        if ((b & 0x80) == 0) {
          return result;
        }
      }
      throw new SerializationException("malformed varint at byte " + pos);
    }

    public long readZigZag() {
      long v = readVarLong();
      return (v >>> 1) ^ -(v & 1);
    }

    public double readDouble() {
      need(8);
      long bits = 0;
      for (int i = 0; i < 8; i++) {
        bits = (bits << 8) | (buf[pos++] & 0xFF);
      }
      return Double.longBitsToDouble(bits);
    }

    public String readString() {
      return new String(readBytes(), StandardCharsets.UTF_8);
    }

    public byte[] readBytes() {
      long len = readVarLong();
      if (len < 0 || len > buf.length - pos) {
        throw new SerializationException("length " + len + " runs past the end of the record");
      }
      byte[] out = Arrays.copyOfRange(buf, pos, pos + (int) len);
      pos += (int) len;
      return out;
    }

    public boolean atEnd() {
      return pos == buf.length;
    }

    public void expectEnd() {
      if (!atEnd()) {
        throw new SerializationException((buf.length - pos) + " unexpected trailing bytes");
      }
    }

    private void need(int n) {
      if (pos + n > buf.length) {
        throw new SerializationException("record truncated at byte " + pos);
      }
    }
  }
}
