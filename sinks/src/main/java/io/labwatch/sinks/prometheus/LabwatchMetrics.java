package io.labwatch.sinks.prometheus;

import io.labwatch.events.Alert;
import io.labwatch.events.AlertKinds;
import io.labwatch.events.AlertState;
import io.labwatch.events.ArpObservation;
import io.labwatch.events.DeadLetters;
import io.labwatch.events.Heartbeat;
import io.labwatch.events.PacketClass;
import io.labwatch.events.Severity;
import io.labwatch.events.Silence;
import io.labwatch.sinks.Health;
import io.labwatch.sinks.SlackCounts;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * labwatch's metrics, in a registry of their own (never the client's global one). Names follow
 * Prometheus' conventions; every label has a bounded set of values: kinds, severities, states,
 * packet classes, sensors, consumers, topics and short reason codes — and for firing incidents,
 * their subjects, as many as there are incidents firing.
 *
 * <p>Every counter series that can be known beforehand is exported from 0 at the start, not from
 * its first event: {@code increase()} and {@code rate()} need a sample before an increment to see
 * it, so a series that appears at 1 hides its first event from a rule such as {@code
 * increase(labwatch_dead_letters_total[15m]) > 0}.
 */
public final class LabwatchMetrics {

  /** Distinct dead-letter reason codes counted before the rest count as {@code other}. */
  static final int MAX_REASONS = 50;

  private final PrometheusRegistry registry = new PrometheusRegistry();

  private final Gauge firing;
  private final Counter alerts;
  private final Counter observations;
  private final Counter deadLetters;
  private final Counter undecodable;

  /** Fingerprint (the alerts topic's key) to the incident's latest record, while it fires. */
  private final Map<String, Alert> firingAlerts = new HashMap<>();

  /** Dead-letter reason codes counted by their own name (at most {@link #MAX_REASONS}). */
  private final Map<String, Boolean> reasons = new ConcurrentHashMap<>();

  private final Map<String, Heartbeat> heartbeats = new ConcurrentHashMap<>();
  private final Map<String, Heartbeat> hostHeartbeats = new ConcurrentHashMap<>();
  private final Map<String, Map<String, Long>> lag = new ConcurrentHashMap<>();

  /** The silences topic's table: id to silence, active or not. */
  private final Map<String, Silence> silences = new ConcurrentHashMap<>();

  private final Clock clock;

  public LabwatchMetrics(Health health) {
    this(health, Clock.systemUTC());
  }

  /** ... with {@code clock} telling which silences are active at a scrape. */
  public LabwatchMetrics(Health health, Clock clock) {
    this.clock = clock;
    firing =
        Gauge.builder()
            .name("labwatch_alert_firing")
            .help(
                "1 for each incident firing now (IP conflict, spoof, silent sensor, ...); gone when"
                    + " it resolves")
            .labelNames("kind", "subject", "severity")
            .register(registry);
    GaugeWithCallback.builder()
        .name("labwatch_alert_silenced")
        .help(
            "1 for each firing incident an active silence matches (Slack stays quiet about it;"
                + " labwatch_alert_firing still shows it); gone when the silence ends")
        .labelNames("kind", "subject")
        .callback(
            cb -> {
              for (Alert a : firing()) {
                if (silencedBy(a).isPresent()) {
                  cb.call(1, a.kind(), a.subject());
                }
              }
            })
        .register(registry);
    alerts =
        Counter.builder()
            .name("labwatch_alerts_total")
            .help("Alert records (FIRING, updates, RESOLVED) raised since this process started")
            .labelNames("kind", "severity", "state")
            .register(registry);
    // every kind the detection raises, with the severities and states its records can have: an
    // incident's first alert (the seed's IP conflict on a new install) counts in increase() too
    for (AlertKinds.Kind k : AlertKinds.ALL) {
      for (Severity severity : k.severities()) {
        for (AlertState state : k.states()) {
          alerts.initLabelValues(k.name(), lower(severity.name()), lower(state.name()));
        }
      }
    }
    observations =
        Counter.builder()
            .name("labwatch_arp_observations_total")
            .help("ARP and IPv6 neighbour discovery packets the sensors published")
            .labelNames("sensor", "class")
            .register(registry);
    CounterWithCallback.builder()
        .name("labwatch_sensor_packets_received_total")
        .help("Packets the sensor's capture delivered, since the sensor started (its heartbeat)")
        .labelNames("sensor")
        .callback(cb -> heartbeats.forEach((s, h) -> cb.call(h.capture().received(), s)))
        .register(registry);
    CounterWithCallback.builder()
        .name("labwatch_sensor_packets_dropped_total")
        .help(
            "Packets dropped before the sensor read them, by the kernel or the interface, since"
                + " the sensor started (its heartbeat)")
        .labelNames("sensor")
        .callback(
            cb ->
                heartbeats.forEach(
                    (s, h) -> cb.call(h.capture().dropped() + h.capture().droppedByInterface(), s)))
        .register(registry);
    GaugeWithCallback.builder()
        .name("labwatch_sensor_last_heartbeat_timestamp_seconds")
        .help("When the sensor's last heartbeat was sent (Unix time)")
        .unit(Unit.SECONDS)
        .labelNames("sensor")
        .callback(
            cb -> heartbeats.forEach((s, h) -> cb.call(h.eventTime().toEpochMilli() / 1000.0, s)))
        .register(registry);
    GaugeWithCallback.builder()
        .name("labwatch_sensor_capturing")
        .help("1 while the sensor captures, 0 while its interface is down or gone (its heartbeat)")
        .labelNames("sensor")
        .callback(cb -> heartbeats.forEach((s, h) -> cb.call(h.problem() == null ? 1 : 0, s)))
        .register(registry);
    GaugeWithCallback.builder()
        .name("labwatch_host_sensor_last_heartbeat_timestamp_seconds")
        .help("When the host sensor's last heartbeat was sent (Unix time), from labwatch.host")
        .unit(Unit.SECONDS)
        .labelNames("host")
        .callback(
            cb ->
                hostHeartbeats.forEach((s, h) -> cb.call(h.eventTime().toEpochMilli() / 1000.0, s)))
        .register(registry);
    GaugeWithCallback.builder()
        .name("labwatch_host_sensor_ok")
        .help(
            "1 while the host sensor reports no problem, 0 while its heartbeat carries one (e.g. a"
                + " probe it cannot run)")
        .labelNames("host")
        .callback(cb -> hostHeartbeats.forEach((s, h) -> cb.call(h.problem() == null ? 1 : 0, s)))
        .register(registry);
    GaugeWithCallback.builder()
        .name("labwatch_consumer_lag_records")
        .help(
            "Records a consumer of labwatch has yet to read: the detection (detect), the sinks"
                + " (slack, prometheus)")
        .labelNames("consumer", "topic")
        .callback(
            cb ->
                lag.forEach(
                    (consumer, topics) -> topics.forEach((t, n) -> cb.call(n, consumer, t))))
        .register(registry);
    deadLetters =
        Counter.builder()
            .name("labwatch_dead_letters_total")
            .help("Records put on the dead-letter topic since this process started, by why")
            .labelNames("component", "reason")
            .register(registry);
    // the reasons are open-ended (Slack adds error codes; one about the set-up, such as a revoked
    // token, appears at its first dead letter), so only the ones known beforehand start at 0; the
    // rule LabwatchDeadLetters also fires on a reason's first appearance
    DeadLetters.KNOWN_CODES.forEach(
        (component, codes) ->
            codes.forEach(
                code -> {
                  reasons.put(code, Boolean.TRUE);
                  deadLetters.initLabelValues(component, code);
                }));
    undecodable =
        Counter.builder()
            .name("labwatch_metrics_undecodable_records_total")
            .help("Records this exporter could not decode and left out of its metrics")
            .labelNames("topic")
            .register(registry);
    GaugeWithCallback.builder()
        .name("labwatch_part_up")
        .help(
            "1 while a part of this labwatch process works, 0 when it has failed; /-/healthy says"
                + " why, under the part's name in words (arp_sensor: ARP sensor). Parts: broker,"
                + " detection, arp_sensor, snmp_sensor, host_sensor, probes, slack_sink,"
                + " prometheus_sink")
        .labelNames("part")
        .callback(
            cb -> health.check().forEach((part, p) -> cb.call(p == null ? 1 : 0, labelValue(part))))
        .register(registry);
    JvmMetrics.builder().register(registry);
    Info build =
        Info.builder()
            .name("labwatch_build_info")
            .help("labwatch's version and the Java it runs on (always 1)")
            .labelNames("version", "java_version")
            .register(registry);
    build.setLabelValues(version(), System.getProperty("java.version", "unknown"));
  }

  /** The jar's version (its manifest); {@code dev} when run from classes. */
  static String version() {
    String v = LabwatchMetrics.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  public PrometheusRegistry registry() {
    return registry;
  }

  /**
   * An alert record: the firing set follows it; {@code count} adds it to the alert counter (not
   * while the set is being rebuilt from history on start).
   */
  public synchronized void alert(String fingerprint, Alert a, boolean count) {
    if (a == null) {
      stopFiring(fingerprint);
      return;
    }
    if (count) {
      alerts.labelValues(a.kind(), lower(a.severity().name()), lower(a.state().name())).inc();
    }
    if (a.state() == AlertState.FIRING && !a.isEvent()) {
      Alert before = firingAlerts.put(fingerprint, a);
      if (before != null && !Arrays.equals(firingLabels(before), firingLabels(a))) {
        firing.remove(firingLabels(before));
      }
      firing.labelValues(firingLabels(a)).set(1);
    } else {
      stopFiring(fingerprint);
    }
  }

  /** Label values as Alertmanager's conventions have them: severity="critical". */
  private static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }

  /**
   * A name in words as a label value, snake_case: {@code ARP sensor} is {@code arp_sensor}. A label
   * value with spaces has to be quoted in every query, a rule's matcher and a Grafana legend, and
   * one with capitals is typed wrong: the words stay where people read them (/-/healthy, the
   * console), the metric carries the identifier.
   */
  static String labelValue(String words) {
    String v = lower(words).replaceAll("[^a-z0-9_.]+", "_");
    return v.replaceAll("^_+|_+$", "");
  }

  /** The firing series' label values: kind, subject, severity. */
  private static String[] firingLabels(Alert a) {
    return new String[] {a.kind(), a.subject(), lower(a.severity().name())};
  }

  private void stopFiring(String fingerprint) {
    Alert before = firingAlerts.remove(fingerprint);
    if (before != null) {
      firing.remove(firingLabels(before));
    }
  }

  public synchronized int firingCount() {
    return firingAlerts.size();
  }

  /** The incidents firing now, most severe first, then oldest first. */
  public synchronized List<Alert> firing() {
    return firingAlerts.values().stream()
        .sorted(
            Comparator.comparing(Alert::severity)
                .thenComparing(Alert::startedAt)
                .thenComparing(Alert::fingerprint))
        .toList();
  }

  /** A record of the silences topic: {@code s} under {@code id}; null removes it. */
  public void silence(String id, Silence s) {
    if (s == null) {
      silences.remove(id);
    } else {
      silences.put(id, s);
    }
  }

  /** The silences active now, the soonest to end first. */
  public List<Silence> activeSilences() {
    Instant now = clock.instant();
    return silences.values().stream()
        .filter(s -> s.activeAt(now))
        .sorted(Comparator.comparing(Silence::endsAt).thenComparing(Silence::id))
        .toList();
  }

  /** The active silence over {@code a} now, if any. */
  public Optional<Silence> silencedBy(Alert a) {
    return Silence.silencing(silences.values(), a.kind(), a.subject(), clock.instant());
  }

  /** Each sensor's latest heartbeat. */
  public Map<String, Heartbeat> heartbeats() {
    return new java.util.TreeMap<>(heartbeats);
  }

  /** Each host sensor's latest heartbeat (from {@code labwatch.host}), by host name. */
  public Map<String, Heartbeat> hostHeartbeats() {
    return new java.util.TreeMap<>(hostHeartbeats);
  }

  /** Each consumer's lag, per topic. */
  public Map<String, Map<String, Long>> lag() {
    return new java.util.TreeMap<>(lag);
  }

  public void observation(ArpObservation o) {
    observations.labelValues(o.sensorId(), lower(o.packetClass().name())).inc();
  }

  /**
   * A heartbeat from {@code labwatch.arp}. A sensor's first one starts its observation counters at
   * 0, one per packet class: which sensors there are is only known from them. (Its packet counters
   * are the sensor's own, since the sensor started, and appear with its first heartbeat.)
   */
  public void heartbeat(Heartbeat h) {
    if (!heartbeats.containsKey(h.sensorId())) {
      for (PacketClass c : PacketClass.values()) {
        observations.initLabelValues(h.sensorId(), lower(c.name()));
      }
    }
    keepLatest(heartbeats, h);
  }

  /** A host sensor's heartbeat: its samples in place of a capture's packets. */
  public void hostHeartbeat(Heartbeat h) {
    keepLatest(hostHeartbeats, h);
  }

  /**
   * Keeps the later of {@code h} and the sensor's heartbeat already there (records can be late).
   */
  private static void keepLatest(Map<String, Heartbeat> latest, Heartbeat h) {
    latest.merge(
        h.sensorId(), h, (old, now) -> now.eventTime().isBefore(old.eventTime()) ? old : now);
  }

  public void deadLetter(String component, String code) {
    String c = component == null ? "unknown" : labelValue(component);
    String r = code == null || code.isBlank() ? "unknown" : labelValue(code);
    if (!reasons.containsKey(r)) {
      if (reasons.size() >= MAX_REASONS) {
        r = "other";
      } else {
        reasons.put(r, Boolean.TRUE);
      }
    }
    deadLetters.labelValues(c, r).inc();
  }

  public void undecodable(String topic) {
    undecodable.labelValues(topic).inc();
  }

  /** The topics whose records this exporter decodes: their undecodable counters start at 0. */
  public void decodes(String... topics) {
    for (String topic : topics) {
      undecodable.initLabelValues(topic);
    }
  }

  /** A consumer's lag now, per topic; an empty map removes it. */
  public void lag(String consumer, Map<String, Long> perTopic) {
    if (perTopic.isEmpty()) {
      lag.remove(consumer);
    } else {
      lag.put(consumer, Map.copyOf(perTopic));
    }
  }

  /**
   * Observations the in-process sensors dropped instead of publishing, by why: {@code disk_full}
   * while the broker's disk has no room; {@code dropped} is read at each scrape.
   */
  public void droppedObservations(String reason, java.util.function.LongSupplier dropped) {
    CounterWithCallback.builder()
        .name("labwatch_arp_observations_dropped_total")
        .help(
            "ARP and IPv6 neighbour discovery packets the sensors of this process dropped instead"
                + " of publishing them, by why (disk_full: the broker's disk had no room)")
        .labelNames("reason")
        .callback(cb -> cb.call(dropped.getAsLong(), reason))
        .register(registry);
  }

  /** The Slack sink's deliveries, when it runs in this process. */
  public void slack(SlackCounts sink) {
    CounterWithCallback.builder()
        .name("labwatch_slack_deliveries_total")
        .help(
            "Alerts the Slack sink finished with: delivered (Slack took it, alone or in a digest),"
                + " dead_lettered (Slack refused it for good)")
        .labelNames("outcome")
        .callback(
            cb -> {
              cb.call(sink.delivered(), "delivered");
              cb.call(sink.deadLettered(), "dead_lettered");
            })
        .register(registry);
    CounterWithCallback.builder()
        .name("labwatch_slack_retries_total")
        .help("Calls to Slack that failed for now (429, 5xx, timeouts) and were tried again")
        .callback(cb -> cb.call(sink.retries()))
        .register(registry);
    CounterWithCallback.builder()
        .name("labwatch_slack_digests_total")
        .help("Digest messages sent instead of one message per alert, during storms")
        .callback(cb -> cb.call(sink.digests()))
        .register(registry);
  }
}
