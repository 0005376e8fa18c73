package io.labwatch.streams.health;

import io.labwatch.events.Alert;
import io.labwatch.events.AlertState;
import io.labwatch.events.Evidence;
import io.labwatch.events.MacAddress;
import io.labwatch.events.ProbeResult;
import io.labwatch.events.Severity;
import io.labwatch.events.Vendors;
import io.labwatch.streams.HealthConfig;
import io.labwatch.streams.bindings.AlertTexts;
import io.labwatch.streams.bindings.BindingRules;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Everything known of one IP address that is not its binding's own rules: the probes of its
 * services, its binding incidents, the load of the host that holds it — and the one incident that
 * ties them together.
 *
 * <p>{@code SERVICE_UNREACHABLE} (subject {@code IP/service}, e.g. {@code 10.77.0.10/ssh}) fires
 * when, over the probe window, at least {@code probeFailureRatio} of a service's probes and at
 * least {@code probeMinFailures} failed — critical when every one did — and resolves after {@code
 * probeQuiet} without a failure. It names its likely cause: a binding incident open on the address
 * whose MACs the failed probes went to; else a load spike on the host; and what it is not ("not the
 * load: CPU 12 %, load 0.4 — normal for this host"). The binding incident's own alert passes
 * through here on its way out and is told with the symptom ("symptom: ssh to yamato failing since
 * 14:02:11"): one incident each, updated, never a second notification.
 */
public final class Reachability {

  public static final String SERVICE_UNREACHABLE = "SERVICE_UNREACHABLE";

  /** Binding incidents that can make a service fail, and go through here. */
  public static final Set<String> BINDING_KINDS =
      Set.of(BindingRules.IP_CONFLICT, BindingRules.MAC_CHANGED, BindingRules.ADDRESS_SPOOF);

  /** The most probe results kept per service (10 min of one probe a second). */
  static final int MAX_OUTCOMES = 600;

  private final HealthConfig config;
  private final Duration updateInterval;

  public Reachability(HealthConfig config, Duration updateInterval) {
    this.config = config;
    this.updateInterval = updateInterval;
  }

  /** One probe's outcome, as kept. */
  public record Outcome(
      long at, boolean ok, ProbeResult.ErrorClass error, String mac, String sensor) {}

  /** One service of the address (a kind and port), as probed by any sensor. */
  public static final class Service {
    public String name;
    public String host;
    public List<Outcome> outcomes = new ArrayList<>();
    public long lastFailure;
    public long firstFailure;

    /** The firing alert, or null. */
    public Alert alert;

    /** What the alert said last of its cause, so a change of it is told. */
    public String cause;

    /** When the failures of its firing alert began (ms). */
    public long failingSince;

    /** When its last alert resolved (ms): failures before it are told already. */
    public long resolvedAt;

    public Service() {}
  }

  /** What is kept of one address. */
  public static final class IpHealth {
    public String ip;
    public TreeMap<String, Service> services = new TreeMap<>();

    /** The latest alert of each binding incident kind on the address, as the rules sent it. */
    public TreeMap<String, Alert> incidents = new TreeMap<>();

    /** The latest health of the host that holds the address. */
    public HostHealth host;

    public IpHealth() {}

    IpHealth(String ip) {
      this.ip = ip;
    }

    /** Nothing worth keeping: no service probed lately, no incident open. */
    public boolean isEmpty() {
      return services.isEmpty()
          && incidents.values().stream().allMatch(Reachability::over)
          && host == null;
    }
  }

  public static IpHealth newState(String ip) {
    return new IpHealth(ip);
  }

  private static boolean over(Alert a) {
    return a.state() == AlertState.RESOLVED;
  }

  /** A probe's result: the service's alert when it fires, changes or resolves, and its cause's. */
  public List<Alert> onProbe(IpHealth s, ProbeResult p) {
    long t = p.eventTime().toEpochMilli();
    String name = Texts.service(p.kind(), p.port());
    Service svc = s.services.computeIfAbsent(name, k -> new Service());
    svc.name = name;
    String host = Texts.targetHost(p.target());
    svc.host = host;
    String mac = p.mac() == null ? null : p.mac().toString();
    if (p.kind() == ProbeResult.Kind.ARP && p.answeredBy().size() > 1) {
      mac = null; // (two answered: no one MAC it went to)
    }
    svc.outcomes.add(new Outcome(t, p.ok(), p.error(), mac, p.sensorId()));
    if (!p.ok()) {
      if (svc.lastFailure == 0 || t - svc.lastFailure > config.probeWindow().toMillis()) {
        svc.firstFailure = t;
      }
      svc.lastFailure = Math.max(svc.lastFailure, t);
    }
    long from = t - config.probeWindow().toMillis();
    svc.outcomes.removeIf(o -> o.at() <= from);
    while (svc.outcomes.size() > MAX_OUTCOMES) {
      svc.outcomes.remove(0);
    }
    List<Alert> out = new ArrayList<>();
    judge(s, svc, p.eventTime(), out);
    // (services not probed for a window are forgotten)
    s.services
        .values()
        .removeIf(x -> x.alert == null && x.outcomes.stream().allMatch(o -> o.at() <= from));
    return out;
  }

  /**
   * Whether a binding incident's record went to the alerts straight from its rules: its first
   * (firing) record and events, so that the first word of a conflict does not wait for a second
   * exactly-once hop. Every later record of the incident is told here ({@link #onIncident}).
   */
  public static boolean toldDirectly(Alert a) {
    return a.isEvent() || (a.state() == AlertState.FIRING && a.updatedAt().equals(a.startedAt()));
  }

  /**
   * A binding incident's record: the ones its rules told already (its firing) are kept, and told
   * again at once with the symptom when the address shows one; the rest go out from here, with the
   * symptom when there is one.
   */
  public List<Alert> onIncident(IpHealth s, Alert a) {
    s.incidents.put(a.kind(), a);
    List<Alert> out = new ArrayList<>();
    Instant at = a.updatedAt();
    if (!toldDirectly(a)) {
      out.add(decorate(s, a));
    } else if (!over(a)) {
      Alert told = decorate(s, a);
      if (told != a) { // (a symptom already: the news is the cause's, a moment after its firing)
        out.add(told.updated(told.summary(), told.evidence(), at.plusMillis(1)));
      }
    }
    // a cause that appeared (or went) changes what the firing services say of themselves
    for (Service svc : s.services.values()) {
      if (svc.alert != null) {
        Alert changed = restate(s, svc, at);
        if (changed != null) {
          out.add(changed);
        }
      }
    }
    s.incidents
        .values()
        .removeIf(x -> over(x) && !at.isBefore(x.updatedAt().plus(config.probeWindow())));
    return out;
  }

  /** The latest load of the host that holds the address. */
  public List<Alert> onHost(IpHealth s, HostHealth h) {
    boolean spikesChanged =
        s.host == null
            || !s.host.spikes().equals(h.spikes())
            || !s.host.errors().equals(h.errors())
            || s.host.warm() != h.warm();
    s.host = h;
    List<Alert> out = new ArrayList<>();
    if (spikesChanged) {
      for (Service svc : s.services.values()) {
        if (svc.alert != null) {
          Alert changed = restate(s, svc, h.at());
          if (changed != null) {
            out.add(changed);
          }
        }
      }
    }
    return out;
  }

  /**
   * The probes since the first failure in the window: the trouble's own ratio, not diluted by the
   * quiet minutes before it.
   */
  record Counts(int total, int failed, long since) {}

  static Counts counts(Service svc) {
    long since = Long.MAX_VALUE;
    for (Outcome o : svc.outcomes) {
      if (!o.ok() && o.at() > svc.resolvedAt) {
        since = Math.min(since, o.at());
      }
    }
    int total = 0;
    int failed = 0;
    for (Outcome o : svc.outcomes) {
      if (o.at() >= since) {
        total++;
        failed += o.ok() ? 0 : 1;
      }
    }
    return new Counts(total, failed, since);
  }

  private void judge(IpHealth s, Service svc, Instant at, List<Alert> out) {
    long t = at.toEpochMilli();
    Counts c = counts(svc);
    if (svc.alert == null) {
      if (c.failed() >= config.probeMinFailures()
          && c.failed() >= config.probeFailureRatio() * c.total()) {
        Severity severity = c.failed() == c.total() ? Severity.CRITICAL : Severity.WARNING;
        Cause cause = cause(s, svc);
        Alert a =
            Alert.firing(
                SERVICE_UNREACHABLE,
                s.ip + "/" + svc.name,
                severity,
                summary(s, svc, c, t, cause),
                evidence(s, svc, c),
                labels(s, svc),
                at); // (fired now; "failing since" says when the failures began)
        svc.alert = a;
        svc.failingSince = c.since();
        svc.cause = cause.key();
        out.add(a);
        // and the cause's own alert now names its symptom
        retellIncidents(s, at, out);
      }
      return;
    }
    if (t - svc.lastFailure >= config.probeQuiet().toMillis()) {
      int answered = (int) svc.outcomes.stream().filter(Outcome::ok).count();
      Alert resolved =
          svc.alert.resolved(
              what(s, svc)
                  + " answers again: no failed probe for "
                  + AlertTexts.duration(config.probeQuiet())
                  + " ("
                  + answered
                  + " of "
                  + svc.outcomes.size()
                  + " answered in "
                  + AlertTexts.duration(config.probeWindow())
                  + ")",
              at);
      svc.alert = null;
      svc.cause = null;
      svc.resolvedAt = t;
      out.add(resolved);
      retellIncidents(s, at, out);
      return;
    }
    Severity severity = c.failed() == c.total() ? Severity.CRITICAL : Severity.WARNING;
    Cause cause = cause(s, svc);
    boolean material =
        severity != svc.alert.severity()
            || !cause.key().equals(svc.cause)
            || !at.isBefore(svc.alert.updatedAt().plus(updateInterval));
    if (material) {
      Alert a = restated(s, svc, severity, c, t, cause, at);
      svc.alert = a;
      svc.cause = cause.key();
      out.add(a);
    }
  }

  /** The open binding incidents again, now that their symptoms changed. */
  private void retellIncidents(IpHealth s, Instant at, List<Alert> out) {
    for (Alert incident : s.incidents.values()) {
      if (!over(incident)) {
        Alert told = decorate(s, incident);
        out.add(told.updated(told.summary(), told.evidence(), at));
      }
    }
  }

  /** The service's alert again when its cause changed; null when it did not. */
  private Alert restate(IpHealth s, Service svc, Instant at) {
    Cause cause = cause(s, svc);
    if (cause.key().equals(svc.cause)) {
      return null;
    }
    Alert a = restated(s, svc, svc.alert.severity(), counts(svc), at.toEpochMilli(), cause, at);
    svc.alert = a;
    svc.cause = cause.key();
    return a;
  }

  private Alert restated(
      IpHealth s, Service svc, Severity severity, Counts c, long t, Cause cause, Instant at) {
    Alert old = svc.alert;
    return new Alert(
        old.v(),
        old.fingerprint(),
        old.incidentId(),
        old.kind(),
        old.subject(),
        severity,
        AlertState.FIRING,
        summary(s, svc, c, t, cause),
        evidence(s, svc, c),
        old.labels(),
        old.startedAt(),
        at,
        null);
  }

  /** "ssh to yamato (10.77.0.10)". */
  private static String what(IpHealth s, Service svc) {
    return svc.name
        + " to "
        + (svc.host == null || svc.host.equals(s.ip) ? s.ip : svc.host + " (" + s.ip + ")");
  }

  private String summary(IpHealth s, Service svc, Counts c, long t, Cause cause) {
    StringBuilder sb = new StringBuilder(what(s, svc));
    int failed = c.failed();
    int total = c.total();
    String window = AlertTexts.duration(Duration.ofMillis(Math.max(1000, t - c.since())));
    if (failed == total) {
      sb.append(" fails: all ")
          .append(total)
          .append(" probes in ")
          .append(window)
          .append(" failed");
      String errors = errors(svc);
      if (!errors.isEmpty()) {
        sb.append(" (").append(errors).append(')');
      }
    } else {
      sb.append(" fails intermittently: ")
          .append(failed)
          .append(" of ")
          .append(total)
          .append(" probes in ")
          .append(window);
    }
    String macs = macSplit(svc, c.since());
    if (!macs.isEmpty()) {
      sb.append(", ").append(macs);
    }
    sb.append(". ").append(cause.text());
    return sb.toString();
  }

  /** "every failure went to 00:a0:de:… (YAMAHA)", or how they split. */
  private static String macSplit(Service svc, long since) {
    TreeMap<String, Integer> failedVia = new TreeMap<>();
    Set<String> okVia = new TreeSet<>();
    int failedWithout = 0;
    for (Outcome o : svc.outcomes) {
      if (o.at() < since) {
        continue;
      }
      if (o.ok()) {
        if (o.mac() != null) {
          okVia.add(o.mac());
        }
      } else if (o.mac() == null) {
        failedWithout++;
      } else {
        failedVia.merge(o.mac(), 1, Integer::sum);
      }
    }
    if (failedVia.size() == 1 && failedWithout == 0) {
      String mac = failedVia.firstKey();
      return "every failure went to "
          + Texts.mac(mac)
          + (okVia.isEmpty() || okVia.contains(mac)
              ? ""
              : ", every answer came from "
                  + AlertTexts.list(okVia.stream().map(Texts::mac).toList()));
    }
    if (failedVia.isEmpty()) {
      return "";
    }
    List<String> parts = new ArrayList<>();
    failedVia.forEach((mac, n) -> parts.add(Texts.mac(mac) + " " + n + "×"));
    if (failedWithout > 0) {
      parts.add("no MAC " + failedWithout + "×");
    }
    return "the failures went to " + AlertTexts.list(parts);
  }

  private static String errors(Service svc) {
    TreeMap<String, Integer> byClass = new TreeMap<>();
    for (Outcome o : svc.outcomes) {
      if (!o.ok() && o.error() != null) {
        byClass.merge(o.error().name().toLowerCase(java.util.Locale.ROOT), 1, Integer::sum);
      }
    }
    List<String> parts = new ArrayList<>();
    byClass.forEach((k, n) -> parts.add(byClass.size() == 1 ? k : k + " " + n + "×"));
    return String.join(", ", parts);
  }

  /**
   * What the service's alert says after the symptom, and a key of what it rests on: a change of the
   * key is news (a cause found, the load normal again), a change of the numbers is not.
   */
  record Cause(String key, String text) {}

  /** The cause, and what it is not: the sentence after the symptom. */
  private Cause cause(IpHealth s, Service svc) {
    Set<String> failedMacs = new TreeSet<>();
    for (Outcome o : svc.outcomes) {
      if (!o.ok() && o.mac() != null) {
        failedMacs.add(o.mac());
      }
    }
    Alert binding = null;
    boolean matches = false;
    for (Alert a : s.incidents.values()) {
      if (over(a)
          && (!a.isEvent()
              || a.updatedAt().toEpochMilli()
                  < svc.firstFailure - config.probeWindow().toMillis())) {
        continue; // (over; a MAC change counts while the failures are near it)
      }
      Set<String> macs = new TreeSet<>();
      a.evidence().macs().forEach(m -> macs.add(m.mac().toString()));
      boolean m = failedMacs.stream().anyMatch(macs::contains);
      if (binding == null || (m && !matches)) {
        binding = a;
        matches = m;
      }
    }
    StringBuilder sb = new StringBuilder();
    HostHealth h = s.host;
    boolean spiking = h != null && !h.spikes().isEmpty();
    if (binding != null) {
      sb.append(
              matches ? "Cause: " : failedMacs.isEmpty() ? "Likely cause: " : "Possibly related: ")
          .append(bindingText(binding))
          .append('.');
      if (h != null && !spiking) {
        sb.append(" Not the load: ").append(h.numbers());
        sb.append(
            h.warm() ? " — normal for this host." : " (its baseline is still being learned).");
      } else if (spiking) {
        sb.append(" Load is high too: ").append(h.spikes().get(0)).append('.');
      }
    } else if (spiking) {
      sb.append("Cause: load — ").append(h.spikes().get(0)).append('.');
      sb.append(" No IP conflict or MAC change on ").append(s.ip).append('.');
    } else if (h != null && !h.errors().isEmpty()) {
      sb.append("Cause: interface errors — ").append(h.errors().get(0)).append('.');
      sb.append(" No IP conflict or MAC change on ").append(s.ip).append(", and not the load: ");
      sb.append(h.numbers()).append('.');
    } else {
      sb.append("Cause not known: no IP conflict or MAC change on ").append(s.ip);
      if (h != null) {
        sb.append(", and not the load: ").append(h.numbers());
        sb.append(
            h.warm() ? " — normal for this host." : " (its baseline is still being learned).");
      } else {
        sb.append("; no host metrics from it (run labwatch sensor host there to rule out load).");
      }
    }
    String key =
        (binding == null
                ? "-"
                : binding.incidentId() + (matches ? "+" : failedMacs.isEmpty() ? "?" : "~"))
            + "|"
            + (h == null
                ? "no host"
                : spiking ? "spike " + h.spikes().size() : h.warm() ? "normal" : "learning")
            + "|errors "
            + (h == null ? 0 : h.errors().size());
    return new Cause(key, sb.toString());
  }

  /** "IP conflict on 10.77.0.10 (dc:9b:9c:… (Apple) and 00:a0:de:… (YAMAHA))". */
  private static String bindingText(Alert a) {
    String what =
        switch (a.kind()) {
          case BindingRules.IP_CONFLICT -> "IP conflict";
          case BindingRules.MAC_CHANGED -> "MAC change";
          case BindingRules.ADDRESS_SPOOF -> "address spoofing";
          default -> a.kind();
        };
    List<String> macs = new ArrayList<>();
    for (Evidence.MacEvidence m : a.evidence().macs()) {
      macs.add(m.mac() + " (" + vendorOf(m.mac()) + ")");
    }
    return what
        + " on "
        + a.subject()
        + (macs.size() < 2
            ? macs.isEmpty() ? "" : " by " + macs.get(0)
            : " between " + AlertTexts.list(macs));
  }

  private static String vendorOf(MacAddress mac) {
    String v = Vendors.describe(mac);
    return v == null ? "unknown vendor" : v;
  }

  private Evidence evidence(IpHealth s, Service svc, Counts counts) {
    TreeMap<String, long[]> byMac = new TreeMap<>(); // failed, answered, first, last
    TreeMap<String, Set<String>> sensors = new TreeMap<>();
    for (Outcome o : svc.outcomes) {
      if (o.mac() == null || o.at() < counts.since()) {
        continue;
      }
      long[] c = byMac.computeIfAbsent(o.mac(), k -> new long[] {0, 0, Long.MAX_VALUE, 0});
      c[o.ok() ? 1 : 0]++;
      c[2] = Math.min(c[2], o.at());
      c[3] = Math.max(c[3], o.at());
      sensors.computeIfAbsent(o.mac(), k -> new TreeSet<>()).add(o.sensor());
    }
    List<Evidence.MacEvidence> macs = new ArrayList<>();
    Map<String, String> facts = new TreeMap<>();
    StringBuilder failedVia = new StringBuilder();
    StringBuilder answeredVia = new StringBuilder();
    for (Map.Entry<String, long[]> e : byMac.entrySet()) {
      long[] c = e.getValue();
      MacAddress mac = MacAddress.of(e.getKey());
      macs.add(
          new Evidence.MacEvidence(
              mac,
              Vendors.describe(mac),
              c[0] + c[1],
              Instant.ofEpochMilli(c[2]),
              Instant.ofEpochMilli(c[3]),
              List.copyOf(sensors.get(e.getKey())),
              List.of()));
      if (c[0] > 0) {
        failedVia
            .append(failedVia.length() == 0 ? "" : ", ")
            .append(e.getKey())
            .append(' ')
            .append(c[0])
            .append('×');
      }
      if (c[1] > 0) {
        answeredVia
            .append(answeredVia.length() == 0 ? "" : ", ")
            .append(e.getKey())
            .append(' ')
            .append(c[1])
            .append('×');
      }
    }
    facts.put("probes", Integer.toString(counts.total()));
    facts.put("failed", Integer.toString(counts.failed()));
    facts.put("failing since", Instant.ofEpochMilli(counts.since()).toString());
    facts.put("window", AlertTexts.duration(config.probeWindow()));
    String errors = errors(svc);
    if (!errors.isEmpty()) {
      facts.put("errors", errors);
    }
    if (failedVia.length() > 0) {
      facts.put("failed via", failedVia.toString());
    }
    if (answeredVia.length() > 0) {
      facts.put("answered via", answeredVia.toString());
    }
    for (Alert a : s.incidents.values()) {
      if (!over(a) || a.isEvent()) {
        facts.put("cause", a.incidentId());
      }
    }
    HostHealth h = s.host;
    if (h != null) {
      facts.put("host", h.host());
      facts.put("load", h.spikes().isEmpty() ? (h.warm() ? "normal" : "learning") : "high");
      if (!h.errors().isEmpty()) {
        facts.put("interface errors", String.join("; ", h.errors()));
      }
      if (!h.numbers().isEmpty()) {
        facts.put("host load", h.numbers());
      }
    }
    return new Evidence(macs, null, facts);
  }

  private static Map<String, String> labels(IpHealth s, Service svc) {
    Map<String, String> labels = new TreeMap<>();
    labels.put("ip", s.ip);
    labels.put("service", svc.name);
    if (svc.host != null) {
      labels.put("target", svc.host);
    }
    return labels;
  }

  /** A binding incident's alert, with the symptom its address shows (when it shows one). */
  private Alert decorate(IpHealth s, Alert a) {
    if (over(a)) {
      return a;
    }
    List<String> symptoms = new ArrayList<>();
    for (Service svc : s.services.values()) {
      if (svc.alert != null) {
        symptoms.add(
            what(s, svc)
                + " failing since "
                + Instant.ofEpochMilli(svc.failingSince).toString().substring(11, 19));
      }
    }
    if (symptoms.isEmpty()) {
      return a;
    }
    Map<String, String> facts = new TreeMap<>(a.evidence().facts());
    facts.put("symptom", AlertTexts.list(symptoms));
    return new Alert(
        a.v(),
        a.fingerprint(),
        a.incidentId(),
        a.kind(),
        a.subject(),
        a.severity(),
        a.state(),
        a.summary() + " — symptom: " + AlertTexts.list(symptoms),
        new Evidence(a.evidence().macs(), a.evidence().flips(), facts),
        a.labels(),
        a.startedAt(),
        a.updatedAt(),
        a.endedAt());
  }
}
