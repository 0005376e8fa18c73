package io.labwatch.events;

import java.time.Instant;
import java.util.List;

/**
 * The detection asking the ARP sensors to confirm a binding: "who has {@code ip}?". Published to
 * {@code labwatch.probe-requests} with the IP as key, when a second MAC claims an address another
 * MAC held. Every sensor that may send on that network answers it with ARP requests for the IP (its
 * {@link ArpProbe} records and the replies it captures go to {@code labwatch.arp}, where the
 * detection reads them like any other observation).
 *
 * <p>A request is a wish, not a command: a sensor may skip it (probing off, no permission, another
 * network, its rate limit), and the detection falls back to its passive rules.
 *
 * @param v schema major version
 * @param ip the IPv4 address to ask for
 * @param requestedAt the event time of the claim that raised the question
 * @param macs the MACs that claim it, the newest last
 * @param reason one line on why, for logs
 */
public record ProbeRequest(
    int v, IpAddress ip, Instant requestedAt, List<MacAddress> macs, String reason) {

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
  }

  public ProbeRequest(IpAddress ip, Instant requestedAt, List<MacAddress> macs, String reason) {
    this(Schema.V1, ip, requestedAt, macs, reason);
  }
}
