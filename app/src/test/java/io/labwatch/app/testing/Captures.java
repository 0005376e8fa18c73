package io.labwatch.app.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Committed captures re-dated for tests that publish them: the topics keep records by their capture
 * time, so a fixture from last month would be refused (or deleted) as too old.
 */
public final class Captures {

  private Captures() {}

  /**
   * {@code fixture} (a classic little-endian microsecond pcap) {@code copies} times over, its
   * packets 1 ms apart from {@code firstAt} on, in the fixture's order.
   */
  public static Path redated(Path fixture, Path out, int copies, Instant firstAt)
      throws IOException {
    ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(fixture)).order(ByteOrder.LITTLE_ENDIAN);
    if (in.getInt(0) != 0xa1b2c3d4) {
      throw new IllegalArgumentException(fixture + " is not a little-endian microsecond pcap");
    }
    int records = in.capacity() - 24;
    ByteBuffer b = ByteBuffer.allocate(24 + records * copies).order(ByteOrder.LITTLE_ENDIAN);
    b.put(in.array(), 0, 24);
    long micros = firstAt.getEpochSecond() * 1_000_000L + firstAt.getNano() / 1_000;
    for (int c = 0; c < copies; c++) {
      int at = 24;
      while (at < in.capacity()) {
        int captured = in.getInt(at + 8);
        b.putInt((int) (micros / 1_000_000L))
            .putInt((int) (micros % 1_000_000L))
            .putInt(captured)
            .putInt(in.getInt(at + 12))
            .put(in.array(), at + 16, captured);
        micros += 1_000;
        at += 16 + captured;
      }
    }
    return Files.write(out, b.array());
  }
}
