package io.labwatch.events;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What a person needs to act on an alert, as data: sinks render it, they never compute it.
 *
 * @param macs each MAC address involved, with what was seen of it
 * @param flips how many times the binding switched between MACs, where that applies
 * @param facts further named facts (window length, expected MACs, thresholds), rendered as given
 */
public record Evidence(List<MacEvidence> macs, Long flips, Map<String, String> facts) {

  public static final Evidence NONE = new Evidence(List.of(), null, Map.of());

  public Evidence {
    macs = Schema.list(macs);
    facts = Schema.sortedMap(facts);
    if (flips != null) {
      Schema.nonNegative(flips, "Evidence", "flips");
    }
  }

  /**
   * One MAC address's part in an incident.
   *
   * @param mac the address
   * @param vendor the organisation owning its OUI, "locally administered", or null when unknown
   * @param packets how many packets asserted it
   * @param firstSeen the first of them
   * @param lastSeen the last of them
   * @param sensors the sensors that saw them
   * @param classes the packet classes they were
   */
  public record MacEvidence(
      MacAddress mac,
      String vendor,
      long packets,
      Instant firstSeen,
      Instant lastSeen,
      List<String> sensors,
      List<PacketClass> classes) {
    public MacEvidence {
      Schema.required(mac, "MacEvidence", "mac");
      Schema.nonNegative(packets, "MacEvidence", "packets");
      sensors = Schema.list(sensors);
      classes = Schema.list(classes);
    }
  }
}
