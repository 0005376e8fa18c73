package io.labwatch.producers.arp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.labwatch.events.LabwatchException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Any bytes as a capture file: {@link CaptureFile} reads packets from them, or refuses them with a
 * one-line {@link LabwatchException} naming the file; nothing else escapes, every read ends, and
 * what it reads fits in what it was given. Inputs: {@code CaptureFileFuzzTestInputs/}.
 */
class CaptureFileFuzzTest {

  private static Path file;

  @BeforeAll
  static void createFile() throws IOException {
    // in memory where there is one: a write per input to a disk's page cache is the fuzzer's cost
    Path shm = Path.of("/dev/shm");
    file =
        Files.isDirectory(shm) && Files.isWritable(shm)
            ? Files.createTempFile(shm, "fuzz", ".pcap")
            : Files.createTempFile("fuzz", ".pcap");
  }

  @AfterAll
  static void deleteFile() throws IOException {
    Files.deleteIfExists(file);
  }

  @FuzzTest
  void readsOrRefusesInOneLine(byte[] bytes) throws IOException {
    Files.write(file, bytes);
    int packets = 0;
    long packetBytes = 0;
    try (CaptureFile capture = CaptureFile.open(file)) {
      while (capture.next()) {
        packets++;
        packetBytes += capture.data().length;
        assertThat(capture.timestamp()).isNotNull();
        assertThat(capture.linkType()).isBetween(0, 0xFFFF);
        // every packet has a record header of at least 12 bytes around its data
        assertThat(packetBytes + 12L * packets).isLessThanOrEqualTo(bytes.length);
      }
    } catch (LabwatchException e) {
      assertThat(e.getMessage())
          .startsWith("cannot read capture file " + file + ": ")
          .doesNotContain("\n");
    }
  }

  // Findings, kept as named cases (their inputs are in CaptureFileFuzzTestInputs/ too; see
  // pcap/make-fuzz-inputs for which the fuzzer found)

  @Test
  void anEnhancedPacketBlockShorterThanItsHeaderIsSkippedAsDamage() throws IOException {
    assertSkippedAsDamage("found-pcapng-enhanced-packet-block-of-12-bytes");
  }

  @Test
  void anObsoletePacketBlockShorterThanItsHeaderIsSkippedAsDamage() throws IOException {
    assertSkippedAsDamage("found-pcapng-obsolete-packet-block-of-20-bytes");
  }

  @Test
  void aTimestampPastWhatAnInstantHoldsIsSkippedAsDamage() throws IOException {
    assertSkippedAsDamage("found-pcapng-timestamp-past-instant-max");
  }

  @Test
  void aTimestampOfTwoToTheSixtyFourSecondsIsSkippedAsDamageNotNineteenSixtyNine()
      throws IOException {
    assertSkippedAsDamage("found-pcapng-timestamp-2p64-minus-1-seconds");
  }

  @Test
  void aPacketWhoseCaplenOverflowsTheBoundsCheckIsSkippedAsDamageNotAllocated() throws IOException {
    // its caplen plus the data's offset in the block passed 2^31 and wrapped negative
    assertSkippedAsDamage("found-pcapng-caplen-overflowing-int");
  }

  /** The damaged packet is skipped and counted; nothing is thrown, nothing stamped 1969. */
  private static void assertSkippedAsDamage(String input) throws IOException {
    try (var in =
        CaptureFileFuzzTest.class.getResourceAsStream(
            "CaptureFileFuzzTestInputs/readsOrRefusesInOneLine/" + input)) {
      Files.write(file, in.readAllBytes());
    }
    try (CaptureFile capture = CaptureFile.open(file)) {
      while (capture.next()) {
        assertThat(capture.timestamp()).isAfter(java.time.Instant.EPOCH);
      }
      assertThat(capture.damage().records()).isPositive();
    }
  }
}
