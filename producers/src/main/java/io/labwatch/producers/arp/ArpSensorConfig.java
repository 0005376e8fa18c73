package io.labwatch.producers.arp;

import io.labwatch.events.IpAddress;
import io.labwatch.events.Segments;
import java.time.Duration;
import java.util.List;

/**
 * The ARP sensor's settings ({@code sensor.arp.*}).
 *
 * @param interfaces interfaces to capture on; empty means the default route's
 * @param promiscuous capture frames for other hosts too (needed on a mirror port or bridge)
 * @param sensorId the sensor's name in events and alerts; empty means host name and interface
 * @param segment the network segment (broadcast domain) of the untagged frames it captures, for a
 *     sensor on an access port of a VLAN other than the lab's default segment: {@code lab-b}, or
 *     {@code vlan20} to meet what a trunk sensor sees tagged with VLAN 20; empty means the default
 *     segment. Tagged frames are in their VLAN's segment whatever this says ({@code
 *     io.labwatch.events.Segments})
 * @param heartbeatInterval how often to publish a heartbeat
 * @param probe active probing, off unless it has targets
 * @param confirm confirmation probes: ARP requests for an IP the detection suspects of a conflict
 *     ({@code labwatch.probe-requests}); on unless switched off
 */
public record ArpSensorConfig(
    List<String> interfaces,
    boolean promiscuous,
    String sensorId,
    String segment,
    Duration heartbeatInterval,
    Probe probe,
    Confirm confirm) {

  /** The settings in the default segment. */
  public ArpSensorConfig(
      List<String> interfaces,
      boolean promiscuous,
      String sensorId,
      Duration heartbeatInterval,
      Probe probe,
      Confirm confirm) {
    this(interfaces, promiscuous, sensorId, null, heartbeatInterval, probe, confirm);
  }

  /** The settings in the default segment, with confirmation probes at their defaults. */
  public ArpSensorConfig(
      List<String> interfaces,
      boolean promiscuous,
      String sensorId,
      Duration heartbeatInterval,
      Probe probe) {
    this(interfaces, promiscuous, sensorId, heartbeatInterval, probe, null);
  }

  public ArpSensorConfig {
    interfaces = interfaces == null ? List.of() : List.copyOf(interfaces);
    for (String i : interfaces) {
      if (i == null || i.isBlank()) {
        throw new IllegalArgumentException("interfaces: an interface name must not be empty");
      }
    }
    sensorId = sensorId == null ? "" : sensorId.trim();
    try {
      segment = Segments.name(segment);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("segment: " + e.getMessage(), e);
    }
    if (heartbeatInterval == null
        || heartbeatInterval.compareTo(Duration.ofMillis(100)) < 0
        || heartbeatInterval.compareTo(Duration.ofHours(1)) > 0) {
      throw new IllegalArgumentException(
          "heartbeatInterval: must be between 100ms and 1h, got " + heartbeatInterval);
    }
    probe = probe == null ? new Probe(List.of(), Duration.ofSeconds(30), 10) : probe;
    confirm = confirm == null ? Confirm.defaults() : confirm;
  }

  /**
   * Confirmation probes ({@code sensor.arp.confirm.*}): when the detection suspects a conflict on
   * an IP it asks the sensors (a {@code ProbeRequest}); a sensor whose capture interface may send
   * on that IP's network asks for it twice, a second apart, and reports who answered. This sends
   * packets; {@code enabled: false} switches it off.
   *
   * @param enabled answer probe requests at all
   * @param ratePerSecond probe runs per second at most, for the whole sensor (a token bucket that
   *     holds one second's worth)
   * @param maxInFlight probe runs under way at once at most (each lasts about 2 s)
   * @param perIpInterval at most one probe run per IP in this time
   * @param maxRequestAge requests older than this by the wall clock are skipped: a backlog after an
   *     outage is not worth probing
   */
  public record Confirm(
      boolean enabled,
      int ratePerSecond,
      int maxInFlight,
      Duration perIpInterval,
      Duration maxRequestAge) {

    /** What ships: on, 5 runs/s, 16 at once, one per IP per 10 s, requests up to 10 s old. */
    public static Confirm defaults() {
      return new Confirm(true, 5, 16, Duration.ofSeconds(10), Duration.ofSeconds(10));
    }

    /** Off. */
    public static Confirm off() {
      Confirm d = defaults();
      return new Confirm(false, d.ratePerSecond, d.maxInFlight, d.perIpInterval, d.maxRequestAge);
    }

    public Confirm {
      if (ratePerSecond < 1 || ratePerSecond > 100) {
        throw new IllegalArgumentException("ratePerSecond: must be 1..100, got " + ratePerSecond);
      }
      if (maxInFlight < 1 || maxInFlight > 1000) {
        throw new IllegalArgumentException("maxInFlight: must be 1..1000, got " + maxInFlight);
      }
      if (perIpInterval == null
          || perIpInterval.compareTo(Duration.ofSeconds(1)) < 0
          || perIpInterval.compareTo(Duration.ofHours(1)) > 0) {
        throw new IllegalArgumentException(
            "perIpInterval: must be between 1s and 1h, got " + perIpInterval);
      }
      if (maxRequestAge == null
          || maxRequestAge.compareTo(Duration.ofSeconds(1)) < 0
          || maxRequestAge.compareTo(Duration.ofHours(1)) > 0) {
        throw new IllegalArgumentException(
            "maxRequestAge: must be between 1s and 1h, got " + maxRequestAge);
      }
    }
  }

  /**
   * Active probing: an ARP request for each target every interval, from the capture interface.
   *
   * @param targets IPv4 addresses to ask for; each must be in a subnet of the interface
   * @param interval how often each target is asked for
   * @param ratePerSecond at most this many probes per second, all targets together
   */
  public record Probe(List<IpAddress> targets, Duration interval, int ratePerSecond) {
    public Probe {
      targets = targets == null ? List.of() : List.copyOf(targets);
      for (IpAddress t : targets) {
        if (!t.isV4() || t.isUnspecified()) {
          throw new IllegalArgumentException("targets: ARP probes need IPv4 addresses, got " + t);
        }
      }
      if (interval == null || interval.compareTo(Duration.ofSeconds(1)) < 0) {
        throw new IllegalArgumentException("interval: must be at least 1s, got " + interval);
      }
      if (ratePerSecond < 1 || ratePerSecond > 1000) {
        throw new IllegalArgumentException("ratePerSecond: must be 1..1000, got " + ratePerSecond);
      }
      if (!targets.isEmpty()
          && Duration.ofMillis(1000L * targets.size() / ratePerSecond).compareTo(interval) > 0) {
        throw new IllegalArgumentException(
            "ratePerSecond: "
                + targets.size()
                + " targets at "
                + ratePerSecond
                + "/s take longer than the "
                + interval.toSeconds()
                + "s interval; raise the rate or the interval");
      }
    }

    public boolean enabled() {
      return !targets.isEmpty();
    }
  }

  /** The sensor id for one interface: the configured id, or host name and interface. */
  public String sensorIdFor(String iface, int interfaceCount) {
    if (sensorId.isEmpty()) {
      return Interfaces.hostName() + "-" + iface;
    }
    return interfaceCount > 1 ? sensorId + "-" + iface : sensorId;
  }
}
