package io.labwatch.producers.arp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
  void anEnhancedPacketBlockShorterThanItsHeaderIsDamage() throws IOException {
    assertDamaged(
        "found-pcapng-enhanced-packet-block-of-12-bytes",
        "damaged packet block of length 12, shorter than its 32-byte header and trailer");
  }

  @Test
  void anObsoletePacketBlockShorterThanItsHeaderIsDamage() throws IOException {
    assertDamaged(
        "found-pcapng-obsolete-packet-block-of-20-bytes",
        "damaged packet block of length 20, shorter than its 32-byte header and trailer");
  }

  @Test
  void aTimestampPastWhatAnInstantHoldsIsDamage() throws IOException {
    assertDamaged(
        "found-pcapng-timestamp-past-instant-max",
        "damaged packet timestamp: 9223372036854775807 units of 1/1 s is past the year"
            + " 1000000000");
  }

  @Test
  void aTimestampOfTwoToTheSixtyFourSecondsIsDamageNotNineteenSixtyNine() throws IOException {
    assertDamaged(
        "found-pcapng-timestamp-2p64-minus-1-seconds",
        "damaged packet timestamp: 18446744073709551615 units of 1/1 s is past the year"
            + " 1000000000");
  }

  private static void assertDamaged(String input, String why) throws IOException {
    try (var in =
        CaptureFileFuzzTest.class.getResourceAsStream(
            "CaptureFileFuzzTestInputs/readsOrRefusesInOneLine/" + input)) {
      Files.write(file, in.readAllBytes());
    }
    try (CaptureFile capture = CaptureFile.open(file)) {
      assertThatThrownBy(capture::next)
          .isInstanceOf(LabwatchException.class)
          .hasMessage("cannot read capture file " + file + ": " + why);
    }
  }
}
