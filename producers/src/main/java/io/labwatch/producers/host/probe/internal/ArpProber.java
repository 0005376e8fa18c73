package io.labwatch.producers.host.probe.internal;

import io.labwatch.events.IpAddress;
import io.labwatch.events.LabwatchException;
import io.labwatch.events.ProbeResult.ErrorClass;
import io.labwatch.producers.arp.ArpQuery;
import java.time.Duration;
import java.util.Optional;

/**
 * An ARP probe: one request for the address from the interface whose subnet holds it ({@link
 * ArpQuery}), every reply heard. Ok when anyone replied; two MACs in its answer are two devices
 * that claim the address. It listens {@link #SETTLE} past the first reply for others, at most the
 * timeout. An address on no attached subnet is UNREACHABLE (ARP does not cross a router). Needs
 * root or CAP_NET_RAW: without it the probe is unavailable on this host, said once by the
 * scheduler.
 */
public final class ArpProber implements Prober {

  /** How long past the first reply it listens for another device's. */
  public static final Duration SETTLE = Duration.ofMillis(300);

  @Override
  public Outcome probe(IpAddress ip, Integer port, Duration timeout) {
    long start = System.nanoTime();
    Optional<ArpQuery.Route> route = ArpQuery.route(ip);
    if (route.isEmpty()) {
      return Outcome.failed(
          Outcome.microsSince(start),
          ErrorClass.UNREACHABLE,
          ip + " is on none of this host's IPv4 subnets (ARP reaches only those)");
    }
    ArpQuery.Answer answer;
    try {
      answer = ArpQuery.ask(route.get(), ip, timeout, SETTLE);
    } catch (LabwatchException e) {
      throw new ProbeUnavailable("ARP probes cannot run: " + e.getMessage(), e);
    }
    if (answer.macs().isEmpty()) {
      return Outcome.failed(
          Outcome.microsSince(start),
          ErrorClass.TIMEOUT,
          "no ARP reply within " + timeout.toMillis() + "ms on " + route.get().iface());
    }
    return Outcome.answeredBy(answer.firstReplyUs(), answer.macs());
  }
}
