package io.labwatch.streams.bindings;

import io.labwatch.events.Alert;
import io.labwatch.events.ArpObservation;
import io.labwatch.events.ArpProbe;
import io.labwatch.events.Evidence;
import io.labwatch.events.InventoryEntry;
import io.labwatch.events.IpAddress;
import io.labwatch.events.MacAddress;
import io.labwatch.events.PacketClass;
import io.labwatch.events.ProbeRequest;
import io.labwatch.events.Segments;
import io.labwatch.events.Severity;
import io.labwatch.events.Vendors;
import io.labwatch.streams.DetectionConfig;
import io.labwatch.streams.bindings.IpState.Incident;
import io.labwatch.streams.bindings.IpState.MacSeen;
import io.labwatch.streams.bindings.IpState.Pending;
import io.labwatch.streams.impostors.Claim;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
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
 * and returns what it has to say — {@link Alert}s for the alerts topic, {@link Claim}s for the
 * impostor rules (IP conflicts go there, not straight to the alerts), and a {@link ProbeRequest}
 * when a binding is worth confirming by asking; besides that state and the observation (or the
 * passing of time), it reads the configuration, the inventory and one value of the task's, {@link
 * #watchedSince(long)}, which the processor sets (and stores) after a gap in the records. All times
 * are event times; nothing here reads a clock, so the same input gives the same alerts.
 *
 * <p>Which packets assert a binding: ARP requests and replies from a real address and announcements
 * (sender IP → sender MAC), neighbour solicitations with a source link-layer option (source → that
 * MAC) and advertisements with a target link-layer option (target → that MAC). RFC 5227 probes and
 * IPv6 duplicate address detection ask about an address but never claim it. An entry of a router's
 * ARP table (ROUTER_TABLE, polled by SNMP) asserts its binding with the router as sensor when the
 * router learned it since the previous poll, or when it is what the address is known to be bound to
 * already; a refresh of an older entry naming another MAC is the router's table lagging behind the
 * wire, not a claim. A table entry is neither an answer (never half of a double answer) nor a use
 * of the address by the MAC (it says what the router holds, not what the MAC sent).
 *
 * <p>An IP conflict needs evidence that two devices hold the address at the same time: a MAC claims
 * it again after another took it, within the conflict window (A→B→A); two MACs answer the same
 * asker within the double-reply window (replies and advertisements, not announcements: a backup
 * taking over announces, it does not answer a question the master answered); or both answer a
 * confirmation probe. A change with the old MAC silent since is a hand-over (failover, new NIC, new
 * lease): it is a MAC_CHANGED once the old MAC has stayed silent for the conflict window, or at
 * once when a probe was answered by the new MAC alone.
 *
 * <p>A state is one address in one network segment (its key, {@link Segments}: {@code 10.77.0.10},
 * or {@code 10.77.0.10%vlan20} outside the default segment): the same address on two VLANs is two
 * devices, never a conflict. Alerts about an address outside the default segment have its key as
 * subject and say the segment ("10.77.0.10 in VLAN 20"); a confirmation probe is asked for with the
 * segment, which only sensors configured in it answer; the configuration's addresses (exempt,
 * ignored) and the inventory name an address in every segment.
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

  /** How long after its start a confirmation probe's answers count as answers to it. */
  static final long PROBE_ANSWER_MS = 5_000;

  private static final int MAX_ANSWERED_TO = 8;

  private static final DateTimeFormatter CLOCK =
      DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

  /**
   * Applies one observation about the state's IP.
   *
   * @param learning true while new stations are being learned silently
   * @return what it causes, in order: {@link Alert}s, {@link Claim}s, at most one {@link
   *     ProbeRequest}
   */
  public List<Object> onObservation(IpState s, ArpObservation o, long t, boolean learning) {
    List<Object> out = new ArrayList<>();
    IpAddress ip = s.address();
    if (config.ignored(ip)) {
      return out;
    }
    s.lastSeen = Math.max(s.lastSeen, t);
    if (o.etherMismatch()) {
      etherMismatch(s, o, ip, t, out);
    }
    switch (o.packetClass()) {
      case PROBE -> {
        if (!isOurProbe(s, o.senderMac(), t)) {
          probe(s, o.senderMac(), o, ip, t, out);
        }
      }
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
      case ROUTER_TABLE -> routerTable(s, o, ip, t, learning, out);
    }
    schedule(s);
    return out;
  }

  /**
   * Applies a sensor's confirmation probe of the state's IP: its start is remembered, so that the
   * answers after it (ARP replies to the prober) count as answers to it; at its end, a pending
   * change that only the new MAC answered for is a MAC_CHANGED now, one that both answered for is a
   * conflict, and a conflict held for the probe is told with what the probe showed.
   */
  public List<Object> onProbe(IpState s, ArpProbe p, long t) {
    List<Object> out = new ArrayList<>();
    if (config.ignored(s.address())) {
      return out;
    }
    s.lastSeen = Math.max(s.lastSeen, t);
    if (p.phase() == ArpProbe.Phase.SENT) {
      if (!probeRunning(s, t)) { // a second sensor asking the same question joins the first run
        s.probeSentAt = t;
        s.probeDoneAt = 0;
        s.probeAnswered.clear();
      }
      s.prober = p.proberMac().toString();
      schedule(s);
      return out;
    }
    if (s.probeSentAt == 0 || s.probeDoneAt != 0 || t - s.probeSentAt > PROBE_ANSWER_MS + window) {
      return out; // the end of a probe whose start this state never saw, or a second sensor's
    }
    s.probeDoneAt = t;
    p.answeredBy().forEach(m -> s.probeAnswered.add(m.toString()));
    Pending pending = s.pending;
    if (s.conflict == null && pending != null && s.spoof == null) {
      boolean fromAnswered = s.probeAnswered.contains(pending.from);
      boolean toAnswered = s.probeAnswered.contains(pending.to);
      if (fromAnswered && toAnswered) {
        s.pending = null;
        fireConflict(s, t, null, null, out);
      } else if (toAnswered) {
        s.pending = null;
        out.add(
            macChanged(s, pending, "only the new MAC answered a probe at " + clock(s.probeSentAt)));
      }
    }
    if (s.conflict != null && s.conflict.held) {
      release(s, true, out);
    }
    schedule(s);
    return out;
  }

  /** Whether a confirmation probe of the state's IP is running at {@code t}. */
  private static boolean probeRunning(IpState s, long t) {
    return s.probeSentAt > 0
        && s.probeDoneAt == 0
        && t >= s.probeSentAt
        && t - s.probeSentAt <= PROBE_ANSWER_MS;
  }

  /** A probe from the MAC a sensor's confirmation probe of this IP came from, while it runs. */
  private static boolean isOurProbe(IpState s, MacAddress mac, long t) {
    return mac != null
        && s.prober != null
        && s.prober.equals(mac.toString())
        && t >= s.probeSentAt
        && t - s.probeSentAt <= PROBE_ANSWER_MS;
  }

  /**
   * Lets time pass to {@code now} (stream time, or the time of the next observation): a pending MAC
   * change that stood for the conflict window is told, incidents quiet for the quiet period
   * resolve, and an idle state is dropped.
   *
   * @return the alerts, and whether the state is to be deleted
   */
  public Tick onTime(IpState s, long now) {
    List<Object> out = new ArrayList<>();
    s.timerAt = 0; // it fired; schedule() below sets the next
    Pending p = s.pending;
    if (p != null && p.at + window <= now) {
      MacSeen from = s.macs.get(p.from);
      boolean fromSilent = from == null || from.lastSeen < p.at;
      if (fromSilent && s.conflict == null) {
        out.add(macChanged(s, p, null));
      }
      s.pending = null;
    }
    if (s.conflict != null && s.conflict.held && s.probeSentAt + PROBE_ANSWER_MS <= now) {
      release(s, false, out); // the probe's sensor never said it was done
    }
    if (s.conflict != null) {
      long resolveAt = conflictResolveAt(s);
      if (resolveAt <= now) {
        out.add(resolveConflict(s, resolveAt));
      }
    }
    if (s.spoof != null && quietUntil(s.spoof.lastOffendingAt) <= now) {
      resolveSpoof(s, quietUntil(s.spoof.lastOffendingAt), out);
    }
    s.probesTold.values().removeIf(at -> at + window <= now);
    boolean expired =
        s.conflict == null && s.spoof == null && s.pending == null && s.lastSeen + idle <= now;
    if (expired) {
      s.macs.keySet().forEach(m -> out.add(Claim.forget(m, s.ip, now)));
    } else {
      schedule(s);
    }
    return new Tick(out, expired);
  }

  /** What passing time did: alerts and claims, and whether the state expired. */
  public record Tick(List<Object> out, boolean expired) {}

  /**
   * A change A→B still waiting for its window: it becomes a MAC_CHANGED at {@code decidedAt} unless
   * A claims the address again before.
   */
  public record PendingChange(String ip, String from, String to, long at, long decidedAt) {}

  /** The state's change waiting for its window, or null. */
  public PendingChange pendingChange(IpState s) {
    Pending p = s.pending;
    if (p == null || s.conflict != null) {
      return null;
    }
    return new PendingChange(s.ip, p.from, p.to, p.at, p.at + window);
  }

  /**
   * The state's open incidents as of {@code now}, with their counts so far (flips, MACs): for the
   * end of a capture, where they are still firing. The state is not changed.
   */
  public List<Alert> openAsOf(IpState s, long now) {
    List<Alert> out = new ArrayList<>();
    Incident c = s.conflict;
    if (c != null) {
      long started = c.alert.startedAt().toEpochMilli();
      long at = Math.max(now, c.alert.updatedAt().toEpochMilli());
      out.add(
          c.alert.updated(
              conflictSummary(s, c, started, at),
              conflictEvidence(s, c, c.alert.evidence().facts().get("proof")),
              Instant.ofEpochMilli(at)));
    }
    if (s.spoof != null) {
      Alert a = s.spoof.alert;
      out.add(
          a.updated(
              a.summary(),
              a.evidence(),
              Instant.ofEpochMilli(Math.max(now, a.updatedAt().toEpochMilli()))));
    }
    return out;
  }

  /** The MAC an open conflict's records are keyed by in the impostor rules, or null. */
  public static String conflictClaimer(IpState s) {
    return s.conflict == null ? null : s.conflict.claimer;
  }

  // ---- binding assertions

  /** At most this many routers' tables are named as a source of what is known of one IP. */
  private static final int MAX_TABLES = 8;

  /**
   * An entry of a router's ARP table. One the router learned since its previous poll (new, or
   * another MAC than before) is a claim like a packet's; a held one only confirms the binding the
   * address is known to have (or teaches it to a detection that knows nothing of the address): an
   * old entry that names another MAC than the wire's latest says only that the router has not asked
   * since.
   */
  private void routerTable(
      IpState s, ArpObservation o, IpAddress ip, long t, boolean learning, List<Object> out) {
    MacAddress mac = o.senderMac();
    if (!o.table().learned() && s.lastMac != null && !s.lastMac.equals(mac.toString())) {
      return;
    }
    // the router's table is named as a source of what is known of the address once it told of
    // another MAC than one already on it (a change it learned), not for confirming the only one
    boolean another = false;
    for (String m : s.macs.keySet()) {
      another |= !m.equals(mac.toString());
    }
    if (o.table().learned() && another && s.routerTables.add(o.sensorId())) {
      while (s.routerTables.size() > MAX_TABLES) {
        s.routerTables.pollFirst();
      }
    }
    assertion(s, mac, o, ip, t, learning, out);
  }

  private void assertion(
      IpState s,
      MacAddress mac,
      ArpObservation o,
      IpAddress ip,
      long t,
      boolean learning,
      List<Object> out) {
    if (mac == null || !mac.isStation() || config.exempt(ip, mac)) {
      return;
    }
    boolean answer =
        o.packetClass() == PacketClass.REPLY
            || o.packetClass() == PacketClass.NEIGHBOR_ADVERTISEMENT;
    String asker = answer ? askerOf(o) : null;
    String segment = s.segment();
    if (asker != null && segment != null && !o.targetIp().isUnspecified()) {
      // an asker (an address) in the same segment: a poisoning's victims compare with the addresses
      // it holds
      asker = asker + Segments.SEPARATOR + segment;
    }
    String m;
    MacSeen seen;
    long bits = mac.toLong();
    if (s.hotSeen != null && s.hotMacBits == bits) {
      m = s.hotMac; // (the same MAC as the last assertion's: its entry, without walking the map)
      seen = s.hotSeen;
    } else {
      m = mac.toString();
      seen = s.macs.get(m);
    }
    boolean newPair = seen == null;
    long previousOwnSeen = newPair ? Long.MIN_VALUE : seen.lastSeen;
    if (newPair) {
      seen = new MacSeen();
      seen.firstSeen = t;
      s.macs.put(m, seen);
      forgetOldestMacs(s, m, t, out);
    }
    // the impostor rules hear of an address a MAC uses as its own — asks or announces from it,
    // with no other MAC on it — the first time it does: a poisoner speaks from an address of its
    // own and only answers for others'
    boolean uses =
        o.packetClass() == PacketClass.REQUEST || o.packetClass() == PacketClass.ANNOUNCEMENT;
    if (uses
        && ip.isV4()
        && !seen.hasClass(PacketClass.REQUEST)
        && !seen.hasClass(PacketClass.ANNOUNCEMENT)
        && macsSince(s, t - window).stream().allMatch(m::equals)) {
      out.add(Claim.own(m, s.ip, t));
    }
    seen.packets++;
    seen.lastSeen = Math.max(seen.lastSeen, t);
    seen.addSensor(o.sensorId());
    seen.addClass(o.packetClass());
    MacSeen prevSeenBefore =
        s.lastMac == null ? null : s.lastMac == m ? seen : s.macs.get(s.lastMac);
    s.hotMac = m;
    s.hotMacBits = bits;
    s.hotSeen = seen;
    long prevAnswerAt = prevSeenBefore == null ? 0 : prevSeenBefore.lastAnswerAt;
    String prevAnswerTo = prevSeenBefore == null ? null : prevSeenBefore.lastAnswerTo;
    boolean probeAnswer =
        answer
            && probeRunning(s, t)
            && o.targetMac() != null
            && o.targetMac().toString().equals(s.prober);
    if (probeAnswer) {
      s.probeAnswered.add(m);
    }
    if (answer) {
      seen.lastAnswerAt = Math.max(seen.lastAnswerAt, t);
      seen.lastAnswerTo = asker;
      // whom it answered is kept only where another MAC is on the address too (a poisoning's
      // victims): a host alone on its address answers everyone, and the state stays small
      if (asker != null && !probeAnswer && s.macs.size() > 1) {
        seen.answeredTo.add(asker);
        while (seen.answeredTo.size() > MAX_ANSWERED_TO) {
          seen.answeredTo.pollFirst();
        }
      }
    }

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
      boolean reasserts = previousOwnSeen >= t - window; // A→B→A
      boolean doubleAnswer =
          answer
              && prevAnswerAt > 0
              && prevAnswerAt >= t - doubleReply
              && (asker == null || prevAnswerTo == null || asker.equals(prevAnswerTo));
      if (s.conflict != null) {
        s.conflict.flips++;
        updateConflict(s, m, t, true, out);
      } else if (reasserts || doubleAnswer) {
        s.pending = null;
        fireConflict(s, t, m, doubleAnswer ? null : prev, out);
      } else {
        Pending p = new Pending();
        p.from = prev;
        p.to = m;
        p.at = t;
        s.pending = p;
        if (ip.isV4() && !ip.isUnspecified()) {
          // (with its segment: only the sensors in it answer, asking untagged in their own)
          out.add(
              new ProbeRequest(
                  ip,
                  Instant.ofEpochMilli(t),
                  List.of(MacAddress.of(prev), mac),
                  m + " claims " + Segments.where(s.ip) + ", which " + prev + " held",
                  Segments.segment(s.ip)));
        }
      }
    } else if (s.conflict != null) {
      updateConflict(s, m, t, false, out);
    }
    if (probeAnswer
        && s.conflict != null
        && s.conflict.held
        && s.probeAnswered.containsAll(s.conflict.macs)) {
      release(s, false, out); // every MAC in it answered: confirmed, no need to wait for the end
    }
    s.lastMac = m;
    s.lastAssertAt = t;
  }

  /** Whom an answer went to: the asker's IP, or its MAC when it asked from 0.0.0.0; or null. */
  private static String askerOf(ArpObservation o) {
    if (o.packetClass() != PacketClass.REPLY) {
      return null; // an advertisement's destination is not in the observation
    }
    if (!o.targetIp().isUnspecified()) {
      return o.targetIp().toString();
    }
    return o.targetMac() == null || o.targetMac().isZero() ? null : o.targetMac().toString();
  }

  private static void forgetOldestMacs(IpState s, String keep, long t, List<Object> out) {
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
      s.hotSeen = null; // (it may have been the entry removed)
      out.add(Claim.forget(oldest, s.ip, t));
    }
  }

  // ---- IP_CONFLICT

  /**
   * Fires the conflict on the claim at {@code t} by {@code mac}: {@code took} is the MAC that took
   * the address before it (A→B→A: {@code mac} claims it again after {@code took} took it); null
   * when both answered one asker, or a probe. While a confirmation probe runs and not every MAC in
   * the conflict has answered it yet, it is held — told once they have, or when the probe ends — so
   * that it is told with what the probe showed.
   */
  private void fireConflict(IpState s, long t, String mac, String took, List<Object> out) {
    Incident i = new Incident();
    i.macs.addAll(macsSince(s, t - window));
    i.flips = s.recentFlips.size();
    i.held = probeRunning(s, t) && !s.probeAnswered.containsAll(i.macs);
    String how;
    String proof;
    if (!s.probeAnswered.isEmpty() && s.probeAnswered.containsAll(i.macs)) {
      how = "both answered a probe at " + clock(s.probeSentAt);
      proof = "confirmed: " + how;
    } else if (took == null) {
      how = "first double answer at " + clock(t);
      proof = "both answered one asker at " + clock(t);
    } else {
      long tookAt = s.recentFlips.isEmpty() ? t : s.recentFlips.get(0);
      how =
          took
              + " took it at "
              + clock(tookAt)
              + " and "
              + mac
              + " claimed it again at "
              + clock(t)
              + (s.routerTables.isEmpty() ? "" : ", " + seenIn(s));
      proof = how;
    }
    i.alert = conflictFiring(s, i, how, proof, conflictStart(s, t));
    i.lastEmittedAt = t;
    s.conflict = i;
    if (!i.held) {
      settle(s, i);
      out.add(conflictClaim(s, i, i.alert));
    }
  }

  private long conflictStart(IpState s, long t) {
    return s.recentFlips.isEmpty() ? t : s.recentFlips.get(0);
  }

  private Alert conflictFiring(IpState s, Incident i, String how, String proof, long started) {
    return Alert.firing(
        IP_CONFLICT,
        s.ip,
        Severity.CRITICAL,
        "IP conflict on "
            + Segments.where(s.ip)
            + ": "
            + devices(i.macs.size())
            + " answer for it, "
            + AlertTexts.list(i.macs.stream().map(AlertTexts::mac).toList())
            + "; "
            + how,
        conflictEvidence(s, i, proof),
        labels(s, i.macs),
        Instant.ofEpochMilli(started));
  }

  /**
   * Tells a conflict held for a probe: confirmed when every MAC in it answered the probe; else,
   * once the probe ended with some answer, saying who answered.
   */
  private void release(IpState s, boolean probeEnded, List<Object> out) {
    Incident i = s.conflict;
    i.held = false;
    long started = i.alert.startedAt().toEpochMilli();
    if (s.probeAnswered.containsAll(i.macs)) {
      String how = "both answered a probe at " + clock(s.probeSentAt);
      i.alert = conflictFiring(s, i, how, "confirmed: " + how, started);
    } else if (probeEnded && !s.probeAnswered.isEmpty()) {
      String proof =
          i.alert.evidence().facts().get("proof")
              + "; only "
              + String.join(" and ", s.probeAnswered)
              + " answered a probe at "
              + clock(s.probeSentAt);
      i.alert =
          i.alert.updated(i.alert.summary(), conflictEvidence(s, i, proof), i.alert.updatedAt());
    }
    settle(s, i);
    out.add(conflictClaim(s, i, i.alert));
  }

  /**
   * Fixes the conflict's likelier impostor, and what the probe showed of it: a MAC that did not
   * answer the probe that another answered; else one that claims the address only by replies (a
   * poisoner never asks or announces from it); else the one that came to it last.
   */
  private static void settle(IpState s, Incident i) {
    boolean probed = s.probeSentAt > 0 && !s.probeAnswered.isEmpty();
    String claimer = null;
    int best = -1;
    long bestFirst = Long.MIN_VALUE;
    for (String m : i.macs) {
      MacSeen seen = s.macs.get(m);
      if (seen == null) {
        continue;
      }
      int score = (probed && !s.probeAnswered.contains(m) ? 2 : 0) + (onlyReplies(seen) ? 1 : 0);
      if (score > best || (score == best && seen.firstSeen >= bestFirst)) {
        best = score;
        bestFirst = seen.firstSeen;
        claimer = m;
      }
    }
    i.claimer = claimer == null ? i.macs.last() : claimer;
    if (!probed) {
      i.probe = IpState.PROBE_NONE;
    } else {
      i.probe = s.probeAnswered.contains(i.claimer) ? IpState.PROBE_ANSWERED : IpState.PROBE_SILENT;
    }
  }

  /**
   * The MAC asserted the address on the wire by ARP replies alone (what a router's table says of it
   * is not something it sent).
   */
  private static boolean onlyReplies(MacSeen seen) {
    return seen.classes.contains(PacketClass.REPLY)
        && seen.classes.stream()
            .allMatch(c -> c == PacketClass.REPLY || c == PacketClass.ROUTER_TABLE);
  }

  private static String devices(int n) {
    return n == 2 ? "two devices" : n == 3 ? "three devices" : n + " devices";
  }

  private Claim conflictClaim(IpState s, Incident i, Alert a) {
    MacSeen seen = s.macs.get(i.claimer);
    List<String> told = seen == null ? List.of() : List.copyOf(seen.answeredTo);
    Boolean answered =
        switch (i.probe) {
          case IpState.PROBE_ANSWERED -> Boolean.TRUE;
          case IpState.PROBE_SILENT -> Boolean.FALSE;
          default -> null;
        };
    return Claim.of(Claim.Kind.CONFLICT, i.claimer, a, told, answered);
  }

  /**
   * Re-sends the incident when a MAC joins it, or with fresh counts at most once per update
   * interval — but only on a flip: once one MAC alone answers, there is nothing new to say.
   */
  private void updateConflict(IpState s, String mac, long t, boolean flipped, List<Object> out) {
    Incident i = s.conflict;
    boolean joined = i.macs.add(mac);
    if (joined || (flipped && t - i.lastEmittedAt >= updateEvery)) {
      long started = i.alert.startedAt().toEpochMilli();
      i.alert =
          i.alert.updated(
              conflictSummary(s, i, started, t),
              conflictEvidence(s, i, i.alert.evidence().facts().get("proof")),
              Instant.ofEpochMilli(t));
      i.lastEmittedAt = t;
      if (!i.held) {
        out.add(conflictClaim(s, i, i.alert));
      }
    }
  }

  /**
   * When only one MAC has asserted for the quiet period: the second-latest MAC's last + quiet. A
   * conflict that looks like a lie — its claimer asserts the address by replies alone and did not
   * answer a probe — ends only when the claimer has been silent for the quiet period: a poisoned
   * owner stops asking (its neighbours' caches hold the lie), so the lie alone going on is not the
   * end of it.
   */
  private long conflictResolveAt(IpState s) {
    Incident i = s.conflict;
    MacSeen claimer = i.claimer == null ? null : s.macs.get(i.claimer);
    if (claimer != null && i.probe != IpState.PROBE_ANSWERED && onlyReplies(claimer)) {
      return quietUntil(claimer.lastSeen);
    }
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

  private Claim resolveConflict(IpState s, long at) {
    Incident i = s.conflict;
    String holder = s.lastMac;
    MacSeen held = s.macs.get(holder);
    boolean liarLast =
        holder != null && holder.equals(i.claimer) && held != null && held.lastSeen + quiet <= at;
    String summary =
        "IP conflict on "
            + Segments.where(s.ip)
            + " resolved: "
            + (liarLast
                ? AlertTexts.mac(holder) + " has not claimed it for "
                : "only " + AlertTexts.mac(holder) + " has claimed it for ")
            + AlertTexts.duration(Duration.ofMillis(quiet))
            + "; it lasted "
            + AlertTexts.duration(Duration.ofMillis(at - i.alert.startedAt().toEpochMilli()))
            + " with "
            + AlertTexts.flips(i.flips);
    Instant end = Instant.ofEpochMilli(at);
    Alert a =
        i.alert
            .updated(summary, conflictEvidence(s, i, i.alert.evidence().facts().get("proof")), end)
            .resolved(summary, end);
    s.conflict = null;
    s.recentFlips.clear();
    s.routerTables.clear(); // a later incident names the tables that show it
    return conflictClaim(s, i, a);
  }

  /** An update's summary: who, and what was seen since it began. */
  private String conflictSummary(IpState s, Incident i, long started, long now) {
    List<String> macs = i.macs.stream().map(AlertTexts::mac).toList();
    return "IP conflict on "
        + Segments.where(s.ip)
        + ": "
        + devices(macs.size())
        + " answer for it, "
        + AlertTexts.list(macs)
        + "; "
        + AlertTexts.flips(i.flips)
        + " in "
        + AlertTexts.duration(Duration.ofMillis(Math.max(0, now - started)))
        + " since "
        + clock(started);
  }

  private Evidence conflictEvidence(IpState s, Incident i, String proof) {
    List<Evidence.MacEvidence> macs = new ArrayList<>();
    for (String m : i.macs) {
      MacSeen seen = s.macs.get(m);
      if (seen != null) {
        macs.add(macEvidence(m, seen));
      }
    }
    Map<String, String> facts = new TreeMap<>();
    facts.put("conflictWindow", format(config.conflictWindow()));
    facts.put("quietPeriod", format(config.quietPeriod()));
    if (proof != null) {
      facts.put("proof", proof);
    }
    if (!s.routerTables.isEmpty()) {
      facts.put("routerTable", seenIn(s));
    }
    return new Evidence(macs, i.flips, facts);
  }

  // ---- MAC_CHANGED

  /**
   * @param confirmed how a probe settled it, or null when the old MAC's silence did
   */
  private Alert macChanged(IpState s, Pending p, String confirmed) {
    List<Evidence.MacEvidence> macs = new ArrayList<>();
    for (String m : List.of(p.from, p.to)) {
      MacSeen seen = s.macs.get(m);
      if (seen != null) {
        macs.add(macEvidence(m, seen));
      }
    }
    String summary =
        Segments.where(s.ip)
            + " moved from "
            + AlertTexts.mac(p.from)
            + " to "
            + AlertTexts.mac(p.to)
            + (confirmed == null
                ? "; the old MAC has been silent since"
                : ": " + confirmed.replace("the new MAC", p.to))
            + " (a replaced NIC, a new DHCP lease or a failover)";
    Map<String, String> facts = new TreeMap<>(Map.of("from", p.from, "to", p.to));
    if (confirmed != null) {
      facts.put("proof", confirmed.replace("the new MAC", p.to));
    }
    return Alert.event(
        MAC_CHANGED,
        s.ip,
        Severity.WARNING,
        summary,
        new Evidence(macs, null, facts),
        labels(s, new TreeSet<>(List.of(p.from, p.to))),
        Instant.ofEpochMilli(p.at));
  }

  // ---- ADDRESS_SPOOF

  private void spoof(IpState s, String mac, InventoryEntry entry, long t, List<Object> out) {
    Incident i = s.spoof;
    if (i == null) {
      i = new Incident();
      i.macs.add(mac);
      i.claimer = mac;
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
      emitSpoof(s, i, i.alert, out);
      return;
    }
    i.lastOffendingAt = Math.max(i.lastOffendingAt, t);
    boolean joined = i.macs.add(mac);
    if (joined || t - i.lastEmittedAt >= updateEvery) {
      i.alert =
          i.alert.updated(
              spoofSummary(s, i, entry), spoofEvidence(s, i, entry), Instant.ofEpochMilli(t));
      i.lastEmittedAt = t;
      emitSpoof(s, i, i.alert, out);
    }
  }

  /** A spoof is told as it is, and the impostor rules hear of it as one of the claimer's lies. */
  private static void emitSpoof(IpState s, Incident i, Alert a, List<Object> out) {
    out.add(a);
    if (i.claimer != null) {
      MacSeen seen = s.macs.get(i.claimer);
      out.add(
          Claim.of(
              Claim.Kind.SPOOF,
              i.claimer,
              a,
              seen == null ? List.of() : List.copyOf(seen.answeredTo),
              null));
    }
  }

  private void resolveSpoof(IpState s, long at, List<Object> out) {
    Incident i = s.spoof;
    String summary =
        Segments.where(s.ip)
            + " is held only by its expected MAC again: nothing else has claimed it for "
            + AlertTexts.duration(Duration.ofMillis(quiet))
            + "; the spoof lasted "
            + AlertTexts.duration(Duration.ofMillis(at - i.alert.startedAt().toEpochMilli()));
    Alert a = i.alert.resolved(summary, Instant.ofEpochMilli(at));
    s.spoof = null;
    emitSpoof(s, i, a, out);
  }

  private String spoofSummary(IpState s, Incident i, InventoryEntry entry) {
    String name = entry.name() == null || entry.name().isBlank() ? "" : " (" + entry.name() + ")";
    return "Address spoof on "
        + Segments.where(s.ip)
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
      IpState s, MacAddress prober, ArpObservation o, IpAddress ip, long t, List<Object> out) {
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
            + Segments.where(s.ip)
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
        "New station " + Segments.where(s.ip) + " at " + AlertTexts.mac(mac),
        new Evidence(List.of(macEvidence(mac, s.macs.get(mac))), null, Map.of()),
        Map.of("sensor", o.sensorId()),
        Instant.ofEpochMilli(t));
  }

  // ---- ETHER_MISMATCH

  private void etherMismatch(IpState s, ArpObservation o, IpAddress ip, long t, List<Object> out) {
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
            + Segments.where(s.ip)
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
      if (s.conflict.held) {
        next = Math.min(next, s.probeSentAt + PROBE_ANSWER_MS);
      }
    }
    if (s.spoof != null) {
      next = Math.min(next, quietUntil(s.spoof.lastOffendingAt));
    }
    if (s.timerAt == 0 || next < s.timerAt) {
      s.timerAt = next;
    }
  }

  /** {@code seen in 10.77.0.1's ARP table}, {@code seen in r1's and r2's ARP tables}. */
  static String seenIn(IpState s) {
    List<String> owners = s.routerTables.stream().map(r -> r + "'s").toList();
    return "seen in "
        + String.join(" and ", owners)
        + (owners.size() == 1 ? " ARP table" : " ARP tables");
  }

  /** A time of day in alerts' texts: {@code 14:02:11 UTC}. */
  static String clock(long epochMs) {
    return CLOCK.format(Instant.ofEpochMilli(epochMs)) + " UTC";
  }

  private static String format(Duration d) {
    return AlertTexts.duration(d);
  }
}
