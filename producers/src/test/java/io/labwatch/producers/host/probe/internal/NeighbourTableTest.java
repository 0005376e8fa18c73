package io.labwatch.producers.host.probe.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.labwatch.events.IpAddress;
import io.labwatch.events.MacAddress;
import org.junit.jupiter.api.Test;

class NeighbourTableTest {

  /** /proc/net/arp of a lab box: a reachable or stale entry, one incomplete, one failed. */
  static final String PROC_NET_ARP =
      """
      IP address       HW type     Flags       HW address            Mask     Device
      10.77.0.10       0x1         0x2         00:a0:de:12:34:56     *        eth0
      10.77.0.11       0x1         0x0         00:00:00:00:00:00     *        eth0
      10.77.0.12       0x1         0x0         00:00:00:00:00:00     *        eth0
      10.77.0.1        0x1         0x6         dc:9b:9c:01:02:03     *        eth0
      10.77.0.13       0x20        0x2         80:00:00:48:fe:80:00:00:00:00:00:00:00:11:22:33     *  ib0
      10.77.0.14 garbage
      """;

  @Test
  void aCompleteEntryIsTheMacTheIpResolvedTo() {
    assertThat(NeighbourTable.find(PROC_NET_ARP, IpAddress.of("10.77.0.10")))
        .contains(MacAddress.of("00:a0:de:12:34:56"));
    // a permanent entry (ATF_PERM 0x4 with ATF_COM) is complete too
    assertThat(NeighbourTable.find(PROC_NET_ARP, IpAddress.of("10.77.0.1")))
        .contains(MacAddress.of("dc:9b:9c:01:02:03"));
  }

  @Test
  void noEntryAnIncompleteOneOrOneThatIsNotEthernetIsNoMac() {
    assertThat(NeighbourTable.find(PROC_NET_ARP, IpAddress.of("10.77.0.11"))).isEmpty();
    assertThat(NeighbourTable.find(PROC_NET_ARP, IpAddress.of("10.77.0.13"))).isEmpty();
    assertThat(NeighbourTable.find(PROC_NET_ARP, IpAddress.of("10.77.0.14"))).isEmpty();
    assertThat(NeighbourTable.find(PROC_NET_ARP, IpAddress.of("10.77.0.99"))).isEmpty();
    // a prefix of another address is not that address
    assertThat(NeighbourTable.find(PROC_NET_ARP, IpAddress.of("10.77.0.100"))).isEmpty();
  }

  @Test
  void thisHostsTableIsReadableAndHasNoIpv6() {
    NeighbourTable table = NeighbourTable.proc();
    assertThat(table.lookup(IpAddress.of("fd00::1"))).isEmpty();
    // whatever this host's table holds, reading it does not fail
    table.lookup(IpAddress.of("127.0.0.1"));
  }
}
