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
 * <p>A file that ends in the middle of a record ends the reading; {@link #truncated()} says so. A
 * record whose header cannot be right (a length no frame has, a fraction of a second over one, a
 * pcapng block whose two copies of its length differ) is damage, not the end: the reader looks for
 * the next record that is whole and goes on from there; {@link #damage()} counts what it skipped,
 * and says where, or that nothing after the damage could be read.
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
   * The largest record read, and the read buffer's size. A frame is at most a jumbo's 9 KiB (a
   * capture of offloaded segments: 64 KiB), so a longer record is not one of ours, or its length is
   * damaged.
   */
  private static final int MAX_RECORD = 1 << 20;

  /** libpcap's largest snapshot length: no classic pcap record captures more. */
  private static final int MAX_SNAPLEN = 262_144;

  /** A record found by resynchronising must be this close in time to the last good one. */
  private static final long RESYNC_MAX_SECONDS = 86_400;

  private final Path file;
  private final FileChannel channel;
  private final ByteBuffer buffer = ByteBuffer.allocate(MAX_RECORD);
  private final boolean pcapng;
  private boolean nanos;
  private int classicLinkType;
  private final List<Interface> interfaces = new ArrayList<>(); // of the current pcapng section
  private boolean truncated;
  private int snaplen = MAX_SNAPLEN;
  private long damagedRecords;
  private long skippedBytes;
  private long firstDamageAt = -1;
  private boolean unreadable;
  private long lastSeconds = -1;
  private boolean eof;

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
      buffer.position(buffer.position() + 16);
      int headerSnaplen = buffer.getInt();
      if (headerSnaplen > 0 && headerSnaplen <= MAX_SNAPLEN) {
        // (some writers put a snaplen smaller than what they capture; 64 KiB is always allowed)
        snaplen = Math.max(headerSnaplen, 65_535);
      }
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
    while (true) {
      if (!fill(16)) {
        truncated = buffer.hasRemaining(); // a record header cut short
        return false;
      }
      int at = buffer.position();
      if (!plausibleClassic(at, false)) {
        if (!resync(offset(), findClassic())) {
          return false;
        }
        continue;
      }
      long seconds = buffer.getInt(at) & 0xFFFFFFFFL;
      long fraction = buffer.getInt(at + 4) & 0xFFFFFFFFL;
      int captured = buffer.getInt(at + 8);
      if (!fill(16 + captured)) {
        // the file ends inside this record: cut short — unless whole records follow after all
        long where = offset();
        long skip = findClassic();
        if (skip < 0) {
          truncated = true;
          return false;
        }
        resync(where, skip);
        continue;
      }
      at = buffer.position(); // (a fill may have moved the bytes)
      data = new byte[captured];
      buffer.get(at + 16, data);
      buffer.position(at + 16 + captured);
      timestamp = Instant.ofEpochSecond(seconds, nanos ? fraction : fraction * 1000);
      lastSeconds = seconds;
      linkType = classicLinkType;
      return true;
    }
  }

  /**
   * Whether the 16 bytes at {@code at} can be a record header: a fraction under one second, a
   * captured length within the snapshot length and the original length. When resynchronising, its
   * time must also be within a day of the last good record's.
   */
  private boolean plausibleClassic(int at, boolean resyncing) {
    long seconds = buffer.getInt(at) & 0xFFFFFFFFL;
    long fraction = buffer.getInt(at + 4) & 0xFFFFFFFFL;
    int captured = buffer.getInt(at + 8);
    int original = buffer.getInt(at + 12);
    if (fraction >= (nanos ? 1_000_000_000L : 1_000_000L)
        || captured < 0
        || captured > snaplen
        || original < captured
        || original > MAX_RECORD) {
      return false;
    }
    return !resyncing || lastSeconds < 0 || Math.abs(seconds - lastSeconds) <= RESYNC_MAX_SECONDS;
  }

  /**
   * From the damaged record header at the buffer's position, finds the next place where a plausible
   * record is followed by another (or by the end of the file) and moves there.
   *
   * @return the bytes passed over, or -1 when there is no such place (the buffer is then at the end
   *     of the file)
   */
  private long findClassic() throws IOException {
    long skipped = 0;
    while (true) {
      buffer.position(buffer.position() + 1);
      skipped++;
      // a candidate, its record and the next header: at most 16 + snaplen + 16 bytes
      boolean whole = fill(Math.min(32 + snaplen, MAX_RECORD));
      if (buffer.remaining() < 16) {
        buffer.position(buffer.limit());
        return -1;
      }
      int at = buffer.position();
      if (!plausibleClassic(at, true)) {
        continue;
      }
      int next = at + 16 + buffer.getInt(at + 8);
      int end = buffer.limit();
      if ((next == end && !whole) || (next + 16 <= end && plausibleClassic(next, true))) {
        return skipped;
      }
    }
  }

  /**
   * Counts damage that began at file offset {@code at}; {@code skip} is what {@link #findClassic}
   * or {@link #findPcapng} passed over to the next whole record, or -1: then nothing after it can
   * be read, and the reading ends.
   *
   * @return true when the reading goes on
   */
  private boolean resync(long at, long skip) throws IOException {
    damagedRecords++;
    if (firstDamageAt < 0) {
      firstDamageAt = at;
    }
    if (skip < 0) {
      unreadable = true;
      skippedBytes += fileSize() - at;
      return false;
    }
    skippedBytes += skip;
    return true;
  }

  private long fileSize() throws IOException {
    return channel.size();
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
      if (length < 12 || length % 4 != 0 || length > MAX_RECORD) {
        if (!resync(offset(), findPcapng())) {
          return false;
        }
        continue;
      }
      if (!fill(length)) {
        // the file ends inside this block: cut short — unless whole blocks follow after all
        long where = offset();
        long skip = findPcapng();
        if (skip < 0) {
          truncated = true;
          return false;
        }
        resync(where, skip);
        continue;
      }
      if (buffer.getInt(buffer.position() + length - 4) != length) { // its length's second copy
        if (!resync(offset(), findPcapng())) {
          return false;
        }
        continue;
      }
      int start = buffer.position();
      ByteBuffer block = buffer.slice(start, length).order(buffer.order());
      buffer.position(start + length);
      if ((type == ENHANCED_PACKET_BLOCK || type == OBSOLETE_PACKET_BLOCK)
          && length < PACKET_BLOCK_HEADER + 4) {
        damagedRecords++; // a packet block too short for its own header: skipped, and counted
        continue;
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
          damagedRecords++; // a negative length, or no interface to say what it is
        }
        default -> {
          // section header, statistics, name resolution, custom: nothing to read
        }
      }
    }
  }

  /**
   * From the damaged block at the buffer's position, finds — 4 bytes at a time, blocks are aligned
   * — the next block of a known type whose two copies of its length agree, and moves there.
   *
   * @return the bytes passed over, or -1 when there is none (the buffer is then at the end of the
   *     file)
   */
  private long findPcapng() throws IOException {
    long skipped = 0;
    while (true) {
      buffer.position(Math.min(buffer.position() + 4, buffer.limit()));
      skipped += 4;
      if (!fill(8)) {
        buffer.position(buffer.limit());
        return -1;
      }
      int at = buffer.position();
      int type = buffer.getInt(at);
      int length = buffer.getInt(at + 4);
      boolean known =
          type == SECTION_HEADER_BLOCK
              || (type >= INTERFACE_DESCRIPTION_BLOCK && type <= ENHANCED_PACKET_BLOCK);
      if (!known || length < 12 || length % 4 != 0 || length > MAX_RECORD || !fill(length)) {
        continue;
      }
      at = buffer.position();
      if (buffer.getInt(at + length - 4) == length) {
        return skipped;
      }
    }
  }

  /** How far the reading got: the file offset of the next record, or -1 when it cannot be told. */
  public long position() {
    try {
      return offset();
    } catch (IOException e) {
      return -1;
    }
  }

  /** The file offset of the buffer's position. */
  private long offset() throws IOException {
    return channel.position() - buffer.remaining();
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
    if (iface < 0
        || iface >= interfaces.size()
        || captured < 0
        || (long) dataAt + captured > length - 4) { // (long: a caplen near 2^31 overflows int)
      damagedRecords++; // a packet of an unknown interface, or damaged: skipped, and counted
      return false;
    }
    long units = ((high & 0xFFFFFFFFL) << 32) | (low & 0xFFFFFFFFL);
    Interface i = interfaces.get(iface);
    long perSecond = i.unitsPerSecond();
    long seconds = Long.divideUnsigned(units, perSecond);
    long rest = Long.remainderUnsigned(units, perSecond);
    if (Long.compareUnsigned(seconds, Instant.MAX.getEpochSecond()) > 0) {
      damagedRecords++; // a time past the year 1000000000: damaged, skipped, and counted
      return false;
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
    if (eof) { // (no compaction again and again while resynchronising near the end)
      return false;
    }
    if (n > buffer.capacity()) { // (callers check against MAX_RECORD first)
      throw new IllegalArgumentException(n + " bytes do not fit the read buffer");
    }
    buffer.compact();
    while (buffer.position() < n) {
      if (channel.read(buffer) < 0) {
        eof = true;
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

  /**
   * What damage the reading met so far.
   *
   * @param records damaged records (or blocks) skipped
   * @param bytesSkipped bytes passed over to find the next whole record
   * @param firstAt the file offset of the first damage, or -1 for none
   * @param restUnreadable true when no whole record followed the last damage: the reading ended
   *     there
   */
  public record Damage(long records, long bytesSkipped, long firstAt, boolean restUnreadable) {
    public boolean any() {
      return records > 0;
    }
  }

  public Damage damage() {
    return new Damage(damagedRecords, skippedBytes, firstDamageAt, unreadable);
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
