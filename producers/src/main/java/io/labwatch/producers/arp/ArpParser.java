package io.labwatch.producers.arp;

import io.labwatch.events.ArpObservation;
import io.labwatch.events.IpAddress;
import io.labwatch.events.MacAddress;
import io.labwatch.events.PacketClass;
import java.time.Instant;

/**
 * Turns a captured frame into an {@link ArpObservation}, classified per RFC 826, RFC 5227 and RFC
 * 4861 — or skips it, counting why. It reads the bytes directly (no packet library), never throws
 * for any input, and is not thread-safe: one parser per capture thread.
 *
 * <ul>
 *   <li>ARP request with a sender IP: {@code REQUEST}; with sender IP 0.0.0.0: {@code PROBE};
 *       request or reply with sender IP = target IP: {@code ANNOUNCEMENT}; else {@code REPLY}.
 *   <li>ICMPv6 neighbour solicitation and advertisement (hop limit 255, code 0), with their source
 *       / target link-layer address options; a solicitation from {@code ::} is duplicate address
 *       detection.
 *   <li>802.1Q and 802.1ad tags are read through; the innermost VLAN id is kept.
 * </ul>
 */
public final class ArpParser {

  private static final int ETHERTYPE_ARP = 0x0806;
  private static final int ETHERTYPE_IPV6 = 0x86DD;
  private static final int ETHERTYPE_VLAN = 0x8100;
  private static final int ETHERTYPE_QINQ = 0x88A8;
  private static final int ETHERTYPE_QINQ_OLD = 0x9100;
  private static final int ARP_LENGTH = 28;
  private static final int IPV6_HEADER = 40;
  private static final int ICMPV6 = 58;
  private static final int ND_SOLICITATION = 135;
  private static final int ND_ADVERTISEMENT = 136;
  private static final int ND_BODY = 24;
  private static final int OPTION_SOURCE_LLA = 1;
  private static final int OPTION_TARGET_LLA = 2;
  private static final int ARPHRD_ETHER = 1;

  private final String sensorId;
  private final String iface;
  private final String segment;
  private final LinkType linkType;
  private final ParseStats stats;

  /** A parser for a sensor in the default segment. */
  public ArpParser(String sensorId, String iface, LinkType linkType, ParseStats stats) {
    this(sensorId, iface, null, linkType, stats);
  }

  /**
   * @param segment the sensor's configured segment ({@code sensor.arp.segment}), which its
   *     observations carry; null: none (untagged frames are in the default segment)
   */
  public ArpParser(
      String sensorId, String iface, String segment, LinkType linkType, ParseStats stats) {
    this.sensorId = sensorId;
    this.iface = iface;
    this.segment = segment;
    this.linkType = linkType;
    this.stats = stats;
  }

  public ParseStats stats() {
    return stats;
  }

  /**
   * Parses the first {@code length} bytes of {@code frame}.
   *
   * @return the observation, or null when the frame was skipped (and counted)
   */
  public ArpObservation parse(byte[] frame, int length, Instant timestamp) {
    try {
      Frame f = new Frame(frame, Math.min(length, frame.length));
      if (!readLinkHeader(f)) {
        return null;
      }
      ArpObservation obs =
          switch (f.etherType) {
            case ETHERTYPE_ARP -> arp(f, timestamp);
            case ETHERTYPE_IPV6 -> neighborDiscovery(f, timestamp);
            default -> skip(SkipReason.NOT_NEIGHBOR_DISCOVERY);
          };
      if (obs != null) {
        stats.parsed();
      }
      return obs;
    } catch (RuntimeException e) {
      // a bug of ours must not stop a capture; the frame is counted, not lost silently
      return skip(SkipReason.MALFORMED);
    }
  }

  /** The frame being read, with what the link layer said. */
  private static final class Frame {
    final byte[] b;
    final int end;
    int at;
    int etherType;
    Integer vlan;
    MacAddress ethSrc;

    Frame(byte[] b, int end) {
      this.b = b;
      this.end = end;
    }

    boolean has(int bytes) {
      return end - at >= bytes;
    }

    int u8(int offset) {
      return b[at + offset] & 0xFF;
    }

    int u16(int offset) {
      return ((b[at + offset] & 0xFF) << 8) | (b[at + offset + 1] & 0xFF);
    }
  }

  private boolean readLinkHeader(Frame f) {
    switch (linkType) {
      case ETHERNET -> {
        if (!f.has(14)) {
          return skipped(SkipReason.TRUNCATED);
        }
        f.ethSrc = MacAddress.fromBytes(f.b, 6);
        f.etherType = f.u16(12);
        f.at = 14;
      }
      case LINUX_SLL -> {
        if (!f.has(16)) {
          return skipped(SkipReason.TRUNCATED);
        }
        if (f.u16(2) != ARPHRD_ETHER || f.u16(4) != 6) {
          return skipped(SkipReason.NOT_ETHERNET_LINK);
        }
        f.ethSrc = MacAddress.fromBytes(f.b, 6);
        f.etherType = f.u16(14);
        f.at = 16;
      }
      case LINUX_SLL2 -> {
        if (!f.has(20)) {
          return skipped(SkipReason.TRUNCATED);
        }
        if (f.u16(8) != ARPHRD_ETHER || f.u8(11) != 6) {
          return skipped(SkipReason.NOT_ETHERNET_LINK);
        }
        f.ethSrc = MacAddress.fromBytes(f.b, 12);
        f.etherType = f.u16(0);
        f.at = 20;
      }
    }
    while (f.etherType == ETHERTYPE_VLAN
        || f.etherType == ETHERTYPE_QINQ
        || f.etherType == ETHERTYPE_QINQ_OLD) {
      if (!f.has(4)) {
        return skipped(SkipReason.TRUNCATED);
      }
      f.vlan = f.u16(0) & 0x0FFF;
      f.etherType = f.u16(2);
      f.at += 4;
    }
    return true;
  }

  private ArpObservation arp(Frame f, Instant ts) {
    if (!f.has(8)) {
      return skip(SkipReason.TRUNCATED);
    }
    if (f.u16(0) != ARPHRD_ETHER || f.u16(2) != 0x0800 || f.u8(4) != 6 || f.u8(5) != 4) {
      return skip(SkipReason.NOT_ETHERNET_IPV4_ARP);
    }
    if (!f.has(ARP_LENGTH)) {
      return skip(SkipReason.TRUNCATED);
    }
    int op = f.u16(6);
    if (op != 1 && op != 2) {
      return skip(SkipReason.UNKNOWN_OPERATION);
    }
    MacAddress senderMac = MacAddress.fromBytes(f.b, f.at + 8);
    if (!senderMac.isStation() || !f.ethSrc.isStation()) {
      return skip(SkipReason.INVALID_SENDER_MAC);
    }
    IpAddress senderIp = IpAddress.fromBytes(f.b, f.at + 14, 4);
    MacAddress targetMac = MacAddress.fromBytes(f.b, f.at + 18);
    IpAddress targetIp = IpAddress.fromBytes(f.b, f.at + 24, 4);
    PacketClass type;
    if (senderIp.isUnspecified()) {
      if (op == 2) {
        return skip(SkipReason.UNSPECIFIED_SENDER_REPLY);
      }
      type = PacketClass.PROBE;
    } else if (senderIp.equals(targetIp)) {
      type = PacketClass.ANNOUNCEMENT;
    } else {
      type = op == 1 ? PacketClass.REQUEST : PacketClass.REPLY;
    }
    return new ArpObservation(
        ts, sensorId, iface, f.vlan, segment, type, senderIp, senderMac, targetIp, targetMac,
        f.ethSrc);
  }

  private ArpObservation neighborDiscovery(Frame f, Instant ts) {
    if (!f.has(IPV6_HEADER)) {
      return skip(SkipReason.TRUNCATED);
    }
    if ((f.u8(0) >>> 4) != 6 || f.u8(6) != ICMPV6) {
      return skip(SkipReason.NOT_NEIGHBOR_DISCOVERY);
    }
    int payloadEnd = f.at + IPV6_HEADER + f.u16(4);
    int hopLimit = f.u8(7);
    IpAddress source = IpAddress.fromBytes(f.b, f.at + 8, 16);
    int ipv6 = f.at;
    f.at += IPV6_HEADER;
    if (!f.has(1)) {
      return skip(SkipReason.TRUNCATED);
    }
    int type = f.u8(0);
    if (type != ND_SOLICITATION && type != ND_ADVERTISEMENT) {
      return skip(SkipReason.NOT_NEIGHBOR_DISCOVERY);
    }
    if (!f.has(ND_BODY) || payloadEnd > f.end) {
      return skip(SkipReason.TRUNCATED);
    }
    // RFC 4861 7.1.1/7.1.2: only from the link itself, code 0
    if (hopLimit != 255 || f.u8(1) != 0 || payloadEnd - f.at < ND_BODY) {
      return skip(SkipReason.INVALID_NEIGHBOR_DISCOVERY);
    }
    if (!f.ethSrc.isStation()) {
      return skip(SkipReason.INVALID_SENDER_MAC);
    }
    IpAddress target = IpAddress.fromBytes(f.b, f.at + 8, 16);
    if ((f.b[f.at + 8] & 0xFF) == 0xFF) {
      return skip(SkipReason.INVALID_NEIGHBOR_DISCOVERY); // a multicast target
    }
    MacAddress sourceLla = null;
    MacAddress targetLla = null;
    int option = f.at + ND_BODY;
    while (option + 2 <= payloadEnd) {
      int optionType = f.b[option] & 0xFF;
      int optionLength = (f.b[option + 1] & 0xFF) * 8;
      if (optionLength == 0 || option + optionLength > payloadEnd) {
        return skip(SkipReason.INVALID_NEIGHBOR_DISCOVERY);
      }
      if (optionLength == 8 && optionType == OPTION_SOURCE_LLA) {
        sourceLla = MacAddress.fromBytes(f.b, option + 2);
      } else if (optionLength == 8 && optionType == OPTION_TARGET_LLA) {
        targetLla = MacAddress.fromBytes(f.b, option + 2);
      }
      option += optionLength;
    }
    if (sourceLla != null && !sourceLla.isStation()
        || targetLla != null && !targetLla.isStation()) {
      return skip(SkipReason.INVALID_SENDER_MAC);
    }
    f.at = ipv6;
    if (type == ND_SOLICITATION) {
      return new ArpObservation(
          ts,
          sensorId,
          iface,
          f.vlan,
          segment,
          PacketClass.NEIGHBOR_SOLICITATION,
          source,
          sourceLla,
          target,
          null,
          f.ethSrc);
    }
    return new ArpObservation(
        ts,
        sensorId,
        iface,
        f.vlan,
        segment,
        PacketClass.NEIGHBOR_ADVERTISEMENT,
        source,
        null,
        target,
        targetLla,
        f.ethSrc);
  }

  private ArpObservation skip(SkipReason reason) {
    stats.skipped(reason);
    return null;
  }

  private boolean skipped(SkipReason reason) {
    stats.skipped(reason);
    return false;
  }
}
