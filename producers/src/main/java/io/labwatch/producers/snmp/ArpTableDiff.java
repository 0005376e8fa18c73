package io.labwatch.producers.snmp;

import io.labwatch.events.ArpObservation;
import io.labwatch.events.ArpObservation.TableEntry;
import io.labwatch.events.IpAddress;
import io.labwatch.events.MacAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One router's ARP table between polls: what to publish of a new reading. An entry that is new or
 * whose MAC changed since the previous poll is published at once ({@link TableEntry#NEW}, {@link
 * TableEntry#CHANGED}: the router learned it since); every entry again, changed or not, at the
 * first poll and then every refresh interval ({@link TableEntry#HELD}), so that a detection that
 * lost its state relearns the table. A poll that could not read the table changes nothing.
 */
final class ArpTableDiff {

  private final Duration refresh;
  private Map<IpAddress, MacAddress> previous;
  private Instant lastRefresh;

  ArpTableDiff(Duration refresh) {
    this.refresh = refresh;
  }

  /** The observations a reading of the table at {@code at} makes, in the table's order. */
  List<ArpObservation> next(DevicePoller.Result r, String sensorId) {
    List<ArpObservation> out = new ArrayList<>();
    if (r.arp() == null) {
      return out;
    }
    boolean first = previous == null;
    boolean refreshing =
        first || !r.at().isBefore(lastRefresh.plus(refresh)) || r.at().isBefore(lastRefresh);
    Map<IpAddress, MacAddress> now = new HashMap<>(r.arp().size() * 2);
    for (DevicePoller.ArpEntry e : r.arp()) {
      if (now.putIfAbsent(e.ip(), e.mac()) != null) {
        continue; // the same IP on a second interface: the first is the one told
      }
      TableEntry kind;
      MacAddress before = first ? null : previous.get(e.ip());
      if (first) {
        kind = TableEntry.HELD;
      } else if (before == null) {
        kind = TableEntry.NEW;
      } else if (!before.equals(e.mac())) {
        kind = TableEntry.CHANGED;
      } else if (refreshing) {
        kind = TableEntry.HELD;
      } else {
        continue;
      }
      out.add(
          ArpObservation.routerTable(
              r.at(), sensorId, r.ifName(e.ifIndex()), e.ip(), e.mac(), kind));
    }
    previous = now;
    if (refreshing) {
      lastRefresh = r.at();
    }
    return out;
  }

  /** How many entries the table had at its last reading. */
  int size() {
    return previous == null ? 0 : previous.size();
  }
}
