package io.labwatch.events;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/**
 * One ARP or IPv6 neighbour-discovery packet, as a sensor saw it on the wire.
 *
 * <p>Published to {@code labwatch.arp} with its {@link #key() key} — the {@link #subjectIp() IP it
 * is about}, and its {@link #segmentName() segment} when that is not the default one ({@link
 * Segments}) — and {@link #eventTime()} (the capture timestamp) as the record timestamp.
 *
 * @param v schema major version
 * @param eventTime capture timestamp
 * @param sensorId the sensor that saw it
 * @param iface the interface it was captured on
 * @param vlan the 802.1Q VLAN id, or null when untagged
 * @param segment the segment configured for the sensor ({@code sensor.arp.segment}), or null (none:
 *     the default segment); it names the segment of untagged frames only (a tagged frame's is its
 *     VLAN). Added after v1's first release: absent in older records, and left out when null, so a
 *     sensor without one writes what it always wrote
 * @param packetClass request, reply, probe, announcement, NS or NA
 * @param senderIp ARP sender protocol address; IPv6 source address
 * @param senderMac ARP sender hardware address; IPv6 source link-layer option (null when absent)
 * @param targetIp ARP target protocol address; IPv6 target address
 * @param targetMac ARP target hardware address; IPv6 target link-layer option (null when absent)
 * @param ethSrc the Ethernet frame's source MAC; for {@link PacketClass#ROUTER_TABLE}, the entry's
 *     MAC (there is no frame)
 * @param table for {@link PacketClass#ROUTER_TABLE} only (null otherwise): whether the router
 *     learned this entry since the sensor's previous poll ({@link TableEntry#NEW}, {@link
 *     TableEntry#CHANGED}) or held it already ({@link TableEntry#HELD}: a periodic refresh, or the
 *     sensor's first poll)
 */
public record ArpObservation(
    int v,
    Instant eventTime,
    String sensorId,
    @JsonProperty("interface") String iface,
    Integer vlan,
    String segment,
    @JsonProperty("class") PacketClass packetClass,
    IpAddress senderIp,
    MacAddress senderMac,
    IpAddress targetIp,
    MacAddress targetMac,
    MacAddress ethSrc,
    TableEntry table)
    implements SensorEvent {

  private static final String TYPE = "ArpObservation";

  /** What a router-table entry is, compared with the sensor's previous poll of that table. */
  public enum TableEntry {
    /** The IP was not in the table at the previous poll: the router learned it since. */
    NEW,
    /**
     * The IP was in the table with another MAC at the previous poll: the router learned it since.
     */
    CHANGED,
    /**
     * The entry was there before (a periodic refresh), or this is the sensor's first poll of the
     * table: when the router learned it is not known.
     */
    HELD;

    /** The router learned the binding since the previous poll. */
    public boolean learned() {
      return this != HELD;
    }
  }

  public ArpObservation {
    Schema.checkVersion(v, TYPE);
    Schema.required(eventTime, TYPE, "eventTime");
    Schema.requiredText(sensorId, TYPE, "sensorId");
    Schema.requiredText(iface, TYPE, "interface");
    Schema.required(packetClass, TYPE, "class");
    Schema.required(senderIp, TYPE, "senderIp");
    Schema.required(targetIp, TYPE, "targetIp");
    Schema.required(ethSrc, TYPE, "ethSrc");
    if (vlan != null && (vlan < 0 || vlan > 4095)) {
      throw new IllegalArgumentException(TYPE + ": 'vlan' must be 0..4095, got " + vlan);
    }
    try {
      segment = Segments.name(segment);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(TYPE + ": 'segment': " + e.getMessage(), e);
    }
    if (packetClass == PacketClass.ROUTER_TABLE) {
      // an entry of a router's neighbour table: IPv4 (ipNetToMediaTable) or IPv6
      if (senderIp.isV6() != targetIp.isV6()) {
        throw new IllegalArgumentException(
            TYPE + ": ROUTER_TABLE needs its two addresses of one family");
      }
      Schema.required(senderMac, TYPE, "senderMac");
    } else {
      boolean v6 = packetClass.isIpv6();
      if (senderIp.isV6() != v6 || targetIp.isV6() != v6) {
        throw new IllegalArgumentException(
            TYPE + ": " + packetClass + " needs " + (v6 ? "IPv6" : "IPv4") + " addresses");
      }
      if (!v6) {
        Schema.required(senderMac, TYPE, "senderMac");
      }
    }
    if ((packetClass == PacketClass.ROUTER_TABLE) != (table != null)) {
      throw new IllegalArgumentException(
          TYPE
              + ": 'table' is "
              + (table == null ? "required for ROUTER_TABLE" : "only for ROUTER_TABLE"));
    }
  }

  /** An observation without a configured segment. */
  public ArpObservation(
      int v,
      Instant eventTime,
      String sensorId,
      String iface,
      Integer vlan,
      PacketClass packetClass,
      IpAddress senderIp,
      MacAddress senderMac,
      IpAddress targetIp,
      MacAddress targetMac,
      MacAddress ethSrc,
      TableEntry table) {
    this(
        v,
        eventTime,
        sensorId,
        iface,
        vlan,
        null,
        packetClass,
        senderIp,
        senderMac,
        targetIp,
        targetMac,
        ethSrc,
        table);
  }

  /** An observation in the current schema version, without a configured segment. */
  public ArpObservation(
      Instant eventTime,
      String sensorId,
      String iface,
      Integer vlan,
      PacketClass packetClass,
      IpAddress senderIp,
      MacAddress senderMac,
      IpAddress targetIp,
      MacAddress targetMac,
      MacAddress ethSrc) {
    this(
        eventTime,
        sensorId,
        iface,
        vlan,
        null,
        packetClass,
        senderIp,
        senderMac,
        targetIp,
        targetMac,
        ethSrc);
  }

  /** An observation in the current schema version, by a sensor in {@code segment} (or null). */
  public ArpObservation(
      Instant eventTime,
      String sensorId,
      String iface,
      Integer vlan,
      String segment,
      PacketClass packetClass,
      IpAddress senderIp,
      MacAddress senderMac,
      IpAddress targetIp,
      MacAddress targetMac,
      MacAddress ethSrc) {
    this(
        Schema.V1,
        eventTime,
        sensorId,
        iface,
        vlan,
        segment,
        packetClass,
        senderIp,
        senderMac,
        targetIp,
        targetMac,
        ethSrc,
        null);
  }

  /**
   * An entry of a router's ARP table: {@code ip} is at {@code mac} on the router's interface {@code
   * iface}, as the router {@code sensorId} held it at {@code polledAt}.
   */
  public static ArpObservation routerTable(
      Instant polledAt,
      String sensorId,
      String iface,
      IpAddress ip,
      MacAddress mac,
      TableEntry table) {
    return new ArpObservation(
        Schema.V1,
        polledAt,
        sensorId,
        iface,
        null,
        PacketClass.ROUTER_TABLE,
        ip,
        mac,
        ip,
        null,
        mac,
        table);
  }

  /**
   * The IP address this packet says something about, and so its topic key: the target of a probe, a
   * neighbour solicitation from :: or an advertisement; the sender otherwise.
   */
  @JsonIgnore
  public IpAddress subjectIp() {
    return switch (packetClass) {
      case PROBE, NEIGHBOR_ADVERTISEMENT -> targetIp;
      case NEIGHBOR_SOLICITATION -> senderIp.isUnspecified() ? targetIp : senderIp;
      case REQUEST, REPLY, ANNOUNCEMENT, ROUTER_TABLE -> senderIp;
    };
  }

  /**
   * The broadcast domain this packet was seen in, or null for the default one: its VLAN ({@code
   * vlan20}) when tagged, else the sensor's configured {@link #segment()}. A router-table entry is
   * in the default segment (see the README: "Sensors on several VLANs").
   */
  @JsonIgnore
  public String segmentName() {
    return Segments.of(vlan, segment);
  }

  /**
   * Its key in {@code labwatch.arp}: the {@link #subjectIp()} in its {@link #segmentName()} —
   * {@code 10.77.0.10}, or {@code 10.77.0.10%vlan20} ({@link Segments#key}).
   */
  @JsonIgnore
  public String key() {
    return Segments.key(subjectIp(), segmentName());
  }

  /** The ARP sender MAC differs from the Ethernet source: a proxy, a bridge, or a forgery. */
  @JsonIgnore
  public boolean etherMismatch() {
    return senderMac != null && !senderMac.equals(ethSrc);
  }
}
