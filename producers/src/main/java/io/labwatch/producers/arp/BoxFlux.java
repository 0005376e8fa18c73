package io.labwatch.producers.arp;

import io.labwatch.events.ArpObservation;
import io.labwatch.events.IpAddress;
import io.labwatch.events.MacAddress;
import io.labwatch.events.PacketClass;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ARP replies this box sends out of a capture interface for an address that lives on another of its
 * interfaces. Linux answers a request for any of its addresses on whichever interface it came in
 * ({@code arp_ignore=0}, the default); on a mirror port, which receives a copy of every request,
 * those answers go nowhere — but the capture sees them leave, and two of the box's own MACs would
 * seem to answer for the address of its LAN port: an IP conflict that is not on the wire. Such
 * frames are skipped and counted, and said once.
 *
 * <p>Only replies sent from the capture interface's own MAC are looked at, so the cost is one
 * comparison per frame; an address lookup only for those.
 */
final class BoxFlux {

  private static final Logger log = LoggerFactory.getLogger(BoxFlux.class);

  private final String iface;
  private final MacAddress mac;
  private final AtomicBoolean told = new AtomicBoolean();

  /**
   * @param mac the capture interface's own MAC, or null when it has none (nothing is skipped)
   */
  BoxFlux(String iface, MacAddress mac) {
    this.iface = iface;
    this.mac = mac;
  }

  static BoxFlux of(String iface) {
    return new BoxFlux(iface, Interfaces.mac(iface).orElse(null));
  }

  /**
   * Whether {@code o} is this box answering, on this interface, for another interface's address.
   */
  boolean isFlux(ArpObservation o) {
    if (mac == null || o.packetClass() != PacketClass.REPLY || !mac.equals(o.ethSrc())) {
      return false;
    }
    IpAddress ip = o.senderIp();
    if (!ip.isV4() || ip.isUnspecified()) {
      return false;
    }
    String owner = localInterfaceOf(ip);
    if (owner == null || owner.equals(iface)) {
      return false;
    }
    if (told.compareAndSet(false, true)) {
      log.info(
          "this box answers ARP for {} (an address of {}) on {} too (Linux's arp_ignore=0): those"
              + " replies are not published, as on a mirror port they never reach the LAN. If {} is"
              + " a LAN port, other hosts do see them: set net.ipv4.conf.all.arp_ignore=1",
          ip,
          owner,
          iface,
          iface);
    }
    return true;
  }

  /** The name of this box's interface that has {@code ip}, or null. */
  private static String localInterfaceOf(IpAddress ip) {
    try {
      NetworkInterface ni =
          NetworkInterface.getByInetAddress(InetAddress.getByAddress(ip.toBytes()));
      return ni == null ? null : ni.getName();
    } catch (SocketException | UnknownHostException e) {
      return null;
    }
  }
}
