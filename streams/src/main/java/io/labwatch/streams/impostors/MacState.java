package io.labwatch.streams.impostors;

import io.labwatch.events.Alert;
import io.labwatch.events.AlertState;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * What the impostor rules know of one MAC: the IPv4 addresses it holds alone, the incidents in
 * which it is the likelier impostor, and its ARP_POISONING incident while one fires. Stored per MAC
 * (key: the MAC's text) as JSON; small, and written only when a claim about the MAC arrives.
 */
public final class MacState {

  public String mac;

  /** Addresses it holds with no other MAC, and since when (ms). */
  public TreeMap<String, Long> own = new TreeMap<>();

  /** Incidents on other stations' addresses in which it came last, by IP. */
  public TreeMap<String, Impersonation> impersonations = new TreeMap<>();

  /** The firing ARP_POISONING record, or null. */
  public Alert poisoning;

  public long poisoningEmittedAt;

  public MacState() {}

  MacState(String mac) {
    this.mac = mac;
  }

  boolean isEmpty() {
    return own.isEmpty() && impersonations.isEmpty() && poisoning == null;
  }

  /** One incident on an address: the per-IP rules' latest record of it. */
  public static final class Impersonation {
    public Claim.Kind kind;
    public Alert last;

    /** Its IP_CONFLICT was passed on to the alerts while no poisoning explained it. */
    public boolean told;

    /** The askers the MAC's answers for the address went to. */
    public List<String> answeredTo = new ArrayList<>();

    /** Whether the MAC answered a confirmation probe for the address; null when none told. */
    public Boolean answeredProbe;

    boolean open() {
      return last != null && last.state() != AlertState.RESOLVED;
    }
  }
}
