package io.labwatch.producers.arp;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads the committed capture fixtures (classic little-endian pcap, microsecond timestamps) without
 * libpcap, so parser tests run anywhere. See {@code src/test/resources/pcap/make-fixtures}.
 */
final class PcapFixtures {

  /** One captured frame. */
  record Frame(Instant timestamp, byte[] bytes) {
    Frame truncated(int length) {
      return new Frame(timestamp, Arrays.copyOf(bytes, length));
    }

    Frame with(int offset, int... values) {
      byte[] copy = bytes.clone();
      for (int i = 0; i < values.length; i++) {
        copy[offset + i] = (byte) values[i];
      }
      return new Frame(timestamp, copy);
    }
  }

  private PcapFixtures() {}

  static List<Frame> read(String name) {
    try (InputStream in = PcapFixtures.class.getResourceAsStream("/pcap/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture /pcap/" + name);
      }
      ByteBuffer b = ByteBuffer.wrap(in.readAllBytes()).order(ByteOrder.LITTLE_ENDIAN);
      if (b.getInt(0) != 0xa1b2c3d4) {
        throw new IllegalArgumentException(name + " is not a little-endian microsecond pcap");
      }
      b.position(24);
      List<Frame> frames = new ArrayList<>();
      while (b.remaining() >= 16) {
        long sec = b.getInt() & 0xFFFFFFFFL;
        long usec = b.getInt() & 0xFFFFFFFFL;
        int captured = b.getInt();
        b.getInt(); // original length
        byte[] data = new byte[captured];
        b.get(data);
        frames.add(new Frame(Instant.ofEpochSecond(sec, usec * 1000), data));
      }
      return frames;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<Frame> all() {
    List<Frame> all = new ArrayList<>();
    for (String name :
        List.of(
            "arp-request-reply.pcap",
            "arp-probe.pcap",
            "arp-announcement.pcap",
            "arp-vlan.pcap",
            "arp-mismatch.pcap",
            "nd-ns-na.pcap",
            "ip-conflict.pcap")) {
      all.addAll(read(name));
    }
    return all;
  }
}
