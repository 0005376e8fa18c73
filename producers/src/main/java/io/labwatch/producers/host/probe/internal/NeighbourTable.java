package io.labwatch.producers.host.probe.internal;

import io.labwatch.events.IpAddress;
import io.labwatch.events.MacAddress;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The MAC the kernel has for an IPv4 neighbour right now, from {@code /proc/net/arp}.
 *
 * <p>Why {@code /proc/net/arp} and not netlink ({@code ip -j neigh show IP}): it is one small file
 * read, no process per probe, no dependency on an iproute2 new enough for JSON, readable by any
 * user, and it is the table of the network namespace the sensor runs in — the one its probes went
 * out of. What it lacks is the entry's NUD state: it shows an entry as complete (flag ATF_COM:
 * REACHABLE, STALE, DELAY, PROBE, PERMANENT) or not (INCOMPLETE, FAILED, with a zero MAC). A STALE
 * entry is still where the kernel sends frames for the IP, so "complete" is the question that
 * matters; an incomplete or failed entry, or none, is "no MAC". It holds IPv4 only: an IPv6
 * target's MAC comes from the kernel's NDP cache over rtnetlink ({@link NetlinkNeighbours}), with
 * the same meaning of "complete".
 */
public interface NeighbourTable {

  /** The MAC of a complete entry for {@code ip}; empty when there is none. */
  Optional<MacAddress> lookup(IpAddress ip);

  /** The kernel's neighbour tables of this network namespace: IPv4's and IPv6's. */
  static NeighbourTable proc() {
    Path file = Path.of("/proc/net/arp");
    return ip -> {
      if (!ip.isV4()) {
        return NetlinkNeighbours.lookup(ip);
      }
      try {
        return find(Files.readString(file, StandardCharsets.US_ASCII), ip);
      } catch (IOException e) {
        return Optional.empty();
      }
    };
  }

  /**
   * The MAC of the first complete entry for {@code ip} in the text of {@code /proc/net/arp} ({@code
   * IP address, HW type, Flags, HW address, Mask, Device}); lines it cannot read are skipped.
   */
  static Optional<MacAddress> find(String procNetArp, IpAddress ip) {
    String wanted = ip.toString();
    int at = procNetArp.indexOf('\n') + 1; // past the header
    while (at > 0 && at < procNetArp.length()) {
      int end = procNetArp.indexOf('\n', at);
      if (end < 0) {
        end = procNetArp.length();
      }
      // the first column is the address: only its line is split (a lab's table has hundreds)
      boolean mine =
          procNetArp.startsWith(wanted, at)
              && at + wanted.length() < end
              && Character.isWhitespace(procNetArp.charAt(at + wanted.length()));
      String line = mine ? procNetArp.substring(at, end) : null;
      at = end + 1;
      if (line == null) {
        continue;
      }
      String[] f = line.trim().split("\\s+");
      if (f.length < 4 || !f[0].equals(wanted)) {
        continue;
      }
      try {
        int flags = Integer.decode(f[2]);
        MacAddress mac = MacAddress.of(f[3]);
        if ((flags & 0x2) != 0 && !mac.isZero()) { // ATF_COM: it has a link-layer address
          return Optional.of(mac);
        }
      } catch (IllegalArgumentException e) {
        // not an Ethernet entry (another hardware type), or a line this reader does not know
      }
    }
    return Optional.empty();
  }
}
