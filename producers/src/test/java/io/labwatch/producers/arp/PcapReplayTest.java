package io.labwatch.producers.arp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.labwatch.events.ArpObservation;
import io.labwatch.events.Heartbeat;
import io.labwatch.events.LabwatchException;
import io.labwatch.events.PacketClass;
import io.labwatch.producers.testing.RecordingPublisher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --pcap}: committed captures, read as a user's file would be. */
class PcapReplayTest {

  static final Path FIXTURES = Path.of("src", "test", "resources", "pcap");

  private final RecordingPublisher publisher = new RecordingPublisher();

  @Test
  void theIpConflictCaptureBecomesItsObservationsWithTheirCaptureTimes() {
    PcapReplay.Summary summary =
        PcapReplay.replay(
            FIXTURES.resolve("ip-conflict.pcap"), "lab-sw1", Duration.ofSeconds(10), publisher);

    assertThat(summary.packets()).isEqualTo(15);
    assertThat(summary.published()).isEqualTo(15);
    assertThat(summary.stats().skippedCount()).isZero();
    assertThat(summary.line())
        .isEqualTo(
            "read 15 packets from "
                + FIXTURES.resolve("ip-conflict.pcap")
                + ": published 15 observations, skipped 0");
    assertThat(publisher.observations)
        .extracting(ArpObservation::packetClass)
        .containsOnly(PacketClass.REQUEST, PacketClass.REPLY);
    assertThat(publisher.observations)
        .extracting(ArpObservation::eventTime)
        .containsExactlyElementsOf(
            PcapFixtures.read("ip-conflict.pcap").stream()
                .map(PcapFixtures.Frame::timestamp)
                .toList());
    assertThat(publisher.observations).allMatch(o -> o.sensorId().equals("lab-sw1"));
    assertThat(publisher.flushed).isTrue();
  }

  @Test
  void pcapngReadsTheSameAsPcap() {
    PcapReplay.replay(FIXTURES.resolve("ip-conflict.pcap"), "s", Duration.ofSeconds(10), publisher);
    List<ArpObservation> fromPcap = List.copyOf(publisher.observations);
    publisher.observations.clear();

    PcapReplay.replay(
        FIXTURES.resolve("ip-conflict.pcapng"), "s", Duration.ofSeconds(10), publisher);

    assertThat(publisher.observations)
        .usingRecursiveFieldByFieldElementComparatorIgnoringFields("iface")
        .containsExactlyElementsOf(fromPcap);
  }

  @Test
  void heartbeatsFollowTheCapturesClock() {
    // the capture spans 1.24 s; with a 500 ms interval: at +0.5 s, +1.0 s, and one at the end
    PcapReplay.replay(FIXTURES.resolve("ip-conflict.pcap"), "s", Duration.ofMillis(500), publisher);
    List<PcapFixtures.Frame> frames = PcapFixtures.read("ip-conflict.pcap");
    assertThat(publisher.heartbeats)
        .extracting(Heartbeat::eventTime)
        .containsExactly(
            frames.get(0).timestamp().plusMillis(500),
            frames.get(0).timestamp().plusMillis(1000),
            frames.get(frames.size() - 1).timestamp());
    assertThat(publisher.heartbeats.get(2).capture().received()).isEqualTo(15);
  }

  @Test
  void everyFixtureClassComesThroughAFile() {
    for (String f :
        List.of(
            "arp-probe.pcap",
            "arp-announcement.pcap",
            "arp-vlan.pcap",
            "nd-ns-na.pcap",
            "arp-mismatch.pcap")) {
      PcapReplay.replay(FIXTURES.resolve(f), "s", Duration.ofSeconds(10), publisher);
    }
    assertThat(publisher.observations)
        .extracting(ArpObservation::packetClass)
        .contains(
            PacketClass.PROBE,
            PacketClass.ANNOUNCEMENT,
            PacketClass.NEIGHBOR_SOLICITATION,
            PacketClass.NEIGHBOR_ADVERTISEMENT);
    assertThat(publisher.observations).anyMatch(o -> Integer.valueOf(20).equals(o.vlan()));
    assertThat(publisher.observations).anyMatch(ArpObservation::etherMismatch);
  }

  @Test
  void aCaptureReplayedInAConfiguredSegmentCarriesItOnEveryObservation() {
    PcapReplay.replay(
        FIXTURES.resolve("ip-conflict.pcap"),
        "s",
        Duration.ofSeconds(10),
        publisher,
        PcapReplay.Options.offline().withSegment("lab-b"));
    assertThat(publisher.observations).isNotEmpty().allMatch(o -> "lab-b".equals(o.segment()));
    assertThat(publisher.observations).allMatch(o -> o.key().endsWith("%lab-b"));
  }

  @Test
  void aFileThatIsNotACaptureIsOneClearError(@TempDir Path dir) throws IOException {
    Path notPcap = Files.writeString(dir.resolve("notes.pcap"), "these are not packets");
    assertThatThrownBy(() -> PcapReplay.replay(notPcap, "s", Duration.ofSeconds(10), publisher))
        .isInstanceOf(LabwatchException.class)
        .hasMessage("cannot read capture file " + notPcap + ": it is neither pcap nor pcapng");
    assertThatThrownBy(
            () ->
                PcapReplay.replay(
                    dir.resolve("missing.pcap"), "s", Duration.ofSeconds(10), publisher))
        .isInstanceOf(LabwatchException.class)
        .hasMessage("capture file " + dir.resolve("missing.pcap") + " does not exist");
  }

  @Test
  void aTruncatedFileIsReadUpToTheDamage(@TempDir Path dir) throws IOException {
    byte[] whole = Files.readAllBytes(FIXTURES.resolve("ip-conflict.pcap"));
    Path cut =
        Files.write(dir.resolve("cut.pcap"), java.util.Arrays.copyOf(whole, whole.length - 20));
    PcapReplay.Summary s = PcapReplay.replay(cut, "s", Duration.ofSeconds(10), publisher);
    assertThat(s.published()).isEqualTo(14);
    assertThat(s.truncated()).isTrue();
    assertThat(s.line()).contains("(the file ends mid-record)");
    assertThat(publisher.observations).hasSize(14);
  }

  @Test
  void pcapngWithNanosecondResolutionAndBigEndianPcapReadAlike(@TempDir Path dir)
      throws IOException {
    List<PcapFixtures.Frame> frames = PcapFixtures.read("arp-request-reply.pcap");
    Path bigEndianNanos = dir.resolve("be-ns.pcap");
    Files.write(bigEndianNanos, CaptureFiles.classicBigEndianNanos(frames));
    Path ngNanos = dir.resolve("ns.pcapng");
    Files.write(ngNanos, CaptureFiles.pcapngNanos(frames));

    for (Path file : List.of(bigEndianNanos, ngNanos)) {
      publisher.observations.clear();
      PcapReplay.replay(file, "s", Duration.ofSeconds(10), publisher);
      assertThat(publisher.observations)
          .as(file.getFileName().toString())
          .extracting(ArpObservation::eventTime)
          .containsExactly(
              frames.get(0).timestamp().plusNanos(7), frames.get(1).timestamp().plusNanos(7));
      assertThat(publisher.observations)
          .extracting(ArpObservation::packetClass)
          .containsExactly(PacketClass.REQUEST, PacketClass.REPLY);
    }
  }

  @Test
  void aPcapngLargerThanTheReadBufferIsReadWhole(@TempDir Path dir) throws IOException {
    // ~2.5 MB of enhanced packet blocks: some straddle the reader's 1 MiB buffer
    List<PcapFixtures.Frame> two = PcapFixtures.read("arp-request-reply.pcap");
    List<PcapFixtures.Frame> frames = new java.util.ArrayList<>();
    for (int i = 0; i < 30_000; i++) {
      PcapFixtures.Frame f = two.get(i % 2);
      frames.add(new PcapFixtures.Frame(f.timestamp().plusMillis(i), f.bytes()));
    }
    Path ng = Files.write(dir.resolve("large.pcapng"), CaptureFiles.pcapngNanos(frames));

    PcapReplay.Summary s = PcapReplay.replay(ng, "s", Duration.ofSeconds(10), publisher);

    assertThat(s.truncated()).isFalse();
    assertThat(publisher.observations)
        .extracting(ArpObservation::eventTime)
        .containsExactlyElementsOf(frames.stream().map(f -> f.timestamp().plusNanos(7)).toList());
  }
}
