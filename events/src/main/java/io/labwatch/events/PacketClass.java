package io.labwatch.events;

/**
 * What kind of neighbour-discovery packet an {@link ArpObservation} came from (RFC 826, RFC 5227,
 * RFC 4861), or {@link #ROUTER_TABLE}: an entry of a router's ARP table, read by SNMP.
 */
public enum PacketClass {
  /** ARP request with a sender IP: "who has target? tell sender" — asserts sender IP → MAC. */
  REQUEST,
  /** ARP reply: "sender IP is at sender MAC". */
  REPLY,
  /** RFC 5227 probe: a request with sender IP 0.0.0.0, asking whether target IP is in use. */
  PROBE,
  /** Gratuitous ARP / RFC 5227 announcement: sender IP = target IP, request or reply. */
  ANNOUNCEMENT,
  /** IPv6 neighbour solicitation (a DAD probe when the sender IP is ::). */
  NEIGHBOR_SOLICITATION,
  /** IPv6 neighbour advertisement: target IP is at the target link-layer address. */
  NEIGHBOR_ADVERTISEMENT,
  /**
   * An entry of a router's ARP table ({@code ipNetToMediaTable}, polled by SNMP): "sender IP is at
   * sender MAC", as the router ({@code sensorId}) holds it. Not a packet on the wire: the router
   * learned the binding from one. Neither an answer to anyone nor a use of the address by the MAC.
   * {@link ArpObservation#table()} says whether the router learned it since the sensor's previous
   * poll.
   */
  ROUTER_TABLE;

  public boolean isIpv6() {
    return this == NEIGHBOR_SOLICITATION || this == NEIGHBOR_ADVERTISEMENT;
  }
}
