package io.labwatch.producers.arp;

import io.labwatch.events.LabwatchException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads capture files — classic pcap (microsecond or nanosecond, either byte order) and pcapng
 * (section, interface and enhanced/simple/obsolete packet blocks, per-interface link type and
 * timestamp resolution) — in Java, without libpcap: so {@code --pcap} needs no native library and
 * is not slowed by a native call per packet.
 *
 * <p>A file that ends in the middle of a record ends the reading; {@link #truncated()} says so.
 */
public final class CaptureFile implements AutoCloseable {

  private static final int PCAP_MICROS = 0xa1b2c3d4;
  private static final int PCAP_NANOS = 0xa1b23c4d;
  private static final int PCAPNG_BYTE_ORDER = 0x1A2B3C4D;

  // pcapng block types (the section header's is also the file's magic, the same in both orders)
  private static final int SECTION_HEADER_BLOCK = 0x0A0D0D0A;
  private static final int INTERFACE_DESCRIPTION_BLOCK = 1;
  private static final int OBSOLETE_PACKET_BLOCK = 2;
  private static final int SIMPLE_PACKET_BLOCK = 3;
  private static final int ENHANCED_PACKET_BLOCK = 6;

  /** Type, length, interface, timestamp, captured and original length of a packet block. */
  private static final int PACKET_BLOCK_HEADER = 28;

  // interface description block options
  private static final int OPT_END_OF_OPTIONS = 0;
  private static final int IF_TSRESOL = 9;

  /**
   * The largest record read, and the read buffer's size. A frame is at most a jumbo's 9 KiB, so a
   * longer record is not one of ours, or the length is damaged: it ends the reading, as {@link
   * #truncated()}.
   */
  private static final int MAX_RECORD = 1 << 20;

  private final Path file;
  private final FileChannel channel;
  private final ByteBuffer buffer = ByteBuffer.allocate(MAX_RECORD);
  private final boolean pcapng;
  private boolean nanos;
  private int classicLinkType;
  private final List<Interface> interfaces = new ArrayList<>(); // of the current pcapng section
  private boolean truncated;

  // the current packet
  private byte[] data;
  private Instant timestamp = Instant.EPOCH;
  private int linkType;

  private CaptureFile(Path file, FileChannel channel) throws IOException {
    this.file = file;
    this.channel = channel;
    buffer.limit(0);
    if (!fill(4)) {
      throw notACapture("it is empty");
    }
    int magicBe = buffer.duplicate().order(ByteOrder.BIG_ENDIAN).getInt(buffer.position());
    int magicLe = buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN).getInt(buffer.position());
    if (magicBe == SECTION_HEADER_BLOCK) {
      pcapng = true;
    } else if (magicLe == PCAP_MICROS || magicLe == PCAP_NANOS) {
      pcapng = false;
      buffer.order(ByteOrder.LITTLE_ENDIAN);
      nanos = magicLe == PCAP_NANOS;
    } else if (magicBe == PCAP_MICROS || magicBe == PCAP_NANOS) {
      pcapng = false;
      buffer.order(ByteOrder.BIG_ENDIAN);
      nanos = magicBe == PCAP_NANOS;
    } else {
      throw notACapture("it is neither pcap nor pcapng");
    }
    if (!pcapng) {
      if (!fill(24)) {
        throw notACapture("its header is cut short");
      }
      buffer.position(buffer.position() + 20);
      classicLinkType = buffer.getInt() & 0xFFFF; // upper bits: FCS length
    }
  }

  /**
   * Opens a capture file.
   *
   * @throws LabwatchException when it does not exist, cannot be read, or is not pcap or pcapng
   */
  public static CaptureFile open(Path file) {
    try {
      FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
      try {
        return new CaptureFile(file, channel);
      } catch (IOException | RuntimeException e) {
        channel.close();
        throw e;
      }
    } catch (NoSuchFileException e) {
      throw new LabwatchException("capture file " + file + " does not exist");
    } catch (IOException e) {
      throw new LabwatchException("cannot read capture file " + file + ": " + e.getMessage(), e);
    }
  }

  private LabwatchException notACapture(String why) {
    return new LabwatchException("cannot read capture file " + file + ": " + why);
  }

  /** Moves to the next packet; false at the end of the file. */
  public boolean next() {
    try {
      return pcapng ? nextPcapng() : nextClassic();
    } catch (IOException e) {
      throw new LabwatchException("cannot read capture file " + file + ": " + e.getMessage(), e);
    }
  }

  private boolean nextClassic() throws IOException {
    if (!fill(16)) {
      truncated = buffer.hasRemaining(); // a record header cut short
      return false;
    }
    long seconds = buffer.getInt() & 0xFFFFFFFFL;
    long fraction = buffer.getInt() & 0xFFFFFFFFL;
    int captured = buffer.getInt();
    buffer.getInt(); // original length
    if (captured < 0 || captured > MAX_RECORD || !fill(captured)) {
      truncated = true;
      return false;
    }
    data = new byte[captured];
    buffer.get(data);
    timestamp = Instant.ofEpochSecond(seconds, nanos ? fraction : fraction * 1000);
    linkType = classicLinkType;
    return true;
  }

  private boolean nextPcapng() throws IOException {
    while (true) {
      if (!fill(8)) {
        truncated = buffer.hasRemaining();
        return false;
      }
      // (block fields are read at buffer.position(), which is the block's start: every fill may
      // move the unread bytes to the front of the buffer)
      int type = buffer.getInt(buffer.position());
      if (type == SECTION_HEADER_BLOCK) {
        // a section header: its byte-order magic decides how everything in it is read
        if (!fill(12)) {
          truncated = true;
          return false;
        }
        int magic = buffer.order(ByteOrder.BIG_ENDIAN).getInt(buffer.position() + 8);
        buffer.order(magic == PCAPNG_BYTE_ORDER ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        interfaces.clear();
      }
      int length = buffer.getInt(buffer.position() + 4);
      if (length < 12 || length % 4 != 0) {
        throw new IOException("damaged block of length " + length);
      }
      if (length > MAX_RECORD || !fill(length)) {
        truncated = true;
        return false;
      }
      int start = buffer.position();
      ByteBuffer block = buffer.slice(start, length).order(buffer.order());
      buffer.position(start + length);
      if ((type == ENHANCED_PACKET_BLOCK || type == OBSOLETE_PACKET_BLOCK)
          && length < PACKET_BLOCK_HEADER + 4) {
        throw new IOException(
            "damaged packet block of length "
                + length
                + ", shorter than its "
                + (PACKET_BLOCK_HEADER + 4)
                + "-byte header and trailer");
      }
      switch (type) {
        case INTERFACE_DESCRIPTION_BLOCK -> interfaceBlock(block, length);
        case ENHANCED_PACKET_BLOCK -> {
          if (packet(
              block,
              block.getInt(8),
              block.getInt(12),
              block.getInt(16),
              block.getInt(20),
              PACKET_BLOCK_HEADER,
              length)) {
            return true;
          }
        }
        case OBSOLETE_PACKET_BLOCK -> {
          if (packet(
              block,
              block.getShort(8) & 0xFFFF,
              block.getInt(12),
              block.getInt(16),
              block.getInt(20),
              PACKET_BLOCK_HEADER,
              length)) {
            return true;
          }
        }
        case SIMPLE_PACKET_BLOCK -> {
          // no timestamp: it gets the previous packet's
          int captured = Math.min(block.getInt(8), length - 16);
          if (captured >= 0 && !interfaces.isEmpty()) {
            data = new byte[captured];
            block.get(12, data);
            linkType = interfaces.get(0).linkType();
            return true;
          }
        }
        default -> {
          // section header, statistics, name resolution, custom: nothing to read
        }
      }
    }
  }

  private void interfaceBlock(ByteBuffer block, int length) {
    int linkTypeValue = block.getShort(8) & 0xFFFF;
    long unitsPerSecond = 1_000_000;
    int at = 16;
    while (at + 4 <= length - 4) {
      int code = block.getShort(at) & 0xFFFF;
      int optionLength = block.getShort(at + 2) & 0xFFFF;
      if (code == OPT_END_OF_OPTIONS) {
        break;
      }
      if (code == IF_TSRESOL && optionLength >= 1) {
        int r = block.get(at + 4) & 0xFF;
        unitsPerSecond = (r & 0x80) == 0 ? pow(10, r & 0x7F) : pow(2, r & 0x7F);
      }
      at += 4 + ((optionLength + 3) & ~3);
    }
    interfaces.add(new Interface(linkTypeValue, unitsPerSecond));
  }

  private boolean packet(
      ByteBuffer block, int iface, int high, int low, int captured, int dataAt, int length)
      throws IOException {
    if (iface < 0 || iface >= interfaces.size() || captured < 0 || dataAt + captured > length - 4) {
      return false; // a packet of an unknown interface, or damaged: skip it
    }
    long units = ((high & 0xFFFFFFFFL) << 32) | (low & 0xFFFFFFFFL);
    Interface i = interfaces.get(iface);
    long perSecond = i.unitsPerSecond();
    long seconds = Long.divideUnsigned(units, perSecond);
    long rest = Long.remainderUnsigned(units, perSecond);
    if (Long.compareUnsigned(seconds, Instant.MAX.getEpochSecond()) > 0) {
      throw new IOException(
          "damaged packet timestamp: "
              + Long.toUnsignedString(units)
              + " units of 1/"
              + perSecond
              + " s is past the year 1000000000");
    }
    timestamp =
        Instant.ofEpochSecond(
            seconds,
            perSecond >= 1_000_000_000L
                ? rest / (perSecond / 1_000_000_000L)
                : rest * (1_000_000_000L / perSecond));
    data = new byte[captured];
    block.get(dataAt, data);
    linkType = i.linkType();
    return true;
  }

  private static long pow(long base, int exp) {
    long r = 1;
    for (int i = 0; i < exp && r < 1_000_000_000_000_000L; i++) {
      r *= base;
    }
    return r;
  }

  /** Makes sure {@code n} bytes are readable from the buffer's position; false at end of file. */
  private boolean fill(int n) throws IOException {
    if (buffer.remaining() >= n) {
      return true;
    }
    if (n > buffer.capacity()) { // (callers check against MAX_RECORD first)
      throw new IllegalArgumentException(n + " bytes do not fit the read buffer");
    }
    buffer.compact();
    while (buffer.position() < n) {
      if (channel.read(buffer) < 0) {
        buffer.flip();
        return false;
      }
    }
    buffer.flip();
    return true;
  }

  /** The current packet's bytes. */
  public byte[] data() {
    return data;
  }

  /** The current packet's capture time. */
  public Instant timestamp() {
    return timestamp;
  }

  /** The current packet's link type (pcap DLT number). */
  public int linkType() {
    return linkType;
  }

  /** True when the file ended in the middle of a record. */
  public boolean truncated() {
    return truncated;
  }

  /** A pcapng interface: its link type and timestamp units per second. */
  private record Interface(int linkType, long unitsPerSecond) {}

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      // nothing left to do with a file we only read
    }
  }
}
