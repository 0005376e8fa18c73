package io.labwatch.streams.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.labwatch.events.Alert;
import io.labwatch.events.Evidence;
import io.labwatch.events.PacketClass;
import io.labwatch.events.Severity;
import io.labwatch.streams.bindings.IpState;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class IpStateSerdeTest {

  private final IpStateSerde serde = new IpStateSerde();

  @Test
  void aStateWithEverythingInItRoundTrips() {
    IpState s = new IpState();
    s.ip = "10.77.0.10";
    s.lastSeen = 1_764_000_000_123L;
    IpState.MacSeen server = new IpState.MacSeen();
    server.packets = 40;
    server.firstSeen = 1_764_000_000_000L;
    server.lastSeen = 1_764_000_000_123L;
    server.sensors.addAll(List.of("lab-sw1", "lab-sw2"));
    server.classes.addAll(
        List.of(PacketClass.REPLY, PacketClass.ANNOUNCEMENT, PacketClass.NEIGHBOR_ADVERTISEMENT));
    s.macs.put("dc:9b:9c:77:00:10", server);
    s.macs.put("00:a0:de:77:00:10", new IpState.MacSeen());
    s.lastMac = "dc:9b:9c:77:00:10";
    s.lastAssertAt = 1_764_000_000_100L;
    s.recentFlips.addAll(List.of(1L, 2L, 3L));
    s.conflict = new IpState.Incident();
    s.conflict.alert =
        Alert.firing(
            "IP_CONFLICT",
            "10.77.0.10",
            Severity.CRITICAL,
            "conflict",
            Evidence.NONE,
            Map.of("sensor", "lab-sw1"),
            Instant.ofEpochMilli(1_764_000_000_000L));
    s.conflict.macs.addAll(List.of("dc:9b:9c:77:00:10", "00:a0:de:77:00:10"));
    s.conflict.flips = 12;
    s.conflict.lastEmittedAt = 5;
    s.pending = new IpState.Pending();
    s.pending.from = "dc:9b:9c:77:00:10";
    s.pending.to = "00:a0:de:77:00:10";
    s.pending.at = 7;
    s.probesTold.put("00:0c:29:77:00:30", 9L);
    s.mismatchesTold.add("dc:9b:9c:77:00:10|52:54:00:77:00:21");
    s.timerAt = 11;
    server.lastAnswerAt = 1_764_000_000_120L;
    server.lastAnswerTo = "10.77.0.21";
    server.answeredTo.addAll(List.of("10.77.0.21", "10.77.0.1"));
    s.conflict.claimer = "00:a0:de:77:00:10";
    s.conflict.held = true;
    s.conflict.probe = IpState.PROBE_SILENT;
    s.probeSentAt = 13;
    s.prober = "02:00:00:00:00:99";
    s.probeDoneAt = 15;
    s.probeAnswered.add("dc:9b:9c:77:00:10");
    s.routerTables.addAll(List.of("10.77.0.1", "core-sw"));

    IpState back = serde.deserialize("t", serde.serialize("t", s));

    assertThat(back).usingRecursiveComparison().isEqualTo(s);
  }

  @Test
  void anEmptyStateRoundTrips() {
    IpState s = new IpState();
    s.ip = "fe80::1";
    assertThat(serde.deserialize("t", serde.serialize("t", s)))
        .usingRecursiveComparison()
        .isEqualTo(s);
  }

  /** A state written by labwatch before answers and probes were kept (format 1). */
  static final String FORMAT_1_STATE =
      "AQAKMTAuNzcuMC4xMAAAAZq2l+h7AAAAAQAA3JucdwAQAAAAAAAAAAEAAAGatpfoewAAAZq2l+h7AAAAAQAHbGFiLXN3MQAAAAIAANybnHcAEAAAAZq2l+h7AAAAAAAAAAAAAAAAAAAAAAABmraX6Hs=";

  @Test
  void aStateOfFormatOneIsReadWithNothingOfTheNewFieldsInIt() {
    IpState back = serde.deserialize("t", java.util.Base64.getDecoder().decode(FORMAT_1_STATE));
    assertThat(back.ip).isEqualTo("10.77.0.10");
    assertThat(back.macs).containsOnlyKeys("dc:9b:9c:77:00:10");
    assertThat(back.macs.get("dc:9b:9c:77:00:10").sensors).containsExactly("lab-sw1");
    assertThat(back.macs.get("dc:9b:9c:77:00:10").classes).containsExactly(PacketClass.REPLY);
    assertThat(back.lastMac).isEqualTo("dc:9b:9c:77:00:10");
    assertThat(back.macs.get("dc:9b:9c:77:00:10").answeredTo).isEmpty();
    assertThat(back.probeSentAt).isZero();
    assertThat(back.probeAnswered).isEmpty();
  }

  /**
   * A state written by labwatch before routers' ARP tables were polled (format 2): an answer and a
   * confirmation probe in it.
   */
  static final String FORMAT_2_STATE =
      "AgAKMTAuNzcuMC4xMAAAAZq2l+h7AAAAAQAA3JucdwAQAAAAAAAAAAMAAAGatpfoAAAAAZq2l+h7AAAAAQAHbGFiLXN3MQAAAAIAAAGatpfoeAEACjEwLjc3LjAuMjEAAAAAAADcm5x3ABAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA0AAAIAAAAAmQAAAAAAAAAPAAAAAQAA3JucdwAQ";

  @Test
  void aStateOfFormatTwoIsReadWithItsProbeAndNoRouterTables() {
    IpState back = serde.deserialize("t", java.util.Base64.getDecoder().decode(FORMAT_2_STATE));
    assertThat(back.ip).isEqualTo("10.77.0.10");
    assertThat(back.macs.get("dc:9b:9c:77:00:10").lastAnswerTo).isEqualTo("10.77.0.21");
    assertThat(back.prober).isEqualTo("02:00:00:00:00:99");
    assertThat(back.probeSentAt).isEqualTo(13);
    assertThat(back.probeDoneAt).isEqualTo(15);
    assertThat(back.probeAnswered).containsExactly("dc:9b:9c:77:00:10");
    assertThat(back.routerTables).isEmpty();
    // and written again, it is format 3 and the same state
    byte[] again = serde.serialize("t", back);
    assertThat(again[0]).isEqualTo((byte) 3);
    assertThat(serde.deserialize("t", again)).usingRecursiveComparison().isEqualTo(back);
  }

  @Test
  void itsWriterWritesWhatDataOutputStreamWritesByteForByte() throws Exception {
    java.util.Random random = new java.util.Random(42);
    for (int round = 0; round < 200; round++) {
      java.io.ByteArrayOutputStream expected = new java.io.ByteArrayOutputStream();
      java.io.DataOutputStream data = new java.io.DataOutputStream(expected);
      IpStateSerde.Out out = new IpStateSerde.Out(1);
      for (int field = 0; field < 20; field++) {
        switch (random.nextInt(5)) {
          case 0 -> {
            long v = random.nextLong();
            data.writeLong(v);
            out.writeLong(v);
          }
          case 1 -> {
            int v = random.nextInt();
            data.writeInt(v);
            out.writeInt(v);
          }
          case 2 -> {
            boolean v = random.nextBoolean();
            data.writeBoolean(v);
            out.writeBoolean(v);
          }
          case 3 -> {
            int v = random.nextInt(256);
            data.writeByte(v);
            out.writeByte(v);
          }
          default -> {
            // ASCII, NUL, two- and three-byte characters, half a surrogate pair
            char[] pool = {'a', '9', ':', '\0', 'é', 'ß', '\u07ff', '\u0800', '€', '\ud83d', 'z'};
            StringBuilder sb = new StringBuilder();
            for (int i = random.nextInt(12); i > 0; i--) {
              sb.append(pool[random.nextInt(pool.length)]);
            }
            data.writeUTF(sb.toString());
            out.writeUTF(sb.toString());
          }
        }
      }
      assertThat(out.toByteArray()).isEqualTo(expected.toByteArray());
    }
  }

  @Test
  void anUnknownFormatIsRefusedClearly() {
    IpState s = new IpState();
    s.ip = "10.0.0.1";
    byte[] bytes = serde.serialize("t", s);
    bytes[0] = 9;
    assertThatThrownBy(() -> serde.deserialize("t", bytes))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("format 9");
  }
}
