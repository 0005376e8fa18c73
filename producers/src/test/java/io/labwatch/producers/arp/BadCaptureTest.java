package io.labwatch.producers.arp;

import static org.assertj.core.api.Assertions.assertThat;

import io.labwatch.events.ArpObservation;
import io.labwatch.events.Heartbeat;
import io.labwatch.producers.testing.RecordingPublisher;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, items 1 and 6: captures with bad timestamps, damaged records and absurd lengths. Each
 * is read as far as it can be, what was skipped is counted, and no input makes the work grow with
 * its timestamps.
 */
class BadCaptureTest {

  static final Path FIXTURES = Path.of("src", "test", "resources", "pcap");
  static final int HEADER = 24;
  static final int RECORD = 16 + 42; // every frame of ip-conflict.pcap is 42 bytes

  @TempDir Path dir;
  final RecordingPublisher publisher = new RecordingPublisher();

  /** ip-conflict.pcap (15 packets, little-endian, microseconds) as a buffer to damage. */
  static ByteBuffer conflict() throws IOException {
    return ByteBuffer.wrap(Files.readAllBytes(FIXTURES.resolve("ip-conflict.pcap")))
        .order(ByteOrder.LITTLE_ENDIAN);
  }

  static int record(int i) {
    return HEADER + i * RECORD;
  }

  Path write(String name, ByteBuffer b) throws IOException {
    return Files.write(dir.resolve(name), b.array());
  }

  PcapReplay.Summary replay(Path file) {
    return PcapReplay.replay(file, "s", Duration.ofSeconds(10), publisher);
  }

  @Test
  void aFirstPacketStamped1970ByABoardWithoutAClockIsSkippedNotFilledWithFiftyYearsOfHeartbeats()
      throws IOException {
    ByteBuffer b = conflict();
    b.putInt(record(0), 0); // its seconds

    PcapReplay.Summary s = replay(write("1970.pcap", b));

    assertThat(s.packets()).isEqualTo(15);
    assertThat(s.published()).isEqualTo(14);
    assertThat(s.stats().skippedCount(SkipReason.TIME_OUT_OF_RANGE)).isEqualTo(1);
    assertThat(s.firstOutOfRange()).isBefore(Instant.parse("1970-01-02T00:00:00Z"));
    assertThat(s.line()).contains("stamped out of range: 1", "says 1970-01-01T00:00:00");
    assertThat(publisher.heartbeats).hasSizeLessThanOrEqualTo(2); // the capture spans 1.24 s
    assertThat(s.incomplete()).isFalse();
  }

  @Test
  void aLastPacketStamped2106IsSkippedToo() throws IOException {
    ByteBuffer b = conflict();
    b.putInt(record(14), 0xFFFFFFF0); // 2106-02-07

    PcapReplay.Summary s = replay(write("2106.pcap", b));

    assertThat(s.published()).isEqualTo(14);
    assertThat(s.stats().skippedCount(SkipReason.TIME_OUT_OF_RANGE)).isEqualTo(1);
    assertThat(publisher.heartbeats).hasSizeLessThanOrEqualTo(2);
    assertThat(publisher.heartbeats)
        .allMatch(h -> h.eventTime().isBefore(PcapReplay.PLAUSIBLE_UNTIL));
  }

  @Test
  void aJumpOfYearsInsideTheRangeGetsAtMostAnHourOfHeartbeats() throws IOException {
    ByteBuffer b = conflict();
    for (int i = 8; i < 15; i++) { // the second half, three years later
      b.putInt(record(i), b.getInt(record(i)) + 3 * 365 * 86_400);
    }

    PcapReplay.Summary s = replay(write("jump.pcap", b));

    assertThat(s.published()).isEqualTo(15);
    assertThat(s.unwatchedGaps()).isEqualTo(1);
    // an hour at 10 s, one at the jump's end, one at the capture's end
    assertThat(publisher.heartbeats).hasSizeBetween(360, 363);
    assertThat(s.line()).contains("1 jump in capture time over 1 h, not filled with heartbeats");
  }

  @Test
  void aReplaysHeartbeatsSayTheyComeFromAFile() throws IOException {
    replay(FIXTURES.resolve("ip-conflict.pcap"));

    assertThat(publisher.heartbeats)
        .isNotEmpty()
        .extracting(Heartbeat::replayOf)
        .containsOnly("ip-conflict.pcap");
  }

  @Test
  void aCorruptRecordLengthInAClassicPcapIsDamageNotTheEndOfTheFile() throws IOException {
    ByteBuffer b = conflict();
    b.putInt(record(1) + 8, 0x7FFF_0000); // captured length of the second record

    PcapReplay.Summary s = replay(write("damaged.pcap", b));

    assertThat(s.truncated()).isFalse();
    assertThat(s.damage().records()).isEqualTo(1);
    assertThat(s.damage().firstAt()).isEqualTo(record(1));
    assertThat(s.damage().bytesSkipped()).isEqualTo(RECORD);
    assertThat(s.damage().restUnreadable()).isFalse();
    assertThat(s.packets()).isEqualTo(15);
    assertThat(s.published()).isEqualTo(14); // all but the damaged one, the conflict among them
    assertThat(publisher.observations)
        .extracting(ArpObservation::eventTime)
        .doesNotHaveDuplicates()
        .isSorted();
    assertThat(s.line())
        .contains(
            "damaged at offset " + record(1) + ": 1 record, " + RECORD + " bytes skipped",
            "damaged in the file: 1");
    assertThat(s.incomplete()).isFalse();
  }

  @Test
  void garbageAfterTheDamageEndsTheReadingWithItsOffsetAndCountsTheRest() throws IOException {
    ByteBuffer b = conflict();
    for (int at = record(5); at < b.capacity(); at++) {
      b.put(at, (byte) 0xEE);
    }

    PcapReplay.Summary s = replay(write("garbage.pcap", b));

    assertThat(s.published()).isEqualTo(5);
    assertThat(s.damage().firstAt()).isEqualTo(record(5));
    assertThat(s.damage().restUnreadable()).isTrue();
    assertThat(s.damage().bytesSkipped()).isEqualTo(b.capacity() - record(5));
    assertThat(s.incomplete()).isTrue();
    assertThat(s.line()).contains("no whole record after the damage");
  }

  @Test
  void aTruncatedFileIsStillTruncationNotDamage() throws IOException {
    ByteBuffer whole = conflict();
    ByteBuffer cut = ByteBuffer.wrap(java.util.Arrays.copyOf(whole.array(), record(14) + 30));

    PcapReplay.Summary s = replay(write("cut.pcap", cut));

    assertThat(s.truncated()).isTrue();
    assertThat(s.damage().any()).isFalse();
    assertThat(s.published()).isEqualTo(14);
  }

  @Test
  void aPcapngPacketClaimingTwoGigabytesIsCountedAsDamaged() throws IOException {
    List<PcapFixtures.Frame> frames = PcapFixtures.read("arp-request-reply.pcap");
    ByteBuffer b = ByteBuffer.wrap(CaptureFiles.pcapngNanos(frames)).order(ByteOrder.LITTLE_ENDIAN);
    int firstPacket = 28 + 32;
    b.putInt(firstPacket + 20, Integer.MIN_VALUE); // caplen 2^31

    PcapReplay.Summary s = replay(write("huge.pcapng", b));

    assertThat(s.packets()).isEqualTo(2);
    assertThat(s.published()).isEqualTo(1);
    assertThat(s.stats().skippedCount(SkipReason.DAMAGED_RECORD)).isEqualTo(1);
    assertThat(s.damage().records()).isEqualTo(1);
  }

  @Test
  void aPcapngBlockWhoseTwoLengthsDisagreeIsSkippedAndTheNextOneRead() throws IOException {
    List<PcapFixtures.Frame> two = PcapFixtures.read("arp-request-reply.pcap");
    List<PcapFixtures.Frame> frames = new ArrayList<>(two);
    frames.addAll(two);
    ByteBuffer b = ByteBuffer.wrap(CaptureFiles.pcapngNanos(frames)).order(ByteOrder.LITTLE_ENDIAN);
    int firstPacket = 28 + 32;
    b.putInt(firstPacket + 4, b.getInt(firstPacket + 4) + 400); // its length, not its copy

    PcapReplay.Summary s = replay(write("mismatch.pcapng", b));

    assertThat(s.packets()).isEqualTo(4);
    assertThat(s.published()).isEqualTo(3);
    assertThat(s.damage().firstAt()).isEqualTo(firstPacket);
    assertThat(s.damage().restUnreadable()).isFalse();
  }
}
