package io.labwatch.streams.health;

import io.labwatch.events.Alert;
import io.labwatch.events.AlertState;
import io.labwatch.events.Evidence;
import io.labwatch.events.Severity;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.DoubleFunction;

/**
 * The alert of one series' spike, a host's or a router port's alike: fired ("CPU on yamato at 97 %
 * — normal for it is 12 % ± 2 % (since 14:02:11)"), escalated to critical, resolved ("... back to
 * 14 % (peak 97 %)"). Evidence: value, peak, baseline, deviation, since, and the caller's own
 * facts.
 *
 * @param kind LOAD_SPIKE or INTERFACE_ERRORS
 * @param subject the alert's subject
 * @param what the series in words: "CPU on yamato", "traffic in on lan0 of 10.77.0.1"
 * @param value a value of the series in words: "97 %", "500/s"
 * @param labels the alert's labels
 * @param facts facts of the caller's own (an interface's speed), or none
 */
record SpikeAlerts(
    String kind,
    String subject,
    String what,
    DoubleFunction<String> value,
    Map<String, String> labels,
    Map<String, String> facts) {

  /**
   * The alert a sample's change of the series makes, or null; {@code firing} (series name to its
   * firing alert) is kept up to date.
   */
  Alert tell(Map<String, Alert> firing, String name, Series x, Series.Change change, Instant at) {
    switch (change) {
      case FIRED -> {
        // (fired now: its evidence says since when it was above)
        Alert a = Alert.firing(kind, subject, x.firing, summary(x), evidence(x), labels, at);
        firing.put(name, a);
        return a;
      }
      case ESCALATED -> {
        Alert old = firing.get(name);
        if (old == null) {
          return null;
        }
        Alert a =
            new Alert(
                old.v(),
                old.fingerprint(),
                old.incidentId(),
                old.kind(),
                old.subject(),
                Severity.CRITICAL,
                AlertState.FIRING,
                summary(x),
                evidence(x),
                old.labels(),
                old.startedAt(),
                at,
                null);
        firing.put(name, a);
        return a;
      }
      case RESOLVED -> {
        Alert old = firing.remove(name);
        return old == null
            ? null
            : old.resolved(
                what + " back to " + value.apply(x.last) + " (peak " + value.apply(x.peak) + ")",
                at);
      }
      default -> {
        return null;
      }
    }
  }

  private String summary(Series x) {
    return what
        + " at "
        + value.apply(x.last)
        + " — normal for it is "
        + value.apply(x.firedMean)
        + " ± "
        + value.apply(x.firedDev)
        + " (since "
        + Instant.ofEpochMilli(x.firingSince).toString().substring(11, 19)
        + ")";
  }

  private Evidence evidence(Series x) {
    Map<String, String> all = new TreeMap<>(facts);
    all.put("value", value.apply(x.last));
    all.put("peak", value.apply(x.peak));
    all.put("baseline", value.apply(x.firedMean));
    all.put("deviation", value.apply(x.firedDev));
    all.put("since", Instant.ofEpochMilli(x.firingSince).toString());
    return new Evidence(List.of(), null, all);
  }
}
