package io.labwatch.producers.host.probe.internal;

import io.labwatch.events.LabwatchException;

/**
 * A kind of probe cannot run on this host at all — no CAP_NET_RAW for ARP, no {@code ping}, no
 * libpcap — said in a line that fixes it. Nothing was sent, so it is not a result about the target.
 */
public final class ProbeUnavailable extends LabwatchException {
  private static final long serialVersionUID = 1L;

  public ProbeUnavailable(String message) {
    super(message);
  }

  public ProbeUnavailable(String message, Throwable cause) {
    super(message, cause);
  }
}
