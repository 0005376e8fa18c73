package io.labwatch.events;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.time.Instant;
import java.util.List;

/**
 * A sensor's account of one confirmation probe it ran for an IP (asked by a {@link ProbeRequest}):
 * published to {@code labwatch.arp}, keyed by the IP in its segment ({@link #key()}), once when it
 * starts asking ({@link Phase#SENT}, before the first ARP request leaves) and once when it stops
 * listening for answers ({@link Phase#DONE}, with the MACs that answered). Both go through the same
 * producer and partition as the replies the sensor captured in between, so the detection reads them
 * in order: SENT, the answers, DONE. A recorded stream holds them, so a replay decides as the live
 * run did.
 *
 * @param v schema major version
 * @param eventTime when the probe started (SENT) or ended (DONE)
 * @param sensorId the sensor that probed
 * @param iface the interface it probed from
 * @param ip the address it asked for
 * @param proberMac the MAC its requests came from (the detection ignores those requests)
 * @param phase SENT or DONE
 * @param requests how many ARP requests it sent (DONE; 0 in SENT)
 * @param answeredBy the MACs whose replies for {@code ip} it captured while listening (DONE)
 * @param segment the segment the sensor probed in (its {@code sensor.arp.segment}), or null for the
 *     default segment; added without changing {@code v}, left out when null
 */
public record ArpProbe(
    int v,
    Instant eventTime,
    String sensorId,
    String iface,
    IpAddress ip,
    MacAddress proberMac,
    Phase phase,
    int requests,
    List<MacAddress> answeredBy,
    String segment)
    implements SensorEvent {

  private static final String TYPE = "ArpProbe";

  /** Where in its run a probe is. */
  public enum Phase {
    SENT,
    DONE
  }

  public ArpProbe {
    Schema.checkVersion(v, TYPE);
    Schema.required(eventTime, TYPE, "eventTime");
    Schema.requiredText(sensorId, TYPE, "sensorId");
    Schema.requiredText(iface, TYPE, "interface");
    Schema.required(ip, TYPE, "ip");
    Schema.required(proberMac, TYPE, "proberMac");
    Schema.required(phase, TYPE, "phase");
    Schema.nonNegative(requests, TYPE, "requests");
    answeredBy = answeredBy == null ? List.of() : List.copyOf(answeredBy);
    try {
      segment = Segments.name(segment);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(TYPE + ": 'segment': " + e.getMessage(), e);
    }
  }

  /** A probe's record in the default segment. */
  public ArpProbe(
      int v,
      Instant eventTime,
      String sensorId,
      String iface,
      IpAddress ip,
      MacAddress proberMac,
      Phase phase,
      int requests,
      List<MacAddress> answeredBy) {
    this(v, eventTime, sensorId, iface, ip, proberMac, phase, requests, answeredBy, null);
  }

  /** The same record, of a probe in {@code segment} (null: the default segment). */
  public ArpProbe inSegment(String segment) {
    return new ArpProbe(
        v, eventTime, sensorId, iface, ip, proberMac, phase, requests, answeredBy, segment);
  }

  /** Its key in {@code labwatch.arp}: the IP in the probe's segment ({@link Segments#key}). */
  @JsonIgnore
  public String key() {
    return Segments.key(ip, segment);
  }

  /** The start of a probe. */
  public static ArpProbe sent(
      Instant at, String sensorId, String iface, IpAddress ip, MacAddress proberMac) {
    return new ArpProbe(Schema.V1, at, sensorId, iface, ip, proberMac, Phase.SENT, 0, List.of());
  }

  /** The end of a probe, with who answered. */
  public static ArpProbe done(
      Instant at,
      String sensorId,
      String iface,
      IpAddress ip,
      MacAddress proberMac,
      int requests,
      List<MacAddress> answeredBy) {
    return new ArpProbe(
        Schema.V1, at, sensorId, iface, ip, proberMac, Phase.DONE, requests, answeredBy);
  }
}
