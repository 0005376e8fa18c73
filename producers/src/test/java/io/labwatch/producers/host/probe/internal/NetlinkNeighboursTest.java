package io.labwatch.producers.host.probe.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.labwatch.events.IpAddress;
import io.labwatch.events.MacAddress;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/**
 * Reading rtnetlink's neighbour dump: messages built as the kernel sends them (header, ndmsg,
 * attributes, each 4-byte aligned). The lookup against the kernel itself, with real neighbours in
 * network namespaces, is ReachabilityProbeNetnsIT's IPv6 case.
 */
class NetlinkNeighboursTest {

  static final IpAddress SERVER = IpAddress.of("fd77::10");
  static final IpAddress OTHER = IpAddress.of("fd77::20");
  static final MacAddress SERVER_MAC = MacAddress.of("3c:fd:fe:0a:00:10");
  static final int REACHABLE = 0x02;
  static final int STALE = 0x04;
  static final int INCOMPLETE = 0x01;
  static final int FAILED = 0x20;

  @Test
  void findsTheEntryOfTheAddressAmongOthers() {
    byte[] read =
        concat(
            neighbour(7, OTHER, MacAddress.of("02:00:00:00:00:20"), REACHABLE),
            neighbour(7, SERVER, SERVER_MAC, STALE),
            done(7));
    NetlinkNeighbours.Found f = NetlinkNeighbours.find(read, read.length, SERVER.toBytes(), 7);
    assertThat(f.mac()).isEqualTo(SERVER_MAC);
  }

  @Test
  void anEntryWithoutALinkLayerAddressIsNoMac() {
    for (int state : new int[] {INCOMPLETE, FAILED}) {
      byte[] read = concat(neighbour(3, SERVER, MacAddress.ZERO, state), done(3));
      NetlinkNeighbours.Found f = NetlinkNeighbours.find(read, read.length, SERVER.toBytes(), 3);
      assertThat(f.mac()).isNull();
      assertThat(f.end()).isTrue();
    }
    // an incomplete entry the kernel sends without NDA_LLADDR at all
    byte[] noLl =
        concat(message(28, 3, ndmsg(INCOMPLETE), attribute(1, SERVER.toBytes())), done(3));
    assertThat(NetlinkNeighbours.find(noLl, noLl.length, SERVER.toBytes(), 3).mac()).isNull();
  }

  @Test
  void aDumpSpreadOverReadsGoesOnUntilItsEnd() {
    byte[] first = neighbour(5, OTHER, MacAddress.of("02:00:00:00:00:20"), REACHABLE);
    NetlinkNeighbours.Found f = NetlinkNeighbours.find(first, first.length, SERVER.toBytes(), 5);
    assertThat(f.mac()).isNull();
    assertThat(f.end()).isFalse();
    byte[] last = done(5);
    assertThat(NetlinkNeighbours.find(last, last.length, SERVER.toBytes(), 5).end()).isTrue();
  }

  @Test
  void anotherRequestsMessagesAndGarbageNameNoMac() {
    byte[] other = concat(neighbour(9, SERVER, SERVER_MAC, REACHABLE), done(9));
    assertThat(NetlinkNeighbours.find(other, other.length, SERVER.toBytes(), 4).mac()).isNull();
    byte[] cut = neighbour(4, SERVER, SERVER_MAC, REACHABLE);
    NetlinkNeighbours.Found f = NetlinkNeighbours.find(cut, cut.length - 6, SERVER.toBytes(), 4);
    assertThat(f.mac()).isNull();
    assertThat(f.end()).isTrue();
    byte[] error = message(2, 4, new byte[20]);
    assertThat(NetlinkNeighbours.find(error, error.length, SERVER.toBytes(), 4).end()).isTrue();
    // an attribute whose length runs past its message
    byte[] bad = message(28, 4, ndmsg(REACHABLE), new byte[] {(byte) 200, 0, 1, 0});
    assertThat(NetlinkNeighbours.find(bad, bad.length, SERVER.toBytes(), 4).mac()).isNull();
  }

  @Test
  void theRequestIsADumpOfIpv6Neighbours() {
    ByteBuffer b =
        ByteBuffer.wrap(NetlinkNeighbours.dumpRequest(42)).order(ByteOrder.nativeOrder());
    assertThat(b.getInt(0)).isEqualTo(b.capacity()).isEqualTo(28);
    assertThat(b.getShort(4)).isEqualTo((short) NetlinkNeighbours.RTM_GETNEIGH);
    assertThat(b.getShort(6) & 0x301).isEqualTo(0x301); // NLM_F_REQUEST | NLM_F_DUMP
    assertThat(b.getInt(8)).isEqualTo(42);
    assertThat(b.get(16)).isEqualTo((byte) 10); // AF_INET6
  }

  @Test
  void anIpv4AddressIsNotLookedUpHere() {
    assertThat(NetlinkNeighbours.lookup(IpAddress.of("10.77.0.10"))).isEmpty();
  }

  static byte[] neighbour(int seq, IpAddress ip, MacAddress mac, int state) {
    return message(
        NetlinkNeighbours.RTM_NEWNEIGH,
        seq,
        ndmsg(state),
        attribute(NetlinkNeighbours.NDA_DST, ip.toBytes()),
        attribute(NetlinkNeighbours.NDA_LLADDR, mac.toBytes()));
  }

  static byte[] done(int seq) {
    return message(NetlinkNeighbours.NLMSG_DONE, seq, new byte[4]);
  }

  static byte[] ndmsg(int state) {
    return ByteBuffer.allocate(12)
        .order(ByteOrder.nativeOrder())
        .put((byte) 10)
        .put((byte) 0)
        .putShort((short) 0)
        .putInt(2)
        .putShort((short) state)
        .put((byte) 0)
        .put((byte) 1)
        .array();
  }

  static byte[] attribute(int type, byte[] data) {
    int len = 4 + data.length;
    ByteBuffer b = ByteBuffer.allocate((len + 3) & ~3).order(ByteOrder.nativeOrder());
    b.putShort((short) len).putShort((short) type).put(data);
    return b.array();
  }

  static byte[] message(int type, int seq, byte[]... parts) {
    byte[] body = concat(parts);
    int len = 16 + body.length;
    ByteBuffer b = ByteBuffer.allocate((len + 3) & ~3).order(ByteOrder.nativeOrder());
    b.putInt(len).putShort((short) type).putShort((short) 2).putInt(seq).putInt(0).put(body);
    return b.array();
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
