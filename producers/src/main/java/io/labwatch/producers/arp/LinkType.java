package io.labwatch.producers.arp;

import java.util.Optional;

/** The link layers whose frames the parser reads, by their pcap link-type (DLT) number. */
public enum LinkType {
  /** DLT_EN10MB: Ethernet, with 802.1Q / 802.1ad tags where present. */
  ETHERNET(1),
  /** DLT_LINUX_SLL: Linux "cooked" capture v1, as {@code tcpdump -i any} writes it. */
  LINUX_SLL(113),
  /** DLT_LINUX_SLL2: Linux "cooked" capture v2. */
  LINUX_SLL2(276);

  private final int dlt;

  LinkType(int dlt) {
    this.dlt = dlt;
  }

  public int dlt() {
    return dlt;
  }

  public static Optional<LinkType> ofDlt(int dlt) {
    for (LinkType t : values()) {
      if (t.dlt == dlt) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }
}
