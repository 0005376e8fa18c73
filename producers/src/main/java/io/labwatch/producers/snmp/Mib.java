package io.labwatch.producers.snmp;

import org.snmp4j.smi.OID;

/** The MIB objects the sensor reads (RFC 1213 / RFC 4293 IP-MIB, RFC 2863 IF-MIB, SNMPv2-MIB). */
final class Mib {

  private Mib() {}

  /** SNMPv2-MIB sysUpTime (TimeTicks). */
  static final OID SYS_UP_TIME = new OID("1.3.6.1.2.1.1.3");

  static final OID SYS_UP_TIME_0 = new OID("1.3.6.1.2.1.1.3.0");

  /** IP-MIB ipNetToMediaEntry: index ifIndex.a.b.c.d. */
  static final OID IP_NET_TO_MEDIA = new OID("1.3.6.1.2.1.4.22.1");

  /** ipNetToMediaPhysAddress (OCTET STRING). */
  static final OID IP_NET_TO_MEDIA_PHYS_ADDRESS = column(IP_NET_TO_MEDIA, 2);

  /** ipNetToMediaType: other(1), invalid(2), dynamic(3), static(4). */
  static final OID IP_NET_TO_MEDIA_TYPE = column(IP_NET_TO_MEDIA, 4);

  static final int MEDIA_TYPE_INVALID = 2;

  /**
   * IP-MIB ipNetToPhysicalEntry (RFC 4293): index ifIndex.addressType.length.address, IPv4 and
   * IPv6.
   */
  static final OID IP_NET_TO_PHYSICAL = new OID("1.3.6.1.2.1.4.35.1");

  /** ipNetToPhysicalPhysAddress (OCTET STRING). */
  static final OID IP_NET_TO_PHYSICAL_PHYS_ADDRESS = column(IP_NET_TO_PHYSICAL, 4);

  /** ipNetToPhysicalType: other(1), invalid(2), dynamic(3), static(4), local(5). */
  static final OID IP_NET_TO_PHYSICAL_TYPE = column(IP_NET_TO_PHYSICAL, 6);

  /** ipNetToPhysicalState: reachable(1) … incomplete(7). */
  static final OID IP_NET_TO_PHYSICAL_STATE = column(IP_NET_TO_PHYSICAL, 7);

  /** InetAddressType ipv6(2). */
  static final int INET_ADDRESS_IPV6 = 2;

  static final int PHYSICAL_TYPE_INVALID = 2;

  static final int PHYSICAL_TYPE_LOCAL = 5;

  static final int PHYSICAL_STATE_INCOMPLETE = 7;

  /** IF-MIB ifEntry: index ifIndex. */
  static final OID IF_ENTRY = new OID("1.3.6.1.2.1.2.2.1");

  static final OID IF_DESCR = column(IF_ENTRY, 2);
  static final OID IF_SPEED = column(IF_ENTRY, 5);
  static final OID IF_OPER_STATUS = column(IF_ENTRY, 8);
  static final OID IF_IN_OCTETS = column(IF_ENTRY, 10);
  static final OID IF_IN_UCAST_PKTS = column(IF_ENTRY, 11);
  static final OID IF_IN_DISCARDS = column(IF_ENTRY, 13);
  static final OID IF_IN_ERRORS = column(IF_ENTRY, 14);
  static final OID IF_OUT_OCTETS = column(IF_ENTRY, 16);
  static final OID IF_OUT_UCAST_PKTS = column(IF_ENTRY, 17);
  static final OID IF_OUT_DISCARDS = column(IF_ENTRY, 19);
  static final OID IF_OUT_ERRORS = column(IF_ENTRY, 20);

  /** IF-MIB ifXEntry: index ifIndex. */
  static final OID IFX_ENTRY = new OID("1.3.6.1.2.1.31.1.1.1");

  static final OID IF_NAME = column(IFX_ENTRY, 1);
  static final OID IF_HC_IN_OCTETS = column(IFX_ENTRY, 6);
  static final OID IF_HC_IN_UCAST_PKTS = column(IFX_ENTRY, 7);
  static final OID IF_HC_IN_MULTICAST_PKTS = column(IFX_ENTRY, 8);
  static final OID IF_HC_IN_BROADCAST_PKTS = column(IFX_ENTRY, 9);
  static final OID IF_HC_OUT_OCTETS = column(IFX_ENTRY, 10);
  static final OID IF_HC_OUT_UCAST_PKTS = column(IFX_ENTRY, 11);
  static final OID IF_HC_OUT_MULTICAST_PKTS = column(IFX_ENTRY, 12);
  static final OID IF_HC_OUT_BROADCAST_PKTS = column(IFX_ENTRY, 13);
  static final OID IF_HIGH_SPEED = column(IFX_ENTRY, 15);
  static final OID IF_ALIAS = column(IFX_ENTRY, 18);
  static final OID IF_COUNTER_DISCONTINUITY_TIME = column(IFX_ENTRY, 19);

  /** USM statistics an agent reports a refused v3 request with (RFC 3414). */
  static final OID USM_STATS = new OID("1.3.6.1.6.3.15.1.1");

  static final OID USM_UNSUPPORTED_SEC_LEVELS = column(USM_STATS, 1);
  static final OID USM_NOT_IN_TIME_WINDOWS = column(USM_STATS, 2);
  static final OID USM_UNKNOWN_USER_NAMES = column(USM_STATS, 3);
  static final OID USM_UNKNOWN_ENGINE_IDS = column(USM_STATS, 4);
  static final OID USM_WRONG_DIGESTS = column(USM_STATS, 5);
  static final OID USM_DECRYPTION_ERRORS = column(USM_STATS, 6);

  private static OID column(OID entry, int column) {
    return new OID(entry).append(column);
  }
}
