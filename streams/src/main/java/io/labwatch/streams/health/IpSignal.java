package io.labwatch.streams.health;

import io.labwatch.events.Alert;
import io.labwatch.events.ProbeResult;

/**
 * What the correlation hears of one IP address (the repartition topic's key), exactly one of: a
 * probe's result against it, an incident of its binding (IP_CONFLICT, MAC_CHANGED, ADDRESS_SPOOF,
 * on its way to the alerts), or the load of the host that holds it.
 */
public record IpSignal(ProbeResult probe, Alert incident, HostHealth host) {

  public IpSignal {
    int n = (probe != null ? 1 : 0) + (incident != null ? 1 : 0) + (host != null ? 1 : 0);
    if (n != 1) {
      throw new IllegalArgumentException("IpSignal: exactly one of probe, incident, host");
    }
  }

  public static IpSignal of(ProbeResult p) {
    return new IpSignal(p, null, null);
  }

  public static IpSignal of(Alert a) {
    return new IpSignal(null, a, null);
  }

  public static IpSignal of(HostHealth h) {
    return new IpSignal(null, null, h);
  }
}
