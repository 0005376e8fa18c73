package io.labwatch.streams;

import io.labwatch.events.IpAddress;
import io.labwatch.events.MacAddress;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The detection's settings ({@code detection.*}). {@link #defaults()} declares each default once:
 * labwatch's config loader starts from it, tests and benchmarks use it, and {@code
 * labwatch.example.yml} documents it (a test in app/ checks that the two agree).
 *
 * @param conflictWindow how far back an earlier MAC's assertion counts: A→B→A within it is a
 *     conflict, and a change A→B is a MAC change only once A has been silent this long
 * @param doubleReplyWindow two MACs asserting one IP this close together is a conflict at once
 * @param quietPeriod a conflict or spoof resolves after this long with a single MAC
 * @param learningPeriod new stations are learned silently for this long after the start
 * @param updateInterval a firing incident is re-sent with fresh counts at most this often
 * @param stateIdleTimeout what is known of an IP is forgotten after this long without traffic
 * @param silentHeartbeats a sensor is silent after this many missed heartbeats
 * @param wallClockSilence also notice a silent sensor by the wall clock (live); off for captures
 * @param exemptMacs MACs that may move between devices (VRRP, CARP, HSRP virtual MACs)
 * @param allowed per IP, MACs that may share it (bonding, HA pairs)
 * @param ignoredNetworks addresses never alerted on
 * @param inventory protected IPs and the MACs that may hold them (written to the inventory topic)
 * @param applicationId the Kafka Streams application id (names its consumer group and state)
 * @param health the rules over host metrics, interface counters and probe results ({@code
 *     detection.health.*})
 */
public record DetectionConfig(
    Duration conflictWindow,
    Duration doubleReplyWindow,
    Duration quietPeriod,
    Duration learningPeriod,
    Duration updateInterval,
    Duration stateIdleTimeout,
    int silentHeartbeats,
    boolean wallClockSilence,
    List<MacPattern> exemptMacs,
    Map<IpAddress, List<MacAddress>> allowed,
    List<Cidr> ignoredNetworks,
    Map<IpAddress, List<MacAddress>> inventory,
    String applicationId,
    HealthConfig health) {

  /** VRRP (IPv4, IPv6), CARP, HSRP v1 and v2 virtual MACs. */
  public static final List<MacPattern> DEFAULT_EXEMPT_MACS =
      List.of(
          MacPattern.of("00:00:5e:00:01:xx"),
          MacPattern.of("00:00:5e:00:02:xx"),
          MacPattern.of("00:00:0c:07:ac:xx"),
          MacPattern.of("00:00:0c:9f:fx:xx"));

  /** The Kafka Streams application id when none is given. */
  public static final String DEFAULT_APPLICATION_ID = "labwatch-detect";

  public DetectionConfig {
    positive(conflictWindow, "conflictWindow");
    positive(doubleReplyWindow, "doubleReplyWindow");
    positive(quietPeriod, "quietPeriod");
    nonNegative(learningPeriod, "learningPeriod");
    positive(updateInterval, "updateInterval");
    positive(stateIdleTimeout, "stateIdleTimeout");
    if (doubleReplyWindow.compareTo(conflictWindow) > 0) {
      throw new IllegalArgumentException(
          "doubleReplyWindow: must not be longer than conflictWindow");
    }
    if (stateIdleTimeout.compareTo(quietPeriod) <= 0
        || stateIdleTimeout.compareTo(conflictWindow) <= 0) {
      throw new IllegalArgumentException(
          "stateIdleTimeout: must be longer than quietPeriod and conflictWindow, or incidents would be forgotten before they resolve");
    }
    if (silentHeartbeats < 1) {
      throw new IllegalArgumentException(
          "silentHeartbeats: must be at least 1, got " + silentHeartbeats);
    }
    exemptMacs = exemptMacs == null ? DEFAULT_EXEMPT_MACS : List.copyOf(exemptMacs);
    allowed = copy(allowed, "allowed");
    ignoredNetworks = ignoredNetworks == null ? List.of() : List.copyOf(ignoredNetworks);
    inventory = copy(inventory, "inventory");
    if (applicationId == null || applicationId.isBlank()) {
      applicationId = DEFAULT_APPLICATION_ID;
    }
    health = health == null ? HealthConfig.defaults() : health;
  }

  /** The defaults: what labwatch ships, and what tests and benchmarks run. */
  public static DetectionConfig defaults() {
    return new DetectionConfig(
        Duration.ofMinutes(5), // conflictWindow
        Duration.ofSeconds(2), // doubleReplyWindow
        Duration.ofMinutes(10), // quietPeriod
        Duration.ofMinutes(10), // learningPeriod
        Duration.ofMinutes(5), // updateInterval
        Duration.ofHours(24), // stateIdleTimeout
        3, // silentHeartbeats
        true, // wallClockSilence
        DEFAULT_EXEMPT_MACS,
        Map.of(), // allowed
        List.of(), // ignoredNetworks
        Map.of(), // inventory
        DEFAULT_APPLICATION_ID,
        HealthConfig.defaults());
  }

  /** The same settings with protected addresses. */
  public DetectionConfig withInventory(Map<IpAddress, List<MacAddress>> protectedIps) {
    return new DetectionConfig(
        conflictWindow,
        doubleReplyWindow,
        quietPeriod,
        learningPeriod,
        updateInterval,
        stateIdleTimeout,
        silentHeartbeats,
        wallClockSilence,
        exemptMacs,
        allowed,
        ignoredNetworks,
        protectedIps,
        applicationId,
        health);
  }

  /** The same settings with another learning period. */
  public DetectionConfig withLearningPeriod(Duration period) {
    return new DetectionConfig(
        conflictWindow,
        doubleReplyWindow,
        quietPeriod,
        period,
        updateInterval,
        stateIdleTimeout,
        silentHeartbeats,
        wallClockSilence,
        exemptMacs,
        allowed,
        ignoredNetworks,
        inventory,
        applicationId,
        health);
  }

  /** The same settings under another Kafka Streams application id. */
  public DetectionConfig withApplicationId(String id) {
    return new DetectionConfig(
        conflictWindow,
        doubleReplyWindow,
        quietPeriod,
        learningPeriod,
        updateInterval,
        stateIdleTimeout,
        silentHeartbeats,
        wallClockSilence,
        exemptMacs,
        allowed,
        ignoredNetworks,
        inventory,
        id,
        health);
  }

  /** The same settings without wall-clock checks: for captures and tests, fully deterministic. */
  public DetectionConfig deterministic() {
    return new DetectionConfig(
        conflictWindow,
        doubleReplyWindow,
        quietPeriod,
        learningPeriod,
        updateInterval,
        stateIdleTimeout,
        silentHeartbeats,
        false,
        exemptMacs,
        allowed,
        ignoredNetworks,
        inventory,
        applicationId,
        health);
  }

  /** The same settings with other health rules. */
  public DetectionConfig withHealth(HealthConfig rules) {
    return new DetectionConfig(
        conflictWindow,
        doubleReplyWindow,
        quietPeriod,
        learningPeriod,
        updateInterval,
        stateIdleTimeout,
        silentHeartbeats,
        wallClockSilence,
        exemptMacs,
        allowed,
        ignoredNetworks,
        inventory,
        applicationId,
        rules);
  }

  /** True when the MAC may move between devices or share this IP without an alert. */
  public boolean exempt(IpAddress ip, MacAddress mac) {
    for (MacPattern p : exemptMacs) {
      if (p.matches(mac)) {
        return true;
      }
    }
    if (allowed.isEmpty()) {
      return false; // (most labs: no lookup, which hashes the address, for every packet)
    }
    List<MacAddress> ok = allowed.get(ip);
    return ok != null && ok.contains(mac);
  }

  public boolean ignored(IpAddress ip) {
    for (Cidr c : ignoredNetworks) {
      if (c.contains(ip)) {
        return true;
      }
    }
    return false;
  }

  private static void positive(Duration d, String name) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + ": must be a positive duration, got " + d);
    }
  }

  private static void nonNegative(Duration d, String name) {
    if (d == null || d.isNegative()) {
      throw new IllegalArgumentException(name + ": must not be negative, got " + d);
    }
  }

  private static Map<IpAddress, List<MacAddress>> copy(
      Map<IpAddress, List<MacAddress>> m, String name) {
    if (m == null) {
      return Map.of();
    }
    Map<IpAddress, List<MacAddress>> out = new TreeMap<>();
    m.forEach(
        (ip, macs) -> {
          if (macs == null || macs.isEmpty()) {
            throw new IllegalArgumentException(name + ": " + ip + " needs at least one MAC");
          }
          out.put(ip, List.copyOf(macs));
        });
    return Collections.unmodifiableMap(out);
  }
}
