package io.labwatch.events;

import java.time.Instant;
import java.util.List;

/**
 * One reachability probe a host sensor ran against one target: whether it answered, how fast, how
 * it failed, and — the evidence for an IP conflict — which MAC the target's IP resolved to at that
 * moment. "ssh to 10.77.0.10 failed 14 of 40 times, every failure went to 00:a0:de:…" is a count of
 * these records by {@code ok} and {@code mac}; the MAC's vendor is {@link
 * Vendors#describe(MacAddress)}, not stored.
 *
 * <p>Published to {@code labwatch.host} keyed by the sensor's host name (its {@link #sensorId()}),
 * with {@link #eventTime()} (when the probe started) as the record timestamp.
 *
 * @param v schema major version
 * @param eventTime when the probe started
 * @param sensorId the probing host (its host name)
 * @param target the target as configured, e.g. {@code tcp://yamato:22?timeout=1s}
 * @param kind TCP connect, ICMP echo or ARP request
 * @param ip the address the target's host resolved to for this probe; null only when it did not
 *     resolve ({@link ErrorClass#UNRESOLVED})
 * @param port the TCP port (TCP only, else null)
 * @param ok whether the target answered: TCP, the connection was established (what the server did
 *     next is not looked at); ICMP, an echo reply came back; ARP, at least one reply came back
 * @param latencyUs microseconds from the start of the probe to its answer (TCP: connect, ICMP: the
 *     round trip as {@code ping} measured it, ARP: the first reply) or, when it failed, to the
 *     failure (a refusal in 0.2 ms and a timeout after 2 s tell different stories); never negative
 * @param error how it failed; null when {@code ok}
 * @param errorText what the failure said, one short line (e.g. {@code Connection refused}); null
 *     when {@code ok}
 * @param mac the MAC the target's IP resolved to at that moment: for TCP and ICMP the kernel's
 *     neighbour entry read right after the probe (where the probe's frames went), for ARP the first
 *     reply's sender; null when there was none — no entry or an incomplete one (nobody answered
 *     ARP), a target beyond a router (its frames went to the gateway), an IPv6 target (only the
 *     IPv4 neighbour table is read)
 * @param answeredBy ARP only: every MAC that replied, in the order they first replied; more than
 *     one is two devices claiming one IP. Empty for TCP and ICMP
 */
public record ProbeResult(
    int v,
    Instant eventTime,
    String sensorId,
    String target,
    Kind kind,
    IpAddress ip,
    Integer port,
    boolean ok,
    long latencyUs,
    ErrorClass error,
    String errorText,
    MacAddress mac,
    List<MacAddress> answeredBy)
    implements SensorEvent {

  private static final String TYPE = "ProbeResult";

  /** What a probe does. */
  public enum Kind {
    /** A TCP connection to a port, closed as soon as it is established. */
    TCP,
    /** One ICMP echo request. */
    ICMP,
    /** One ARP request, listening for every reply. */
    ARP
  }

  /** How a probe failed. */
  public enum ErrorClass {
    /** No answer within the probe's timeout. */
    TIMEOUT,
    /** The host answered that nothing listens on the port (a TCP reset to the SYN). */
    REFUSED,
    /**
     * No way to the host: no route, or nobody answered ARP for it (the kernel says "No route to
     * host"), or a router said so (ICMP unreachable).
     */
    UNREACHABLE,
    /** The connection was reset while it was being established. */
    RESET,
    /** The target's host name did not resolve (to an address of the family the probe needs). */
    UNRESOLVED,
    /** Anything else; {@code errorText} says what. */
    ERROR
  }

  public ProbeResult {
    Schema.checkVersion(v, TYPE);
    Schema.required(eventTime, TYPE, "eventTime");
    Schema.requiredText(sensorId, TYPE, "sensorId");
    Schema.requiredText(target, TYPE, "target");
    Schema.required(kind, TYPE, "kind");
    Schema.nonNegative(latencyUs, TYPE, "latencyUs");
    if (ip == null && error != ErrorClass.UNRESOLVED) {
      throw new IllegalArgumentException(TYPE + ": 'ip' is required unless error is UNRESOLVED");
    }
    if (kind == Kind.TCP) {
      Schema.required(port, TYPE, "port");
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException(TYPE + ": 'port' must be 1..65535, got " + port);
      }
    } else if (port != null) {
      throw new IllegalArgumentException(TYPE + ": 'port' is only for TCP, not " + kind);
    }
    if (kind == Kind.ARP && ip != null && !ip.isV4()) {
      throw new IllegalArgumentException(TYPE + ": ARP needs an IPv4 address, got " + ip);
    }
    if (ok && (error != null || errorText != null)) {
      throw new IllegalArgumentException(TYPE + ": an ok probe has no 'error' or 'errorText'");
    }
    if (!ok) {
      Schema.required(error, TYPE, "error");
    }
    answeredBy = answeredBy == null ? List.of() : List.copyOf(answeredBy);
    if (kind != Kind.ARP && !answeredBy.isEmpty()) {
      throw new IllegalArgumentException(TYPE + ": 'answeredBy' is only for ARP, not " + kind);
    }
    if (kind == Kind.ARP && ok == answeredBy.isEmpty()) {
      throw new IllegalArgumentException(
          TYPE + ": an ARP probe is ok exactly when someone answered ('answeredBy' not empty)");
    }
  }

  /** A probe that was answered, in the current schema version. */
  public static ProbeResult answered(
      Instant eventTime,
      String sensorId,
      String target,
      Kind kind,
      IpAddress ip,
      Integer port,
      long latencyUs,
      MacAddress mac,
      List<MacAddress> answeredBy) {
    return new ProbeResult(
        Schema.V1,
        eventTime,
        sensorId,
        target,
        kind,
        ip,
        port,
        true,
        latencyUs,
        null,
        null,
        mac,
        answeredBy);
  }

  /** A probe that failed, in the current schema version. */
  public static ProbeResult failed(
      Instant eventTime,
      String sensorId,
      String target,
      Kind kind,
      IpAddress ip,
      Integer port,
      long latencyUs,
      ErrorClass error,
      String errorText,
      MacAddress mac) {
    return new ProbeResult(
        Schema.V1, eventTime, sensorId, target, kind, ip, port, false, latencyUs, error, errorText,
        mac, List.of());
  }
}
