package io.labwatch.producers.arp;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.List;

/** Writes capture files in the variants real tools produce, for reader tests. */
final class CaptureFiles {

  private CaptureFiles() {}

  private static long nanos(Instant t) {
    return t.getEpochSecond() * 1_000_000_000L
        + t.getNano()
        + 7; // +7 ns: only nanosecond files keep it
  }

  /** Classic pcap, big-endian, nanosecond timestamps (magic a1b23c4d). */
  static byte[] classicBigEndianNanos(List<PcapFixtures.Frame> frames) {
    ByteBuffer b =
        ByteBuffer.allocate(24 + frames.stream().mapToInt(f -> 16 + f.bytes().length).sum())
            .order(ByteOrder.BIG_ENDIAN);
    b.putInt(0xa1b23c4d)
        .putShort((short) 2)
        .putShort((short) 4)
        .putInt(0)
        .putInt(0)
        .putInt(65535)
        .putInt(1);
    for (PcapFixtures.Frame f : frames) {
      long ns = nanos(f.timestamp());
      b.putInt((int) (ns / 1_000_000_000L))
          .putInt((int) (ns % 1_000_000_000L))
          .putInt(f.bytes().length)
          .putInt(f.bytes().length)
          .put(f.bytes());
    }
    return b.array();
  }

  /**
   * pcapng, little-endian, one interface with if_tsresol = 9 (nanoseconds), enhanced packet blocks.
   */
  static byte[] pcapngNanos(List<PcapFixtures.Frame> frames) {
    ByteBuffer b =
        ByteBuffer.allocate(60 + frames.stream().mapToInt(f -> 35 + f.bytes().length).sum())
            .order(ByteOrder.LITTLE_ENDIAN);
    // section header block
    b.putInt(0x0A0D0D0A)
        .putInt(28)
        .putInt(0x1A2B3C4D)
        .putShort((short) 1)
        .putShort((short) 0)
        .putLong(-1)
        .putInt(28);
    // interface description block: Ethernet, snaplen 256, option if_tsresol=9, end of options
    b.putInt(1).putInt(32).putShort((short) 1).putShort((short) 0).putInt(256);
    b.putShort((short) 9).putShort((short) 1).put((byte) 9).put(new byte[3]);
    b.putShort((short) 0).putShort((short) 0).putInt(32);
    for (PcapFixtures.Frame f : frames) {
      int padded = (f.bytes().length + 3) & ~3;
      int length = 32 + padded;
      long ns = nanos(f.timestamp());
      b.putInt(6)
          .putInt(length)
          .putInt(0)
          .putInt((int) (ns >>> 32))
          .putInt((int) ns)
          .putInt(f.bytes().length)
          .putInt(f.bytes().length);
      b.put(f.bytes()).put(new byte[padded - f.bytes().length]).putInt(length);
    }
    byte[] out = new byte[b.position()];
    b.flip().get(out);
    return out;
  }
}
