package io.labwatch.producers.arp;

import io.labwatch.events.IpAddress;
import io.labwatch.events.LabwatchException;
import io.labwatch.events.MacAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;

/**
 * Asks the network once who has an IPv4 address, the way a host does: a broadcast ARP request from
 * the interface whose subnet holds the address (its MAC and address as sender), then every reply
 * for that address it can hear. Used by the host sensor's {@code arp://} probes; the ARP sensor's
 * own probing is {@link Prober}'s.
 *
 * <p>Sending needs root or CAP_NET_RAW (libpcap); without it {@link #ask} fails with what to do.
 * The kernel sees the replies too, and updates a neighbour entry it already has for the address
 * (Linux creates none from a reply to a request it did not send). An ARP sensor capturing on the
 * same interface sees the request as this host's; this class does not tell it about it.
 */
public final class ArpQuery {

  /** How long the listening loop sleeps when there is nothing to read. */
  private static final long IDLE_NANOS = 1_000_000;

  private ArpQuery() {}

  /**
   * Where a request for an address goes out.
   *
   * @param iface the interface
   * @param mac its MAC, the request's sender
   * @param senderIp its address in the target's subnet, the request's sender
   */
  public record Route(String iface, MacAddress mac, IpAddress senderIp) {}

  /**
   * Who answered.
   *
   * @param macs every MAC that replied for the address, in the order they first did
   * @param firstReplyUs microseconds from sending the request to the first reply; -1 when none
   */
  public record Answer(List<MacAddress> macs, long firstReplyUs) {
    public Answer {
      macs = List.copyOf(macs);
    }
  }

  /**
   * The interface to ask from: the first (by name) that is up, has an Ethernet MAC and an IPv4
   * address whose subnet holds {@code target} and is not {@code target} itself; empty when none
   * has.
   */
  public static Optional<Route> route(IpAddress target) {
    if (!target.isV4() || target.isUnspecified()) {
      return Optional.empty();
    }
    for (String name : Interfaces.names()) {
      if (name.equals("lo") || Interfaces.linkProblem(name).isPresent()) {
        continue;
      }
      List<Interfaces.Ipv4Address> own;
      Optional<MacAddress> mac;
      try {
        own = Interfaces.ipv4Addresses(name);
        mac = Interfaces.mac(name);
      } catch (LabwatchException e) {
        continue; // gone since it was listed
      }
      if (mac.isEmpty() || own.stream().anyMatch(a -> a.address().equals(target))) {
        continue;
      }
      Optional<Interfaces.Ipv4Address> from =
          own.stream().filter(a -> a.contains(target)).findFirst();
      if (from.isPresent()) {
        return Optional.of(new Route(name, mac.get(), from.get().address()));
      }
    }
    return Optional.empty();
  }

  /**
   * Sends one request for {@code target} on {@code route} and listens for replies: until {@code
   * timeout} when none comes, else until {@code settle} after the first (another device that holds
   * the address answers within microseconds to milliseconds of the first on one LAN), at most
   * {@code timeout}.
   *
   * @throws LabwatchException when the request cannot be sent at all: libpcap missing, no
   *     permission (CAP_NET_RAW), the interface gone or not Ethernet
   */
  public static Answer ask(Route route, IpAddress target, Duration timeout, Duration settle) {
    PcapHandle handle = Libpcap.openForAsking(route.iface(), filter(target));
    try {
      byte[] request = Prober.request(route.mac(), route.senderIp(), target);
      long start = System.nanoTime();
      try {
        handle.sendPacket(request);
      } catch (PcapNativeException | NotOpenException e) {
        throw new LabwatchException(
            "cannot send an ARP request on " + route.iface() + ": " + e.getMessage(), e);
      }
      long deadline = start + timeout.toNanos();
      List<MacAddress> macs = new ArrayList<>();
      long firstAt = -1;
      while (!Thread.currentThread().isInterrupted()) {
        long now = System.nanoTime();
        long end = firstAt < 0 ? deadline : Math.min(deadline, firstAt + settle.toNanos());
        if (now - end >= 0) {
          break;
        }
        byte[] frame;
        try {
          frame = handle.getNextRawPacket();
        } catch (NotOpenException e) {
          break;
        }
        if (frame == null) {
          LockSupport.parkNanos(IDLE_NANOS); // nothing yet (the handle does not block)
          continue;
        }
        MacAddress sender = replySender(frame, target);
        if (sender != null && !macs.contains(sender)) {
          macs.add(sender);
          if (firstAt < 0) {
            firstAt = System.nanoTime();
          }
        }
      }
      return new Answer(macs, firstAt < 0 ? -1 : (firstAt - start) / 1_000);
    } finally {
      handle.close();
    }
  }

  /** ARP replies whose sender address is {@code target} (the ARP header's bytes 14..17). */
  static String filter(IpAddress target) {
    byte[] b = target.toBytes();
    long value =
        ((b[0] & 0xFFL) << 24) | ((b[1] & 0xFFL) << 16) | ((b[2] & 0xFFL) << 8) | (b[3] & 0xFFL);
    return String.format(Locale.ROOT, "arp and arp[6:2] == 2 and arp[14:4] == 0x%08x", value);
  }

  /**
   * The sender MAC of an Ethernet frame that is an ARP reply from {@code target} (untagged or one
   * 802.1Q tag); null for any other frame, or one too short to be one.
   */
  static MacAddress replySender(byte[] frame, IpAddress target) {
    int at = 12;
    if (frame.length >= 18 && (frame[12] & 0xFF) == 0x81 && frame[13] == 0x00) {
      at = 16;
    }
    int arp = at + 2;
    if (frame.length < arp + 28 || (frame[at] & 0xFF) != 0x08 || frame[at + 1] != 0x06) {
      return null;
    }
    boolean ethernetIpv4 =
        frame[arp] == 0
            && frame[arp + 1] == 1
            && frame[arp + 2] == 0x08
            && frame[arp + 3] == 0
            && frame[arp + 4] == 6
            && frame[arp + 5] == 4;
    boolean reply = frame[arp + 6] == 0 && frame[arp + 7] == 2;
    if (!ethernetIpv4 || !reply) {
      return null;
    }
    byte[] t = target.toBytes();
    for (int i = 0; i < 4; i++) {
      if (frame[arp + 14 + i] != t[i]) {
        return null;
      }
    }
    MacAddress mac = MacAddress.fromBytes(frame, arp + 8);
    return mac.isZero() || mac.isMulticast() ? null : mac;
  }
}
