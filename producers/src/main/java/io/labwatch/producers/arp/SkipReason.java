package io.labwatch.producers.arp;

/** Why a captured frame did not become an observation. Counted, never thrown. */
public enum SkipReason {
  TRUNCATED("truncated"),
  NOT_NEIGHBOR_DISCOVERY("not ARP or neighbour discovery"),
  NOT_ETHERNET_IPV4_ARP("ARP for other hardware or protocols"),
  UNKNOWN_OPERATION("ARP operation other than request or reply"),
  INVALID_SENDER_MAC("zero, broadcast or multicast sender MAC"),
  UNSPECIFIED_SENDER_REPLY("ARP reply from 0.0.0.0"),
  INVALID_NEIGHBOR_DISCOVERY("malformed neighbour discovery"),
  NOT_ETHERNET_LINK("link layer other than Ethernet"),
  MALFORMED("malformed"),
  TIME_OUT_OF_RANGE("stamped out of range"),
  DAMAGED_RECORD("damaged in the file"),
  OWN_REQUEST("the sensor's own ARP request"),
  OWN_BOX_FLUX("this box's reply on a port without the address");

  private final String description;

  SkipReason(String description) {
    this.description = description;
  }

  /** Words for a summary line, e.g. "truncated". */
  public String description() {
    return description;
  }
}
