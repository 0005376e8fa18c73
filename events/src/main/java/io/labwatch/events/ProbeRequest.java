package io.labwatch.events;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.time.Instant;
import java.util.List;

/**
 * The detection asking the ARP sensors to confirm a binding: "who has {@code ip}?". Published to
 * {@code labwatch.probe-requests} with the IP in its segment as key ({@link #key()}), when a second
 * MAC claims an address another MAC held. Every sensor that may send on that network answers it
 * with ARP requests for the IP (its {@link ArpProbe} records and the replies it captures go to
 * {@code labwatch.arp}, where the detection reads them like any other observation).
 *
 * <p>A request is a wish, not a command: a sensor may skip it (probing off, no permission, another
 * network, its rate limit), and the detection falls back to its passive rules.
 *
 * @param v schema major version
 * @param ip the IPv4 address to ask for
 * @param requestedAt the event time of the claim that raised the question
 * @param macs the MACs that claim it, the newest last
 * @param reason one line on why, for logs
 * @param segment the segment of the address ({@link Segments}), or null for the default segment:
 *     only sensors configured in that segment ({@code sensor.arp.segment}) answer, for only they
 *     ask in its broadcast domain. Added without changing {@code v}, left out when null. A sensor
 *     older than the field takes every request for one of the default segment: it asks in its own
 *     broadcast domain, and publishes what it saw there under the IP alone, where it is true
 */
public record ProbeRequest(
    int v,
    IpAddress ip,
    Instant requestedAt,
    List<MacAddress> macs,
    String reason,
    String segment) {

  private static final String TYPE = "ProbeRequest";

  public ProbeRequest {
    Schema.checkVersion(v, TYPE);
    Schema.required(ip, TYPE, "ip");
    if (!ip.isV4() || ip.isUnspecified()) {
      throw new IllegalArgumentException(TYPE + ": 'ip' must be an IPv4 address, got " + ip);
    }
    Schema.required(requestedAt, TYPE, "requestedAt");
    macs = macs == null ? List.of() : List.copyOf(macs);
    reason = reason == null ? "" : reason;
    try {
      segment = Segments.name(segment);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(TYPE + ": 'segment': " + e.getMessage(), e);
    }
  }

  /** A request in the default segment. */
  public ProbeRequest(
      int v, IpAddress ip, Instant requestedAt, List<MacAddress> macs, String reason) {
    this(v, ip, requestedAt, macs, reason, null);
  }

  /** A request in the default segment, in the current schema version. */
  public ProbeRequest(IpAddress ip, Instant requestedAt, List<MacAddress> macs, String reason) {
    this(Schema.V1, ip, requestedAt, macs, reason, null);
  }

  /** A request about {@code ip} in {@code segment} (null: the default segment). */
  public ProbeRequest(
      IpAddress ip, Instant requestedAt, List<MacAddress> macs, String reason, String segment) {
    this(Schema.V1, ip, requestedAt, macs, reason, segment);
  }

  /** Its key: the IP in its segment ({@link Segments#key}). */
  @JsonIgnore
  public String key() {
    return Segments.key(ip, segment);
  }
}
