package io.labwatch.producers.host.probe.internal;

import io.labwatch.events.IpAddress;
import java.time.Duration;

/** Runs one probe of one kind against a resolved address. */
public interface Prober {

  /**
   * Probes {@code ip} once, returning within {@code timeout} plus a little (the time to start a
   * process or open a capture). Never throws for anything the target does.
   *
   * @param port the TCP port; null for the other kinds
   * @throws ProbeUnavailable when this host cannot run this kind of probe at all (no permission, a
   *     missing tool or library): nothing was sent, so there is no result
   */
  Outcome probe(IpAddress ip, Integer port, Duration timeout);
}
