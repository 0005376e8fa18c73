package io.labwatch.app.report;

import io.labwatch.events.Alert;
import io.labwatch.events.PacketClass;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What an incident report shows, gathered from the kept topics: everything the page draws, as plain
 * data (it is embedded in the page as JSON, and read back by tests).
 *
 * @param title the page's title
 * @param incident the incident the report is about (its latest record), or null for a range
 * @param from start of the time axis
 * @param to end of the time axis
 * @param addresses the IP addresses whose bindings are drawn
 * @param lanes one per (address, MAC) that claimed it, in order of first claim
 * @param claims each claim, oldest first
 * @param alerts the alert records about the addresses or their MACs in the range, oldest first
 * @param sensors each sensor's heartbeats and the gaps between them
 * @param probes the probes of the addresses
 * @param hosts the load of the hosts that hold the addresses
 * @param commands the command lines that show the same data again
 * @param truncated claims left out to keep the page light (0 normally)
 */
public record ReportData(
    String title,
    Alert incident,
    Instant from,
    Instant to,
    List<String> addresses,
    List<Lane> lanes,
    List<Claim> claims,
    List<Alert> alerts,
    List<SensorTrack> sensors,
    List<Probe> probes,
    List<HostLoad> hosts,
    List<String> commands,
    long truncated) {

  /**
   * A MAC address's claims on an IP address.
   *
   * @param counts claims by packet class
   * @param flips claims that took the address from another MAC
   */
  public record Lane(
      String ip,
      String mac,
      String vendor,
      long claims,
      Instant firstSeen,
      Instant lastSeen,
      List<String> sensors,
      Map<PacketClass, Long> counts,
      long flips) {}

  /**
   * One packet (or router table entry) that bound the address to a MAC.
   *
   * @param flip the address was last claimed by another MAC
   */
  public record Claim(Instant at, int lane, PacketClass packetClass, String sensor, boolean flip) {}

  /** A sensor's heartbeats in the range, and the gaps longer than 2.5 of its intervals. */
  public record SensorTrack(
      String sensor, String source, long intervalMs, List<Instant> beats, List<Gap> gaps) {}

  /** A sensor silence. */
  public record Gap(Instant from, Instant to) {}

  /** One probe result; {@code lane} is the lane of the MAC that answered, or -1. */
  public record Probe(
      Instant at,
      String target,
      String what,
      boolean ok,
      double latencyMs,
      String error,
      String mac,
      int lane) {}

  /** One host's load: CPU busy share (0–1) and 1-minute load per core. */
  public record HostLoad(String host, List<LoadPoint> points) {}

  /** One sample. */
  public record LoadPoint(Instant at, Double cpuBusy, Double loadPerCore) {}
}
