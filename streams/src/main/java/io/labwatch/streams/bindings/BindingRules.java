package io.labwatch.streams.bindings;

import io.labwatch.events.Alert;
import io.labwatch.events.ArpObservation;
import io.labwatch.events.Evidence;
import io.labwatch.events.InventoryEntry;
import io.labwatch.events.IpAddress;
import io.labwatch.events.MacAddress;
import io.labwatch.events.Severity;
import io.labwatch.events.Vendors;
import io.labwatch.streams.DetectionConfig;
import io.labwatch.streams.bindings.IpState.Incident;
import io.labwatch.streams.bindings.IpState.MacSeen;
import io.labwatch.streams.bindings.IpState.Pending;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The IP → MAC binding rules: IP_CONFLICT, MAC_CHANGED, ADDRESS_SPOOF, PROBE_FOR_ADDRESS_IN_USE,
 * NEW_STATION and ETHER_MISMATCH. A call changes the IP's state it is given (the caller stores it)
 * and returns the alerts; besides that state and the observation (or the passing of time), it reads
 * the configuration, the inventory and one value of the task's, {@link #watchedSince(long)}, which
 * the processor sets (and stores) after a gap in the records. All times are event times; nothing
 * here reads a clock, so the same input gives the same alerts.
 *
 * <p>Which packets assert a binding: ARP requests and replies from a real address and announcements
 * (sender IP → sender MAC), neighbour solicitations with a source link-layer option (source → that
 * MAC) and advertisements with a target link-layer option (target → that MAC). RFC 5227 probes and
 * IPv6 duplicate address detection ask about an address but never claim it.
 */
public final class BindingRules {

  public static final String IP_CONFLICT = "IP_CONFLICT";
  public static final String MAC_CHANGED = "MAC_CHANGED";
  public static final String ADDRESS_SPOOF = "ADDRESS_SPOOF";
  public static final String PROBE_FOR_ADDRESS_IN_USE = "PROBE_FOR_ADDRESS_IN_USE";
  public static final String NEW_STATION = "NEW_STATION";
  public static final String ETHER_MISMATCH = "ETHER_MISMATCH";

  private static final int MAX_TOLD = 32;

  private final DetectionConfig config;
  private final Function<IpAddress, InventoryEntry> inventory;
  private final long window;
  private final long doubleReply;
  private final long quiet;
  private final long updateEvery;
  private final long idle;

  /**
   * Stream time from which labwatch has been watching without a gap: time it did not see (labwatch
   * or every sensor down) is not quiet time, so nothing resolves before this + the quiet period.
   */
  private long watchedSince = Long.MIN_VALUE;

  /** See {@link #watchedSince}; set by the processor when records resume after a gap. */
  public void watchedSince(long t) {
    this.watchedSince = t;
  }

  private long quietUntil(long lastOffending) {
    return Math.max(lastOffending, watchedSince) + quiet;
  }

  /**
   * @param inventory the protected entry of an IP, or null
   */
  public BindingRules(DetectionConfig config, Function<IpAddress, InventoryEntry> inventory) {
    this.config = config;
    this.inventory = inventory;
    this.window = config.conflictWindow().toMillis();
    this.doubleReply = config.doubleReplyWindow().toMillis();
    this.quiet = config.quietPeriod().toMillis();
    this.updateEvery = config.updateInterval().toMillis();
    this.idle = config.stateIdleTimeout().toMillis();
  }

  /** A new, empty state for {@code ip}. */
  public static IpState newState(String ip) {
    return new IpState(ip);
  }

  /**
   * Applies one observation about the state's IP.
   *
   * @param learning true while new stations are being learned silently
   * @return the alerts it causes, in order
   */
  public List<Alert> onObservation(IpState s, ArpObservation o, long t, boolean learning) {
    List<Alert> out = new ArrayList<>();
    IpAddress ip = IpAddress.of(s.ip);
    if (config.ignored(ip)) {
      return out;
    }
    s.lastSeen = Math.max(s.lastSeen, t);
    if (o.etherMismatch()) {
      etherMismatch(s, o, ip, t, out);
    }
    switch (o.packetClass()) {
      case PROBE -> probe(s, o.senderMac(), o, ip, t, out);
      case NEIGHBOR_SOLICITATION -> {
        if (o.senderIp().isUnspecified()) {
          probe(s, o.ethSrc(), o, ip, t, out); // duplicate address detection
        } else if (o.senderMac() != null) {
          assertion(s, o.senderMac(), o, ip, t, learning, out);
        }
      }
      case NEIGHBOR_ADVERTISEMENT -> {
        if (o.targetMac() != null) {
          assertion(s, o.targetMac(), o, ip, t, learning, out);
        }
      }
      case REQUEST, REPLY, ANNOUNCEMENT -> assertion(s, o.senderMac(), o, ip, t, learning, out);
    }
    schedule(s);
    return out;
  }

  /**
   * Lets time pass to {@code now} (stream time, or the time of the next observation): a pending MAC
   * change that stood for the conflict window is told, incidents quiet for the quiet period
   * resolve, and an idle state is dropped.
   *
   * @return the alerts, and whether the state is to be deleted
   */
  public Tick onTime(IpState s, long now) {
    List<Alert> out = new ArrayList<>();
    s.timerAt = 0; // it fired; schedule() below sets the next
    Pending p = s.pending;
    if (p != null && p.at + window <= now) {
      MacSeen from = s.macs.get(p.from);
      boolean fromSilent = from == null || from.lastSeen < p.at;
      if (fromSilent && s.conflict == null) {
        out.add(macChanged(s, p));
      }
      s.pending = null;
    }
    if (s.conflict != null) {
      long resolveAt = conflictResolveAt(s);
      if (resolveAt <= now) {
        out.add(resolveConflict(s, resolveAt));
      }
    }
    if (s.spoof != null && quietUntil(s.spoof.lastOffendingAt) <= now) {
      out.add(resolveSpoof(s, quietUntil(s.spoof.lastOffendingAt)));
    }
    s.probesTold.values().removeIf(at -> at + window <= now);
    boolean expired =
        s.conflict == null && s.spoof == null && s.pending == null && s.lastSeen + idle <= now;
    if (!expired) {
      schedule(s);
    }
    return new Tick(out, expired);
  }

  /** What passing time did: alerts, and whether the state expired. */
  public record Tick(List<Alert> alerts, boolean expired) {}

  // ---- binding assertions

  private void assertion(
      IpState s,
      MacAddress mac,
      ArpObservation o,
      IpAddress ip,
      long t,
      boolean learning,
      List<Alert> out) {
    if (mac == null || !mac.isStation() || config.exempt(ip, mac)) {
      return;
    }
    String m = mac.toString();
    MacSeen seen = s.macs.get(m);
    boolean newPair = seen == null;
    long previousOwnSeen = newPair ? Long.MIN_VALUE : seen.lastSeen;
    if (newPair) {
      seen = new MacSeen();
      seen.firstSeen = t;
      s.macs.put(m, seen);
      forgetOldestMacs(s, m);
    }
    seen.packets++;
    seen.lastSeen = Math.max(seen.lastSeen, t);
    seen.sensors.add(o.sensorId());
    seen.classes.add(o.packetClass());

    InventoryEntry protectedIp = inventory.apply(ip);
    if (protectedIp != null) {
      if (!protectedIp.macs().contains(mac)) {
        spoof(s, m, protectedIp, t, out);
      }
      s.lastMac = m;
      s.lastAssertAt = t;
      return; // a protected address: its own rule replaces conflict and change detection
    }
    if (newPair && !learning) {
      out.add(newStation(s, m, o, t));
    }

    String prev = s.lastMac;
    if (prev != null && !prev.equals(m)) {
      s.recentFlips.add(t);
      s.recentFlips.removeIf(at -> at < t - window);
      MacSeen prevSeen = s.macs.get(prev);
      long prevLast = prevSeen == null ? Long.MIN_VALUE : prevSeen.lastSeen;
      boolean reasserts = previousOwnSeen >= t - window; // A→B→A
      boolean doubleAnswer = prevLast >= t - doubleReply;
      if (s.conflict != null) {
        s.conflict.flips++;
        updateConflict(s, m, t, true, out);
      } else if (reasserts || doubleAnswer) {
        s.pending = null;
        out.add(fireConflict(s, t));
      } else {
        Pending p = new Pending();
        p.from = prev;
        p.to = m;
        p.at = t;
        s.pending = p;
      }
    } else if (s.conflict != null) {
      updateConflict(s, m, t, false, out);
    }
    s.lastMac = m;
    s.lastAssertAt = t;
  }

  private static void forgetOldestMacs(IpState s, String keep) {
    while (s.macs.size() > IpState.MAX_MACS) {
      String oldest =
          s.macs.entrySet().stream()
              .filter(e -> !e.getKey().equals(keep))
              .min(
                  Comparator.comparingLong((Map.Entry<String, MacSeen> e) -> e.getValue().lastSeen)
                      .thenComparing(Map.Entry::getKey))
              .map(Map.Entry::getKey)
              .orElseThrow();
      s.macs.remove(oldest);
    }
  }

  // ---- IP_CONFLICT

  private Alert fireConflict(IpState s, long t) {
    Incident i = new Incident();
    i.macs.addAll(macsSince(s, t - window));
    i.flips = s.recentFlips.size();
    long started = s.recentFlips.isEmpty() ? t : s.recentFlips.get(0);
    Alert a =
        Alert.firing(
            IP_CONFLICT,
            s.ip,
            Severity.CRITICAL,
            conflictSummary(s, i, started, t),
            conflictEvidence(s, i),
            labels(s, i.macs),
            Instant.ofEpochMilli(started));
    i.alert = a;
    i.lastEmittedAt = t;
    s.conflict = i;
    return a;
  }

  /**
   * Re-sends the incident when a MAC joins it, or with fresh counts at most once per update
   * interval — but only on a flip: once one MAC alone answers, there is nothing new to say.
   */
  private void updateConflict(IpState s, String mac, long t, boolean flipped, List<Alert> out) {
    Incident i = s.conflict;
    boolean joined = i.macs.add(mac);
    if (joined || (flipped && t - i.lastEmittedAt >= updateEvery)) {
      long started = i.alert.startedAt().toEpochMilli();
      i.alert =
          i.alert.updated(
              conflictSummary(s, i, started, t), conflictEvidence(s, i), Instant.ofEpochMilli(t));
      i.lastEmittedAt = t;
      out.add(i.alert);
    }
  }

  /** When only one MAC has asserted for the quiet period: the second-latest MAC's last + quiet. */
  private long conflictResolveAt(IpState s) {
    long newest = Long.MIN_VALUE;
    long second = Long.MIN_VALUE;
    for (MacSeen m : s.macs.values()) {
      if (m.lastSeen > newest) {
        second = newest;
        newest = m.lastSeen;
      } else if (m.lastSeen > second) {
        second = m.lastSeen;
      }
    }
    return second == Long.MIN_VALUE ? s.lastAssertAt : quietUntil(second);
  }

  private Alert resolveConflict(IpState s, long at) {
    Incident i = s.conflict;
    String holder = s.lastMac;
    String summary =
        "IP conflict on "
            + s.ip
            + " resolved: only "
            + AlertTexts.mac(holder)
            + " has claimed it for "
            + AlertTexts.duration(Duration.ofMillis(quiet))
            + "; it lasted "
            + AlertTexts.duration(Duration.ofMillis(at - i.alert.startedAt().toEpochMilli()))
            + " with "
            + AlertTexts.flips(i.flips);
    Instant end = Instant.ofEpochMilli(at);
    Alert a = i.alert.updated(summary, conflictEvidence(s, i), end).resolved(summary, end);
    s.conflict = null;
    s.recentFlips.clear();
    return a;
  }

  private String conflictSummary(IpState s, Incident i, long started, long now) {
    List<String> macs = i.macs.stream().map(AlertTexts::mac).toList();
    return "IP conflict on "
        + s.ip
        + ": "
        + AlertTexts.list(macs)
        + ", "
        + AlertTexts.flips(i.flips)
        + " in "
        + AlertTexts.duration(Duration.ofMillis(Math.max(0, now - started)));
  }

  private Evidence conflictEvidence(IpState s, Incident i) {
    List<Evidence.MacEvidence> macs = new ArrayList<>();
    for (String m : i.macs) {
      macs.add(macEvidence(m, s.macs.get(m)));
    }
    return new Evidence(
        macs,
        i.flips,
        Map.of(
            "conflictWindow", format(config.conflictWindow()),
            "quietPeriod", format(config.quietPeriod())));
  }

  // ---- MAC_CHANGED

  private Alert macChanged(IpState s, Pending p) {
    List<Evidence.MacEvidence> macs = new ArrayList<>();
    for (String m : List.of(p.from, p.to)) {
      MacSeen seen = s.macs.get(m);
      if (seen != null) {
        macs.add(macEvidence(m, seen));
      }
    }
    String summary =
        s.ip
            + " moved from "
            + AlertTexts.mac(p.from)
            + " to "
            + AlertTexts.mac(p.to)
            + "; the old MAC has been silent since (a replaced NIC, a new DHCP lease or a failover)";
    return Alert.event(
        MAC_CHANGED,
        s.ip,
        Severity.WARNING,
        summary,
        new Evidence(macs, null, Map.of("from", p.from, "to", p.to)),
        labels(s, new TreeSet<>(List.of(p.from, p.to))),
        Instant.ofEpochMilli(p.at));
  }

  // ---- ADDRESS_SPOOF

  private void spoof(IpState s, String mac, InventoryEntry entry, long t, List<Alert> out) {
    Incident i = s.spoof;
    if (i == null) {
      i = new Incident();
      i.macs.add(mac);
      i.lastOffendingAt = t;
      i.alert =
          Alert.firing(
              ADDRESS_SPOOF,
              s.ip,
              Severity.CRITICAL,
              spoofSummary(s, i, entry),
              spoofEvidence(s, i, entry),
              labels(s, i.macs),
              Instant.ofEpochMilli(t));
      i.lastEmittedAt = t;
      s.spoof = i;
      out.add(i.alert);
      return;
    }
    i.lastOffendingAt = Math.max(i.lastOffendingAt, t);
    boolean joined = i.macs.add(mac);
    if (joined || t - i.lastEmittedAt >= updateEvery) {
      i.alert =
          i.alert.updated(
              spoofSummary(s, i, entry), spoofEvidence(s, i, entry), Instant.ofEpochMilli(t));
      i.lastEmittedAt = t;
      out.add(i.alert);
    }
  }

  private Alert resolveSpoof(IpState s, long at) {
    Incident i = s.spoof;
    String summary =
        s.ip
            + " is held only by its expected MAC again: nothing else has claimed it for "
            + AlertTexts.duration(Duration.ofMillis(quiet))
            + "; the spoof lasted "
            + AlertTexts.duration(Duration.ofMillis(at - i.alert.startedAt().toEpochMilli()));
    Alert a = i.alert.resolved(summary, Instant.ofEpochMilli(at));
    s.spoof = null;
    return a;
  }

  private String spoofSummary(IpState s, Incident i, InventoryEntry entry) {
    String name = entry.name() == null || entry.name().isBlank() ? "" : " (" + entry.name() + ")";
    return "Address spoof on "
        + s.ip
        + name
        + ": claimed by "
        + AlertTexts.list(i.macs.stream().map(AlertTexts::mac).toList())
        + ", but it belongs to "
        + AlertTexts.list(entry.macs().stream().map(m -> AlertTexts.mac(m.toString())).toList());
  }

  private Evidence spoofEvidence(IpState s, Incident i, InventoryEntry entry) {
    List<Evidence.MacEvidence> macs = new ArrayList<>();
    TreeSet<String> all = new TreeSet<>(i.macs);
    entry.macs().forEach(m -> all.add(m.toString()));
    for (String m : all) {
      MacSeen seen = s.macs.get(m);
      if (seen != null) {
        macs.add(macEvidence(m, seen));
      }
    }
    Map<String, String> facts = new TreeMap<>();
    facts.put("expected", String.join(",", entry.macs().stream().map(Object::toString).toList()));
    if (entry.name() != null && !entry.name().isBlank()) {
      facts.put("name", entry.name());
    }
    return new Evidence(macs, null, facts);
  }

  // ---- PROBE_FOR_ADDRESS_IN_USE

  private void probe(
      IpState s, MacAddress prober, ArpObservation o, IpAddress ip, long t, List<Alert> out) {
    if (prober == null || !prober.isStation()) {
      return;
    }
    String p = prober.toString();
    String holder = null;
    long holderSeen = Long.MIN_VALUE;
    for (Map.Entry<String, MacSeen> e : s.macs.entrySet()) {
      if (!e.getKey().equals(p)
          && e.getValue().lastSeen >= t - window
          && e.getValue().lastSeen > holderSeen) {
        holder = e.getKey();
        holderSeen = e.getValue().lastSeen;
      }
    }
    if (holder == null) {
      return; // a free address, or the holder checking its own: nothing to say
    }
    Long told = s.probesTold.get(p);
    if (told != null && told > t - window) {
      return;
    }
    s.probesTold.put(p, t);
    while (s.probesTold.size() > MAX_TOLD) {
      s.probesTold.remove(s.probesTold.firstKey());
    }
    String summary =
        AlertTexts.mac(p)
            + " probed for "
            + s.ip
            + ", which "
            + AlertTexts.mac(holder)
            + " holds: a device is about to take an address in use (a static IP or a DHCP pool that overlaps)";
    out.add(
        Alert.event(
            PROBE_FOR_ADDRESS_IN_USE,
            s.ip,
            Severity.WARNING,
            summary,
            new Evidence(
                List.of(macEvidence(holder, s.macs.get(holder))),
                null,
                Map.of("prober", p, "holder", holder)),
            Map.of("sensor", o.sensorId()),
            Instant.ofEpochMilli(t)));
  }

  // ---- NEW_STATION

  private Alert newStation(IpState s, String mac, ArpObservation o, long t) {
    return Alert.event(
        NEW_STATION,
        s.ip,
        Severity.INFO,
        "New station " + s.ip + " at " + AlertTexts.mac(mac),
        new Evidence(List.of(macEvidence(mac, s.macs.get(mac))), null, Map.of()),
        Map.of("sensor", o.sensorId()),
        Instant.ofEpochMilli(t));
  }

  // ---- ETHER_MISMATCH

  private void etherMismatch(IpState s, ArpObservation o, IpAddress ip, long t, List<Alert> out) {
    MacAddress sender = o.senderMac();
    MacAddress source = o.ethSrc();
    if (config.exempt(ip, sender) || config.exempt(ip, source)) {
      return;
    }
    String pair = sender + "|" + source;
    if (!s.mismatchesTold.add(pair)) {
      return;
    }
    while (s.mismatchesTold.size() > MAX_TOLD) {
      s.mismatchesTold.pollFirst();
    }
    String summary =
        "ARP for "
            + s.ip
            + " names "
            + AlertTexts.mac(sender.toString())
            + " but was sent by "
            + AlertTexts.mac(source.toString())
            + " (a proxy, a bridge, or a forgery)";
    out.add(
        Alert.event(
            ETHER_MISMATCH,
            s.ip,
            Severity.INFO,
            summary,
            new Evidence(
                List.of(),
                null,
                Map.of("senderMac", sender.toString(), "ethernetSource", source.toString())),
            Map.of("sensor", o.sensorId()),
            Instant.ofEpochMilli(t)));
  }

  // ---- shared

  private static Evidence.MacEvidence macEvidence(String mac, MacSeen seen) {
    return new Evidence.MacEvidence(
        MacAddress.of(mac),
        Vendors.describe(MacAddress.of(mac)),
        seen.packets,
        Instant.ofEpochMilli(seen.firstSeen),
        Instant.ofEpochMilli(seen.lastSeen),
        List.copyOf(seen.sensors),
        List.copyOf(seen.classes));
  }

  private static TreeSet<String> macsSince(IpState s, long since) {
    TreeSet<String> out = new TreeSet<>();
    s.macs.forEach(
        (m, seen) -> {
          if (seen.lastSeen >= since) {
            out.add(m);
          }
        });
    return out;
  }

  private static Map<String, String> labels(IpState s, TreeSet<String> macs) {
    TreeSet<String> sensors = new TreeSet<>();
    for (String m : macs) {
      MacSeen seen = s.macs.get(m);
      if (seen != null) {
        sensors.addAll(seen.sensors);
      }
    }
    return Map.of("sensor", String.join(",", sensors));
  }

  /**
   * Sets when the state next needs a look. An earlier timer is kept rather than moved later: it
   * fires early, finds nothing due, and schedules again. So steady traffic, which pushes expiry
   * forward with every packet, does not rewrite the timer store with every packet.
   */
  private void schedule(IpState s) {
    long next = s.lastSeen + idle;
    if (s.pending != null) {
      next = Math.min(next, s.pending.at + window);
    }
    if (s.conflict != null) {
      next = Math.min(next, conflictResolveAt(s));
    }
    if (s.spoof != null) {
      next = Math.min(next, quietUntil(s.spoof.lastOffendingAt));
    }
    if (s.timerAt == 0 || next < s.timerAt) {
      s.timerAt = next;
    }
  }

  private static String format(Duration d) {
    return AlertTexts.duration(d);
  }
}
