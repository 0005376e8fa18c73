package io.labwatch.producers.arp;

import io.labwatch.events.LabwatchException;
import java.util.Locale;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface;
import org.pcap4j.core.Pcaps;

/** Opening libpcap handles, with the errors a user meets said in words that fix them. */
final class Libpcap {

  /**
   * ARP and ICMPv6 neighbour solicitation/advertisement, untagged or VLAN-tagged. (After {@code
   * vlan}, BPF offsets move past the tag, hence the expression twice.)
   */
  static final String FILTER;

  static {
    String nd = "(icmp6 and (ip6[40] == 135 or ip6[40] == 136))";
    String wanted = "(arp or " + nd + ")";
    FILTER = wanted + " or (vlan and " + wanted + ")";
  }

  private Libpcap() {}

  /** Fails with the package to install when libpcap cannot be loaded. */
  static String version() {
    try {
      return Pcaps.libVersion();
    } catch (LinkageError e) {
      throw missing(e);
    }
  }

  static LabwatchException missing(Throwable cause) {
    return new LabwatchException(
        "libpcap is missing: sudo apt-get install libpcap0.8 (or set -Djna.library.path to the"
            + " folder holding libpcap.so)",
        cause);
  }

  /**
   * Opens a live capture on {@code iface}: promiscuous if asked, immediate delivery, the filter.
   */
  static PcapHandle openLive(String iface, boolean promiscuous, int snaplen) {
    version();
    Interfaces.require(iface);
    try {
      PcapHandle handle =
          new PcapHandle.Builder(iface)
              .snaplen(snaplen)
              .promiscuousMode(
                  promiscuous
                      ? PcapNetworkInterface.PromiscuousMode.PROMISCUOUS
                      : PcapNetworkInterface.PromiscuousMode.NONPROMISCUOUS)
              .timeoutMillis(100)
              .immediateMode(true)
              .bufferSize(16 * 1024 * 1024)
              .timestampPrecision(PcapHandle.TimestampPrecision.NANO)
              .build();
      try {
        handle.setFilter(FILTER, org.pcap4j.core.BpfProgram.BpfCompileMode.OPTIMIZE);
      } catch (PcapNativeException | org.pcap4j.core.NotOpenException e) {
        handle.close();
        throw new LabwatchException(
            "cannot set the capture filter on " + iface + ": " + e.getMessage(), e);
      }
      return handle;
    } catch (PcapNativeException e) {
      throw explain(e, iface);
    } catch (LinkageError e) {
      throw missing(e);
    }
  }

  /** Opens a handle for sending frames on {@code iface}. */
  static PcapHandle openForSending(String iface) {
    try {
      return new PcapHandle.Builder(iface).snaplen(64).timeoutMillis(100).build();
    } catch (PcapNativeException e) {
      throw explain(e, iface);
    }
  }

  /**
   * Opens {@code iface} to send frames and read back the ones {@code filter} passes: not
   * promiscuous, immediate delivery, non-blocking (a read with nothing to read returns empty at
   * once: on Linux a blocking read's timeout does not end a read while no packet arrives).
   *
   * @throws LabwatchException when libpcap is missing, the interface cannot be opened (no
   *     CAP_NET_RAW) or is not Ethernet
   */
  static PcapHandle openForAsking(String iface, String filter) {
    version();
    PcapHandle handle;
    try {
      handle =
          new PcapHandle.Builder(iface)
              .snaplen(128)
              .promiscuousMode(PcapNetworkInterface.PromiscuousMode.NONPROMISCUOUS)
              .timeoutMillis(10)
              .immediateMode(true)
              .build();
    } catch (PcapNativeException e) {
      throw explain(e, iface);
    } catch (LinkageError e) {
      throw missing(e);
    }
    try {
      handle.setBlockingMode(PcapHandle.BlockingMode.NONBLOCKING);
      if (!org.pcap4j.packet.namednumber.DataLinkType.EN10MB.equals(handle.getDlt())) {
        throw new LabwatchException(
            "cannot send ARP on " + iface + ": it is not Ethernet (" + handle.getDlt() + ")");
      }
      handle.setFilter(filter, org.pcap4j.core.BpfProgram.BpfCompileMode.OPTIMIZE);
      return handle;
    } catch (PcapNativeException | org.pcap4j.core.NotOpenException | RuntimeException e) {
      handle.close();
      throw e instanceof LabwatchException l
          ? l
          : new LabwatchException(
              "cannot set the filter '" + filter + "' on " + iface + ": " + e.getMessage(), e);
    }
  }

  static LabwatchException explain(PcapNativeException e, String iface) {
    String m = String.valueOf(e.getMessage());
    String lower = m.toLowerCase(Locale.ROOT);
    if (lower.contains("permission") || lower.contains("not permitted")) {
      return new LabwatchException("capturing on " + iface + CaptureRights.HOW, e);
    }
    if (lower.contains("no such device") || lower.contains("doesn't exist")) {
      return new LabwatchException(
          "interface "
              + iface
              + " does not exist; this host has: "
              + String.join(", ", Interfaces.names()),
          e);
    }
    return new LabwatchException("cannot capture on " + iface + ": " + m, e);
  }
}
