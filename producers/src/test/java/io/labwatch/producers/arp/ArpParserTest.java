package io.labwatch.producers.arp;

import static org.assertj.core.api.Assertions.assertThat;

import io.labwatch.events.ArpObservation;
import io.labwatch.events.IpAddress;
import io.labwatch.events.MacAddress;
import io.labwatch.events.PacketClass;
import io.labwatch.producers.arp.PcapFixtures.Frame;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/** The parser on real frames captured between network namespaces (see make-fixtures). */
class ArpParserTest {

  static final MacAddress SERVER = MacAddress.of("3c:fd:fe:0a:00:10");
  static final MacAddress ROUTER = MacAddress.of("00:a0:de:0a:00:10");
  static final MacAddress CLIENT = MacAddress.of("52:54:00:0a:00:21");
  static final MacAddress GATEWAY = MacAddress.of("00:1b:21:0a:00:01");
  static final MacAddress NEWBOX = MacAddress.of("00:0c:29:0a:00:30");
  static final IpAddress SERVER_IP = IpAddress.of("10.77.0.10");
  static final IpAddress CLIENT_IP = IpAddress.of("10.77.0.21");

  private final ParseStats stats = new ParseStats();
  private final ArpParser parser = new ArpParser("lab-sw1", "eth0", LinkType.ETHERNET, stats);

  private ArpObservation parse(Frame f) {
    return parser.parse(f.bytes(), f.bytes().length, f.timestamp());
  }

  private List<ArpObservation> parseAll(String fixture) {
    return PcapFixtures.read(fixture).stream().map(this::parse).toList();
  }

  @Test
  void aClientsRequestAndTheServersReply() {
    List<ArpObservation> obs = parseAll("arp-request-reply.pcap");

    ArpObservation request = obs.get(0);
    assertThat(request.packetClass()).isEqualTo(PacketClass.REQUEST);
    assertThat(request.senderIp()).isEqualTo(CLIENT_IP);
    assertThat(request.senderMac()).isEqualTo(CLIENT);
    assertThat(request.targetIp()).isEqualTo(SERVER_IP);
    assertThat(request.targetMac()).isEqualTo(MacAddress.ZERO);
    assertThat(request.ethSrc()).isEqualTo(CLIENT);
    assertThat(request.subjectIp()).isEqualTo(CLIENT_IP);
    assertThat(request.vlan()).isNull();
    assertThat(request.sensorId()).isEqualTo("lab-sw1");
    assertThat(request.iface()).isEqualTo("eth0");
    assertThat(request.eventTime())
        .isEqualTo(PcapFixtures.read("arp-request-reply.pcap").get(0).timestamp());
    assertThat(request.eventTime().getNano() % 1000).isZero();
    assertThat(request.eventTime().getNano()).isNotZero();

    ArpObservation reply = obs.get(1);
    assertThat(reply.packetClass()).isEqualTo(PacketClass.REPLY);
    assertThat(reply.senderIp()).isEqualTo(SERVER_IP);
    assertThat(reply.senderMac()).isEqualTo(SERVER);
    assertThat(reply.targetMac()).isEqualTo(CLIENT);
    assertThat(reply.subjectIp()).isEqualTo(SERVER_IP);
    assertThat(reply.etherMismatch()).isFalse();
    assertThat(stats.parsedCount()).isEqualTo(2);
    assertThat(stats.skippedCount()).isZero();
  }

  @Test
  void anRfc5227ProbeIsAboutItsTargetAndNeverFromAnAddress() {
    List<ArpObservation> obs = parseAll("arp-probe.pcap");
    ArpObservation probe = obs.get(0);
    assertThat(probe.packetClass()).isEqualTo(PacketClass.PROBE);
    assertThat(probe.senderIp()).isEqualTo(IpAddress.of("0.0.0.0"));
    assertThat(probe.senderMac()).isEqualTo(NEWBOX);
    assertThat(probe.targetIp()).isEqualTo(SERVER_IP);
    assertThat(probe.subjectIp()).isEqualTo(SERVER_IP);
    assertThat(obs.get(1).packetClass()).isEqualTo(PacketClass.REPLY);
    assertThat(obs.get(1).senderMac()).isEqualTo(SERVER);
  }

  @Test
  void gratuitousArpAsRequestAndAsReplyIsAnAnnouncement() {
    List<ArpObservation> announcements =
        parseAll("arp-announcement.pcap").stream()
            .filter(o -> o.packetClass() == PacketClass.ANNOUNCEMENT)
            .toList();
    assertThat(announcements).hasSize(2);
    assertThat(announcements)
        .allSatisfy(
            a -> {
              assertThat(a.senderIp()).isEqualTo(SERVER_IP);
              assertThat(a.targetIp()).isEqualTo(SERVER_IP);
              assertThat(a.senderMac()).isEqualTo(SERVER);
              assertThat(a.subjectIp()).isEqualTo(SERVER_IP);
            });
  }

  @Test
  void vlanTaggedFramesKeepTheirVlanId() {
    List<ArpObservation> obs = parseAll("arp-vlan.pcap");
    assertThat(obs).extracting(ArpObservation::vlan).containsExactly(20, 20);
    assertThat(obs)
        .extracting(ArpObservation::packetClass)
        .containsExactly(PacketClass.REQUEST, PacketClass.REPLY);
    assertThat(obs.get(1).senderIp()).isEqualTo(IpAddress.of("10.77.20.10"));
    assertThat(obs.get(1).senderMac()).isEqualTo(SERVER);
  }

  @Test
  void vlanTaggedFramesAreKeyedInTheirVlan() {
    List<ArpObservation> obs = parseAll("arp-vlan.pcap");
    assertThat(obs).extracting(ArpObservation::segmentName).containsExactly("vlan20", "vlan20");
    assertThat(obs.get(1).key()).isEqualTo("10.77.20.10%vlan20");
    assertThat(obs).extracting(ArpObservation::segment).containsOnlyNulls();
  }

  @Test
  void aSensorInAConfiguredSegmentKeysItsUntaggedFramesThereAndItsTaggedOnesInTheirVlan() {
    ArpParser inLabB = new ArpParser("lab-b-sw", "eth1", "lab-b", LinkType.ETHERNET, stats);
    List<ArpObservation> untagged =
        PcapFixtures.read("arp-request-reply.pcap").stream()
            .map(f -> inLabB.parse(f.bytes(), f.bytes().length, f.timestamp()))
            .toList();
    assertThat(untagged).extracting(ArpObservation::segment).containsOnly("lab-b");
    assertThat(untagged)
        .extracting(ArpObservation::key)
        .containsExactly("10.77.0.21%lab-b", "10.77.0.10%lab-b");
    List<ArpObservation> tagged =
        PcapFixtures.read("arp-vlan.pcap").stream()
            .map(f -> inLabB.parse(f.bytes(), f.bytes().length, f.timestamp()))
            .toList();
    assertThat(tagged.get(1).key()).isEqualTo("10.77.20.10%vlan20");
    // the parser of a sensor without a segment gives what it always gave: no segment, IP keys
    assertThat(parseAll("arp-request-reply.pcap"))
        .extracting(ArpObservation::key)
        .containsExactly("10.77.0.21", "10.77.0.10");
  }

  @Test
  void aSenderMacOtherThanTheEthernetSourceIsFlagged() {
    ArpObservation obs = parseAll("arp-mismatch.pcap").get(0);
    assertThat(obs.packetClass()).isEqualTo(PacketClass.REPLY);
    assertThat(obs.senderMac()).isEqualTo(SERVER);
    assertThat(obs.ethSrc()).isEqualTo(CLIENT);
    assertThat(obs.etherMismatch()).isTrue();
  }

  @Test
  void ipv6NeighbourDiscoveryWithDuplicateAddressDetection() {
    List<ArpObservation> obs = parseAll("nd-ns-na.pcap");
    assertThat(obs).doesNotContainNull();

    ArpObservation dad = obs.get(0);
    assertThat(dad.packetClass()).isEqualTo(PacketClass.NEIGHBOR_SOLICITATION);
    assertThat(dad.senderIp()).isEqualTo(IpAddress.of("::"));
    assertThat(dad.senderMac()).isNull();
    assertThat(dad.targetIp()).isEqualTo(IpAddress.of("fe80::3efd:feff:fe0a:10"));
    assertThat(dad.subjectIp()).isEqualTo(IpAddress.of("fe80::3efd:feff:fe0a:10"));
    assertThat(dad.ethSrc()).isEqualTo(SERVER);

    ArpObservation solicitation = obs.get(3);
    assertThat(solicitation.packetClass()).isEqualTo(PacketClass.NEIGHBOR_SOLICITATION);
    assertThat(solicitation.senderIp()).isEqualTo(IpAddress.of("fe80::5054:ff:fe0a:21"));
    assertThat(solicitation.senderMac()).isEqualTo(CLIENT);
    assertThat(solicitation.subjectIp()).isEqualTo(IpAddress.of("fe80::5054:ff:fe0a:21"));

    ArpObservation advertisement = obs.get(4);
    assertThat(advertisement.packetClass()).isEqualTo(PacketClass.NEIGHBOR_ADVERTISEMENT);
    assertThat(advertisement.targetIp()).isEqualTo(IpAddress.of("fe80::3efd:feff:fe0a:10"));
    assertThat(advertisement.targetMac()).isEqualTo(SERVER);
    assertThat(advertisement.subjectIp()).isEqualTo(IpAddress.of("fe80::3efd:feff:fe0a:10"));
  }

  @Test
  void theIpConflictCaptureHasBothMacsAnsweringForTheServersAddress() {
    List<ArpObservation> replies =
        parseAll("ip-conflict.pcap").stream()
            .filter(o -> o.packetClass() == PacketClass.REPLY)
            .toList();
    assertThat(replies).hasSize(10).allMatch(o -> o.subjectIp().equals(SERVER_IP));
    assertThat(replies).extracting(ArpObservation::senderMac).containsOnly(SERVER, ROUTER);
  }

  @Test
  void everyTruncationOfARealFrameIsSkippedAsTruncated() {
    Frame reply = PcapFixtures.read("arp-request-reply.pcap").get(1);
    for (int length = 0; length < 42; length++) {
      assertThat(parse(reply.truncated(length))).as("cut to %d bytes", length).isNull();
    }
    assertThat(stats.skippedCount(SkipReason.TRUNCATED)).isEqualTo(42);
    Frame na = PcapFixtures.read("nd-ns-na.pcap").get(4);
    for (int length = 14; length < na.bytes().length; length++) {
      assertThat(parse(na.truncated(length))).as("NA cut to %d bytes", length).isNull();
    }
    assertThat(stats.skippedByReason()).containsOnlyKeys(SkipReason.TRUNCATED);
  }

  @Test
  void otherFramesAreCountedByReason() {
    Frame reply = PcapFixtures.read("arp-request-reply.pcap").get(1);
    assertThat(parse(reply.with(12, 0x08, 0x00))).isNull(); // IPv4, not ARP
    assertThat(parse(reply.with(14, 0x00, 0x06))).isNull(); // IEEE 802 hardware type
    assertThat(parse(reply.with(20, 0x00, 0x03))).isNull(); // RARP request
    assertThat(parse(reply.with(22, 0, 0, 0, 0, 0, 0))).isNull(); // zero sender MAC
    assertThat(parse(reply.with(22, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff))).isNull(); // broadcast
    assertThat(parse(reply.with(28, 0, 0, 0, 0))).isNull(); // a reply from 0.0.0.0
    Frame na = PcapFixtures.read("nd-ns-na.pcap").get(4);
    assertThat(parse(na.with(21, 64))).isNull(); // hop limit 64: not from the link
    assertThat(parse(na.with(54, 128))).isNull(); // echo request, not ND

    assertThat(stats.skippedByReason())
        .containsEntry(SkipReason.NOT_NEIGHBOR_DISCOVERY, 2L)
        .containsEntry(SkipReason.NOT_ETHERNET_IPV4_ARP, 1L)
        .containsEntry(SkipReason.UNKNOWN_OPERATION, 1L)
        .containsEntry(SkipReason.INVALID_SENDER_MAC, 2L)
        .containsEntry(SkipReason.UNSPECIFIED_SENDER_REPLY, 1L)
        .containsEntry(SkipReason.INVALID_NEIGHBOR_DISCOVERY, 1L);
    assertThat(stats.parsedCount()).isZero();
    assertThat(stats.describeSkipped())
        .startsWith("skipped 8 (not ARP or neighbour discovery: 2, ");
  }

  @Test
  void linuxCookedCapturesParseToTheSameObservation() {
    Frame reply = PcapFixtures.read("arp-request-reply.pcap").get(1);
    byte[] eth = reply.bytes();
    // SLL v1: packet type, ARPHRD_ETHER, address length 6, address (8 bytes), protocol
    byte[] sll = new byte[16 + eth.length - 14];
    sll[3] = 1;
    sll[5] = 6;
    System.arraycopy(eth, 6, sll, 6, 6);
    sll[14] = 0x08;
    sll[15] = 0x06;
    System.arraycopy(eth, 14, sll, 16, eth.length - 14);
    ArpParser cooked = new ArpParser("lab-sw1", "eth0", LinkType.LINUX_SLL, stats);
    assertThat(cooked.parse(sll, sll.length, reply.timestamp())).isEqualTo(parse(reply));

    // SLL v2: protocol, reserved, ifindex, ARPHRD_ETHER, packet type, address length, address
    byte[] sll2 = new byte[20 + eth.length - 14];
    sll2[0] = 0x08;
    sll2[1] = 0x06;
    sll2[9] = 1;
    sll2[11] = 6;
    System.arraycopy(eth, 6, sll2, 12, 6);
    System.arraycopy(eth, 14, sll2, 20, eth.length - 14);
    ArpParser cooked2 = new ArpParser("lab-sw1", "eth0", LinkType.LINUX_SLL2, stats);
    assertThat(cooked2.parse(sll2, sll2.length, reply.timestamp())).isEqualTo(parse(reply));
  }

  @Test
  void everyCommittedFixtureFrameParses() {
    List<ArpObservation> all = PcapFixtures.all().stream().map(this::parse).toList();
    assertThat(all).allMatch(Objects::nonNull);
    // (every class a frame can be: ROUTER_TABLE comes from a router's table, not from the wire)
    assertThat(all)
        .extracting(ArpObservation::packetClass)
        .contains(
            java.util.Arrays.stream(PacketClass.values())
                .filter(c -> c != PacketClass.ROUTER_TABLE)
                .toArray(PacketClass[]::new));
  }
}
