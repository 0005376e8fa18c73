package io.labwatch.producers.arp;

import static org.assertj.core.api.Assertions.assertThat;

import io.labwatch.events.ArpObservation;
import io.labwatch.events.IpAddress;
import io.labwatch.events.MacAddress;
import io.labwatch.events.PacketClass;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProberTest {

  @Test
  void aProbeIsABroadcastRequestFromTheInterfacesOwnAddressThatTheParserReadsBack() {
    MacAddress own = MacAddress.of("02:00:00:00:02:50");
    byte[] frame = Prober.request(own, IpAddress.of("10.77.0.250"), IpAddress.of("10.77.0.10"));

    assertThat(frame).hasSize(60);
    assertThat(MacAddress.fromBytes(frame, 0)).isEqualTo(MacAddress.BROADCAST);
    ArpObservation parsed =
        new ArpParser("s", "eth0", LinkType.ETHERNET, new ParseStats())
            .parse(frame, frame.length, Instant.EPOCH);
    assertThat(parsed.packetClass()).isEqualTo(PacketClass.REQUEST);
    assertThat(parsed.senderMac()).isEqualTo(own);
    assertThat(parsed.ethSrc()).isEqualTo(own);
    assertThat(parsed.senderIp()).isEqualTo(IpAddress.of("10.77.0.250"));
    assertThat(parsed.targetIp()).isEqualTo(IpAddress.of("10.77.0.10"));
    assertThat(parsed.targetMac()).isEqualTo(MacAddress.ZERO);
  }

  @Test
  void subnetsContainTheirAddressesOnly() {
    Interfaces.Ipv4Address net = new Interfaces.Ipv4Address(IpAddress.of("10.77.0.250"), 24);
    assertThat(net.contains(IpAddress.of("10.77.0.10"))).isTrue();
    assertThat(net.contains(IpAddress.of("10.77.1.10"))).isFalse();
    assertThat(net.contains(IpAddress.of("fe80::1"))).isFalse();
    assertThat(
            new Interfaces.Ipv4Address(IpAddress.of("192.168.1.7"), 32)
                .contains(IpAddress.of("192.168.1.8")))
        .isFalse();
    assertThat(
            new Interfaces.Ipv4Address(IpAddress.of("192.168.1.7"), 0)
                .contains(IpAddress.of("8.8.8.8")))
        .isTrue();
  }

  private static final Interfaces.Ipv4Address LAB =
      new Interfaces.Ipv4Address(ip("10.77.0.250"), 24);
  private static final Interfaces.Ipv4Address OTHER_LAN =
      new Interfaces.Ipv4Address(ip("192.168.5.2"), 24);

  private static IpAddress ip(String s) {
    return IpAddress.of(s);
  }

  @Test
  void anIpInTheInterfacesSubnetIsAskedForFromTheInterfacesAddressInIt() {
    Prober.Choice c = Prober.choose(List.of(OTHER_LAN, LAB), ip("10.77.0.10"));

    assertThat(c.sends()).isTrue();
    assertThat(c.isRfc5227Probe()).isFalse();
    assertThat(c.senderIp()).isEqualTo(ip("10.77.0.250"));
  }

  @Test
  void anInterfaceWithoutIpv4SendsAnRfc5227ProbeThatTheParserReadsAsAProbe() {
    Prober.Choice c = Prober.choose(List.of(), ip("10.77.0.10"));

    assertThat(c.isRfc5227Probe()).isTrue();
    byte[] frame =
        Prober.request(MacAddress.of("02:00:00:00:02:50"), c.senderIp(), ip("10.77.0.10"));
    ArpObservation parsed =
        new ArpParser("s", "eth0", LinkType.ETHERNET, new ParseStats())
            .parse(frame, frame.length, Instant.EPOCH);
    assertThat(parsed.packetClass()).isEqualTo(PacketClass.PROBE);
    assertThat(parsed.subjectIp()).isEqualTo(ip("10.77.0.10"));
  }

  @Test
  void anInterfaceWithAddressesOnlyInOtherSubnetsDoesNotProbe() {
    Prober.Choice c = Prober.choose(List.of(OTHER_LAN), ip("10.77.0.10"));

    assertThat(c.sends()).isFalse();
    assertThat(c.skip()).isEqualTo(Prober.Choice.Skip.OTHER_NETWORK);
  }

  @Test
  void theInterfacesOwnAddressIsNeverProbed() {
    assertThat(Prober.choose(List.of(LAB), ip("10.77.0.250")).skip())
        .isEqualTo(Prober.Choice.Skip.OWN_ADDRESS);
    assertThat(Prober.choose(List.of(OTHER_LAN, LAB), ip("192.168.5.2")).skip())
        .isEqualTo(Prober.Choice.Skip.OWN_ADDRESS);
  }

  @Test
  void onlyIpv4AddressesOtherThanZeroAreProbed() {
    assertThat(Prober.choose(List.of(), ip("fe80::1")).skip())
        .isEqualTo(Prober.Choice.Skip.NOT_IPV4);
    assertThat(Prober.choose(List.of(), IpAddress.V4_UNSPECIFIED).skip())
        .isEqualTo(Prober.Choice.Skip.NOT_IPV4);
  }
}
