package io.labwatch.streams.impostors;

import io.labwatch.events.Alert;
import io.labwatch.events.AlertState;
import io.labwatch.events.Evidence;
import io.labwatch.events.MacAddress;
import io.labwatch.events.PacketClass;
import io.labwatch.events.Segments;
import io.labwatch.events.Severity;
import io.labwatch.events.Vendors;
import io.labwatch.streams.DetectionConfig;
import io.labwatch.streams.bindings.AlertTexts;
import io.labwatch.streams.impostors.MacState.Impersonation;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * ARP_POISONING: one MAC that lies about other stations' addresses — a man in the middle, as {@code
 * arpspoof} or {@code ettercap} make one. It reads the per-IP rules' incidents, keyed by the
 * likelier impostor of each (see the binding rules), and the addresses each MAC holds alone.
 *
 * <p>A real second holder of an address (a router in AP mode on a server's IP, a cloned VM) uses
 * it: it asks and announces from it, and its kernel answers a confirmation probe. A poisoner only
 * answers for it, to its victims, speaks from an address of its own, and says nothing when asked.
 * So a MAC is an impostor when it is in incidents on the addresses of two or more other stations at
 * once while it has an address of its own or claims one of them by replies alone; or in one that it
 * claims by replies alone while it has an address of its own or stayed silent when a probe asked.
 * An incident in which it answered a probe never counts.
 *
 * <p>The conflicts a poisoning explains are not told as well: while none fires, an IP_CONFLICT
 * passes on unchanged; once the MAC is found out, its conflicts are folded into the one
 * ARP_POISONING (one told before is resolved with a line saying so). Address spoofs of protected
 * addresses are told by the per-IP rules regardless. The poisoning resolves when every incident it
 * holds has resolved — when the impostor has made no false claim for the quiet period — at the
 * latest of their ends. Deterministic: it reads no clock.
 */
public final class ImpostorRules {

  public static final String ARP_POISONING = "ARP_POISONING";

  private final long updateEvery;
  private final long quiet;
  private final Function<String, String> names;

  /**
   * @param names an address's name (from the inventory), or null
   */
  public ImpostorRules(DetectionConfig config, Function<String, String> names) {
    this.updateEvery = config.updateInterval().toMillis();
    this.quiet = config.quietPeriod().toMillis();
    this.names = names;
  }

  /** A new, empty state for {@code mac}. */
  public static MacState newState(String mac) {
    return new MacState(mac);
  }

  /**
   * Applies one claim about the state's MAC.
   *
   * @return the alerts to tell, in order
   */
  public List<Alert> onClaim(MacState m, Claim c) {
    List<Alert> out = new ArrayList<>();
    switch (c.kind()) {
      case OWN -> {
        if (Segments.address(c.ip()).isV4()) {
          m.own.put(c.ip(), c.at());
        }
        if (m.poisoning == null && evident(m)) {
          firePoisoning(m, c.at(), out);
        }
      }
      case FORGET -> {
        m.own.remove(c.ip());
        Impersonation i = m.impersonations.get(c.ip());
        if (i != null && !i.open()) {
          m.impersonations.remove(c.ip());
        }
      }
      case CONFLICT, SPOOF -> incident(m, c, out);
    }
    return out;
  }

  private void incident(MacState m, Claim c, List<Alert> out) {
    Impersonation i = m.impersonations.get(c.ip());
    boolean joined = i == null;
    if (joined) {
      i = new Impersonation();
      m.impersonations.put(c.ip(), i);
    }
    i.kind = c.kind();
    i.last = c.alert();
    i.answeredTo = new ArrayList<>(c.answeredTo());
    if (c.answeredProbe() != null) {
      i.answeredProbe = c.answeredProbe();
    }
    boolean open = i.open();
    if (m.poisoning != null) {
      if (!open && m.impersonations.values().stream().noneMatch(Impersonation::open)) {
        out.add(resolvePoisoning(m));
      } else if ((joined && open) || c.at() - m.poisoningEmittedAt >= updateEvery) {
        updatePoisoning(m, c.at(), out);
      }
      return;
    }
    if (open && evident(m)) {
      firePoisoning(m, c.at(), out);
      return;
    }
    if (c.kind() == Claim.Kind.CONFLICT && (i.told || open)) {
      out.add(c.alert());
      i.told = open;
    }
    if (!open) {
      m.impersonations.remove(c.ip());
    }
  }

  /**
   * Whether the MAC's open incidents look like lies rather than a second real holder. An incident
   * in which the MAC answered a confirmation probe is not one: a real holder's kernel answers "who
   * has"; a poisoner only tells its victims. Two or more at once on the addresses of two or more
   * other stations (a clone of a box with two addresses conflicts with that one box on both), while
   * the MAC has an address of its own or claims one of them by replies alone; or one it claims by
   * replies alone, with an address of its own or silent when the probe asked.
   */
  private static boolean evident(MacState m) {
    List<Impersonation> lies =
        m.impersonations.values().stream()
            .filter(Impersonation::open)
            .filter(i -> !Boolean.TRUE.equals(i.answeredProbe))
            .toList();
    boolean ownAddress = m.own.keySet().stream().anyMatch(a -> !m.impersonations.containsKey(a));
    long repliesOnly = lies.stream().filter(i -> onlyReplies(m, i)).count();
    long owners = lies.stream().flatMap(i -> owners(m, i).stream()).distinct().count();
    if (lies.size() >= 2 && owners >= 2) {
      return ownAddress || repliesOnly > 0;
    }
    if (lies.size() == 1 && repliesOnly == 1) {
      return ownAddress || Boolean.FALSE.equals(lies.get(0).answeredProbe);
    }
    return false;
  }

  /**
   * The MAC asserted the address only by ARP replies: never asked or announced from it (a router's
   * ARP table naming it is not something it sent).
   */
  private static boolean onlyReplies(MacState m, Impersonation i) {
    Evidence.MacEvidence self = own(m, i);
    return self != null
        && self.classes().contains(PacketClass.REPLY)
        && self.classes().stream()
            .allMatch(c -> c == PacketClass.REPLY || c == PacketClass.ROUTER_TABLE);
  }

  private static Evidence.MacEvidence own(MacState m, Impersonation i) {
    return i.last.evidence().macs().stream()
        .filter(e -> e.mac().toString().equals(m.mac))
        .findFirst()
        .orElse(null);
  }

  private void firePoisoning(MacState m, long t, List<Alert> out) {
    long started = Long.MAX_VALUE;
    for (Impersonation i : m.impersonations.values()) {
      if (i.open()) {
        started = Math.min(started, i.last.startedAt().toEpochMilli());
      }
    }
    Alert a =
        Alert.firing(
            ARP_POISONING,
            m.mac,
            Severity.CRITICAL,
            summary(m),
            evidence(m),
            labels(m),
            Instant.ofEpochMilli(started == Long.MAX_VALUE ? t : started));
    m.poisoning = a;
    m.poisoningEmittedAt = t;
    out.add(a);
    // conflicts told before it was clear who lies are closed, saying where their story went on
    for (Map.Entry<String, Impersonation> e : m.impersonations.entrySet()) {
      Impersonation i = e.getValue();
      if (i.told && i.open() && i.kind == Claim.Kind.CONFLICT) {
        String line =
            "IP conflict on "
                + e.getKey()
                + " is part of an ARP poisoning: "
                + m.mac
                + " impersonates it (told as "
                + a.fingerprint()
                + ")";
        Instant at = Instant.ofEpochMilli(Math.max(t, i.last.updatedAt().toEpochMilli()));
        out.add(i.last.resolved(line, at));
        i.told = false;
      }
    }
  }

  private void updatePoisoning(MacState m, long t, List<Alert> out) {
    m.poisoning =
        m.poisoning.updated(
            summary(m),
            evidence(m),
            Instant.ofEpochMilli(Math.max(t, m.poisoning.updatedAt().toEpochMilli())));
    m.poisoningEmittedAt = t;
    out.add(m.poisoning);
  }

  private Alert resolvePoisoning(MacState m) {
    long end = m.poisoning.updatedAt().toEpochMilli();
    for (Impersonation i : m.impersonations.values()) {
      if (i.last.endedAt() != null) {
        end = Math.max(end, i.last.endedAt().toEpochMilli());
      }
    }
    Instant at = Instant.ofEpochMilli(end);
    String line =
        "ARP poisoning by "
            + AlertTexts.mac(m.mac)
            + " is over: no false claim for "
            + AlertTexts.duration(Duration.ofMillis(quiet))
            + "; it lasted "
            + AlertTexts.duration(Duration.between(m.poisoning.startedAt(), at))
            + " and impersonated "
            + AlertTexts.list(List.copyOf(m.impersonations.keySet()));
    Alert a = m.poisoning.updated(m.poisoning.summary(), evidence(m), at).resolved(line, at);
    m.poisoning = null;
    m.impersonations.clear();
    return a;
  }

  /**
   * The firing poisoning's record as of {@code now}, from its impersonations as they stand (for the
   * end of a capture); nothing is emitted or changed.
   */
  public Alert asOf(MacState m, long now) {
    long at = Math.max(now, m.poisoning.updatedAt().toEpochMilli());
    return m.poisoning.updated(summary(m), evidence(m), Instant.ofEpochMilli(at));
  }

  // ---- texts and evidence

  /**
   * {@code 02:66:6b:00:00:66 (locally administered; 10.77.0.66) impersonates 10.77.0.1 (gateway,
   * 00:00:0c:77:00:01 Cisco Systems, Inc) and 10.77.0.21 (52:54:00:77:00:21 …) toward each other: a
   * man in the middle (ARP poisoning)}.
   */
  private String summary(MacState m) {
    String vendor = Vendors.describe(MacAddress.of(m.mac));
    List<String> self = new ArrayList<>();
    self.add(vendor == null ? "unknown vendor" : vendor);
    ownAddresses(m).forEach(ip -> self.add(Segments.where(ip)));
    List<String> victims = new ArrayList<>();
    List<String> targets = new ArrayList<>();
    for (Map.Entry<String, Impersonation> e : m.impersonations.entrySet()) {
      String ip = e.getKey();
      List<String> about = new ArrayList<>();
      // (the inventory names an address, in whichever segment it is seen)
      String name = names.apply(Segments.address(ip).toString());
      if (name != null && !name.isBlank()) {
        about.add(name);
      }
      for (String owner : owners(m, e.getValue())) {
        String v = Vendors.describe(MacAddress.of(owner));
        about.add(owner + (v == null ? "" : " " + v));
      }
      targets.add(
          Segments.where(ip) + (about.isEmpty() ? "" : " (" + String.join(", ", about) + ")"));
      for (String v : e.getValue().answeredTo) {
        if (!victims.contains(v)) {
          victims.add(v);
        }
      }
    }
    Set<String> impersonated = m.impersonations.keySet();
    boolean eachOther =
        impersonated.size() >= 2
            && !victims.isEmpty()
            && impersonated.containsAll(victims)
            && m.impersonations.entrySet().stream()
                .allMatch(
                    e ->
                        !e.getValue().answeredTo.isEmpty()
                            && !e.getValue().answeredTo.contains(e.getKey()));
    String toward =
        eachOther
            ? " toward each other"
            : victims.isEmpty()
                ? ""
                : " toward " + AlertTexts.list(victims.stream().map(Segments::where).toList());
    return m.mac
        + " ("
        + String.join("; ", self)
        + ") impersonates "
        + AlertTexts.list(targets)
        + toward
        + ": a man in the middle (ARP poisoning)";
  }

  private static List<String> ownAddresses(MacState m) {
    List<String> out = new ArrayList<>();
    for (String ip : m.own.keySet()) {
      if (!m.impersonations.containsKey(ip)) {
        out.add(ip);
      }
    }
    return out;
  }

  /** The other MACs of an incident: the true owners (for a spoof, the expected ones). */
  private static List<String> owners(MacState m, Impersonation i) {
    Set<String> out = new LinkedHashSet<>();
    if (i.kind == Claim.Kind.SPOOF) {
      String expected = i.last.evidence().facts().get("expected");
      if (expected != null && !expected.isBlank()) {
        out.addAll(List.of(expected.split(",")));
      }
    } else {
      for (Evidence.MacEvidence e : i.last.evidence().macs()) {
        if (!e.mac().toString().equals(m.mac)) {
          out.add(e.mac().toString());
        }
      }
    }
    return List.copyOf(out);
  }

  private Evidence evidence(MacState m) {
    List<Evidence.MacEvidence> macs = new ArrayList<>();
    long packets = 0;
    Instant first = null;
    Instant last = null;
    TreeSet<String> sensors = new TreeSet<>();
    TreeSet<PacketClass> classes = new TreeSet<>();
    Map<String, Evidence.MacEvidence> others = new TreeMap<>();
    Map<String, String> impersonated = new TreeMap<>();
    TreeSet<String> victims = new TreeSet<>();
    for (Map.Entry<String, Impersonation> e : m.impersonations.entrySet()) {
      Impersonation i = e.getValue();
      impersonated.put(e.getKey(), String.join(" ", owners(m, i)));
      victims.addAll(i.answeredTo);
      for (Evidence.MacEvidence me : i.last.evidence().macs()) {
        if (me.mac().toString().equals(m.mac)) {
          packets += me.packets();
          first = first == null || me.firstSeen().isBefore(first) ? me.firstSeen() : first;
          last = last == null || me.lastSeen().isAfter(last) ? me.lastSeen() : last;
          sensors.addAll(me.sensors());
          classes.addAll(me.classes());
        } else {
          others.putIfAbsent(me.mac().toString(), me);
        }
      }
    }
    MacAddress self = MacAddress.of(m.mac);
    if (first != null) {
      macs.add(
          new Evidence.MacEvidence(
              self,
              Vendors.describe(self),
              packets,
              first,
              last,
              List.copyOf(sensors),
              List.copyOf(classes)));
    }
    macs.addAll(others.values());
    Map<String, String> facts = new TreeMap<>();
    List<String> lies = new ArrayList<>();
    impersonated.forEach((ip, owner) -> lies.add(ip + (owner.isBlank() ? "" : "=" + owner)));
    facts.put("impersonated", String.join(", ", lies));
    List<String> ownIps = ownAddresses(m);
    if (!ownIps.isEmpty()) {
      facts.put("ownAddresses", String.join(", ", ownIps));
    }
    if (!victims.isEmpty()) {
      facts.put("victims", String.join(", ", victims));
    }
    facts.put("quietPeriod", AlertTexts.duration(Duration.ofMillis(quiet)));
    return new Evidence(macs, null, facts);
  }

  private static Map<String, String> labels(MacState m) {
    TreeSet<String> sensors = new TreeSet<>();
    for (Impersonation i : m.impersonations.values()) {
      String s = i.last.labels().get("sensor");
      if (s != null && !s.isBlank()) {
        sensors.addAll(List.of(s.split(",")));
      }
    }
    return Map.of("sensor", String.join(",", sensors));
  }

  static boolean isFiring(Alert a) {
    return a != null && a.state() == AlertState.FIRING;
  }
}
