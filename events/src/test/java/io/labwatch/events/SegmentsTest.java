package io.labwatch.events;

import static io.labwatch.events.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SegmentsTest {

  private final JsonSerde<SensorEvent> serde = JsonSerde.of(SensorEvent.class);

  private static ArpObservation reply(Integer vlan, String segment) {
    return new ArpObservation(
        T0,
        "lab-sw1",
        "eth0",
        vlan,
        segment,
        PacketClass.REPLY,
        IpAddress.of("10.77.0.10"),
        MacAddress.of("00:a0:de:12:34:56"),
        IpAddress.of("10.77.0.21"),
        MacAddress.of("52:54:00:77:00:21"),
        MacAddress.of("00:a0:de:12:34:56"));
  }

  @Test
  void anUntaggedFrameOfASensorWithoutASegmentIsKeyedByItsIpAlone() {
    ArpObservation o = reply(null, null);
    assertThat(o.segmentName()).isNull();
    assertThat(o.key()).isEqualTo("10.77.0.10");
  }

  @Test
  void aTaggedFrameIsInItsVlanWhateverTheSensorsSegment() {
    assertThat(reply(20, null).key()).isEqualTo("10.77.0.10%vlan20");
    assertThat(reply(20, "lab-b").key()).isEqualTo("10.77.0.10%vlan20");
    // VLAN 0 is a priority tag, no VLAN: the frame is the sensor's untagged traffic
    assertThat(reply(0, null).key()).isEqualTo("10.77.0.10");
    assertThat(reply(0, "lab-b").key()).isEqualTo("10.77.0.10%lab-b");
  }

  @Test
  void anUntaggedFrameIsInTheSensorsConfiguredSegment() {
    ArpObservation o = reply(null, "Lab-B");
    assertThat(o.segment()).isEqualTo("lab-b");
    assertThat(o.key()).isEqualTo("10.77.0.10%lab-b");
  }

  @Test
  void aKeySaysItsAddressAndSegmentAndHowTextsNameThem() {
    assertThat(Segments.address("10.77.0.10%vlan20")).isEqualTo(IpAddress.of("10.77.0.10"));
    assertThat(Segments.segment("10.77.0.10%vlan20")).isEqualTo("vlan20");
    assertThat(Segments.segment("fd00:77::10")).isNull();
    assertThat(Segments.where("10.77.0.10")).isEqualTo("10.77.0.10");
    assertThat(Segments.where("10.77.0.10%vlan20")).isEqualTo("10.77.0.10 in VLAN 20");
    assertThat(Segments.where("fd00:77::10%lab-b")).isEqualTo("fd00:77::10 in segment lab-b");
    assertThat(Segments.canonical("FD00:77:0:0::10%VLAN20")).isEqualTo("fd00:77::10%vlan20");
    assertThatThrownBy(() -> Segments.canonical("00:a0:de:12:34:56"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Segments.canonical("10.77.0.10%lab b"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aSegmentNameThatIsNoneIsRefusedNamingIt() {
    assertThat(Segments.name("  ")).isNull();
    assertThat(Segments.name("vlan4094")).isEqualTo("vlan4094");
    assertThatThrownBy(() -> Segments.name("lab b"))
        .hasMessageStartingWith("not a segment name: 'lab b'");
    assertThatThrownBy(() -> Segments.name("lab%b")).hasMessageContaining("'lab%b'");
    assertThatThrownBy(() -> Segments.name("vlan0")).hasMessageContaining("1..4094");
    assertThatThrownBy(() -> Segments.name("vlan020")).hasMessageContaining("1..4094");
    assertThatThrownBy(() -> Segments.name("vlan4095")).hasMessageContaining("1..4094");
    assertThatThrownBy(() -> reply(null, "a/b"))
        .hasMessageStartingWith("ArpObservation: 'segment': not a segment name: 'a/b'");
  }

  @Test
  void anObservationWithoutASegmentIsWrittenAsBeforeAndOneWithItRoundTrips() {
    String plain = new String(serde.serialize("t", reply(20, null)), StandardCharsets.UTF_8);
    assertThat(plain)
        .isEqualTo(
            "{\"type\":\"arp\",\"v\":1,\"eventTime\":\"2026-11-25T14:02:11.123456Z\",\"sensorId\":\"lab-sw1\",\"interface\":\"eth0\",\"vlan\":20,\"class\":\"REPLY\",\"senderIp\":\"10.77.0.10\",\"senderMac\":\"00:a0:de:12:34:56\",\"targetIp\":\"10.77.0.21\",\"targetMac\":\"52:54:00:77:00:21\",\"ethSrc\":\"00:a0:de:12:34:56\"}");
    ArpObservation inB = reply(null, "lab-b");
    byte[] bytes = serde.serialize("t", inB);
    assertThat(new String(bytes, StandardCharsets.UTF_8)).contains("\"segment\":\"lab-b\"");
    assertThat(serde.deserialize("t", bytes)).isEqualTo(inB);
  }

  @Test
  void aRecordOfAnOlderLabwatchWithoutTheFieldIsInTheDefaultSegment() {
    String old =
        "{\"type\":\"arp\",\"v\":1,\"eventTime\":\"2026-11-25T14:02:11Z\",\"sensorId\":\"s\","
            + "\"interface\":\"eth0\",\"class\":\"ANNOUNCEMENT\",\"senderIp\":\"10.77.0.10\","
            + "\"senderMac\":\"00:a0:de:12:34:56\",\"targetIp\":\"10.77.0.10\","
            + "\"ethSrc\":\"00:a0:de:12:34:56\"}";
    ArpObservation o =
        (ArpObservation) serde.deserialize("t", old.getBytes(StandardCharsets.UTF_8));
    assertThat(o.segment()).isNull();
    assertThat(o.key()).isEqualTo("10.77.0.10");
  }

  @Test
  void aProbeRequestAndAProbesRecordCarryTheirSegmentAndLeaveItOutInTheDefaultOne() {
    JsonSerde<ProbeRequest> requests = JsonSerde.of(ProbeRequest.class);
    IpAddress ip = IpAddress.of("10.77.0.10");
    ProbeRequest plain = new ProbeRequest(ip, T0, java.util.List.of(), "r");
    assertThat(new String(requests.serialize("t", plain), StandardCharsets.UTF_8))
        .doesNotContain("segment");
    assertThat(plain.key()).isEqualTo("10.77.0.10");
    ProbeRequest inVlan = new ProbeRequest(ip, T0, java.util.List.of(), "r", "vlan20");
    assertThat(requests.deserialize("t", requests.serialize("t", inVlan))).isEqualTo(inVlan);
    assertThat(inVlan.key()).isEqualTo("10.77.0.10%vlan20");

    ArpProbe sent = ArpProbe.sent(T0, "s", "eth0", ip, MacAddress.of("00:1b:21:77:00:99"));
    assertThat(new String(serde.serialize("t", sent), StandardCharsets.UTF_8))
        .doesNotContain("segment");
    assertThat(sent.key()).isEqualTo("10.77.0.10");
    ArpProbe inB = sent.inSegment("lab-b");
    assertThat(serde.deserialize("t", serde.serialize("t", inB))).isEqualTo(inB);
    assertThat(inB.key()).isEqualTo("10.77.0.10%lab-b");
  }

  @Test
  void aRouterTableEntryIsInTheDefaultSegment() {
    assertThat(Fixtures.routerTableEntry().key()).isEqualTo("10.77.0.10");
  }
}
