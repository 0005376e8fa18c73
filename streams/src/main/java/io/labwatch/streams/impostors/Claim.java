package io.labwatch.streams.impostors;

import io.labwatch.events.Alert;
import java.util.List;

/**
 * What the per-IP binding rules tell the per-MAC impostor rules, keyed by a MAC (the detection's
 * internal {@code claims} repartition topic): that a MAC holds an address of its own, that it no
 * longer does, or an incident — an IP conflict or an address spoof — in which it is the likelier
 * impostor. Conflicts pass through the impostor rules on their way to the alerts topic, so that
 * those a man in the middle explains are told as one {@code ARP_POISONING} instead.
 *
 * @param kind what it says
 * @param mac the MAC it is about (the record key)
 * @param ip the address
 * @param at event time (ms)
 * @param alert the incident's record (CONFLICT, SPOOF), else null
 * @param answeredTo the askers that {@code mac}'s answers for {@code ip} went to (its victims)
 * @param answeredProbe for an incident: whether {@code mac} answered the confirmation probe that
 *     another MAC answered (a real holder's kernel answers "who has"; a poisoner only lies to its
 *     victims), or null when no probe settled it
 */
public record Claim(
    Kind kind,
    String mac,
    String ip,
    long at,
    Alert alert,
    List<String> answeredTo,
    Boolean answeredProbe) {

  /** What a claim says. */
  public enum Kind {
    /** {@code mac} uses {@code ip} (asked or announced from it), and no other MAC holds it. */
    OWN,
    /** The per-IP state of {@code ip} was forgotten (idle), or {@code mac} dropped from it. */
    FORGET,
    /** An IP_CONFLICT record on {@code ip}, in which {@code mac} came last. */
    CONFLICT,
    /** An ADDRESS_SPOOF record on {@code ip} (a protected address), claimed by {@code mac}. */
    SPOOF
  }

  public Claim {
    answeredTo = answeredTo == null ? List.of() : List.copyOf(answeredTo);
  }

  public static Claim own(String mac, String ip, long at) {
    return new Claim(Kind.OWN, mac, ip, at, null, List.of(), null);
  }

  public static Claim forget(String mac, String ip, long at) {
    return new Claim(Kind.FORGET, mac, ip, at, null, List.of(), null);
  }

  /** An incident's record on its way through the impostor rules. */
  public static Claim of(
      Kind kind, String mac, Alert alert, List<String> answeredTo, Boolean answeredProbe) {
    return new Claim(
        kind,
        mac,
        alert.subject(),
        alert.updatedAt().toEpochMilli(),
        alert,
        answeredTo,
        answeredProbe);
  }
}
