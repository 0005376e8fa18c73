package io.labwatch.producers.arp;

/** What capture needs, and the ways to grant it, as labwatch says it. */
public final class CaptureRights {

  private CaptureRights() {}

  /**
   * How to grant capture, after "capturing on IFACE": root; the systemd unit (an unprivileged user
   * with the two capabilities as ambient ones); or the same by hand with setpriv. (Not setcap on
   * java: a capability-marked java loses its $ORIGIN library path and no longer starts, and it
   * would grant capture to every Java program.)
   */
  public static final String HOW =
      " needs root or CAP_NET_RAW and CAP_NET_ADMIN: run as root, as the service (sudo"
          + " deploy/systemd/install: user labwatch with those two capabilities only), or with them"
          + " as ambient capabilities: sudo setpriv --reuid=$USER --regid=$(id -g) --init-groups"
          + " --inh-caps=+net_raw,+net_admin --ambient-caps=+net_raw,+net_admin labwatch run";
}
