package io.labwatch.events;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.kafka.common.serialization.Serdes;

/**
 * labwatch's topic catalogue, with one configurable name prefix ({@code labwatch.} by default).
 *
 * <ul>
 *   <li>{@link #arp()} — key: the IP address an observation is about, canonical text; value: a
 *       {@link SensorEvent} ({@link ArpObservation}, {@link Heartbeat} or {@link ArpProbe}); 30
 *       days.
 *   <li>{@link #snmp()} — key: {@code device/ifIndex} for {@link InterfaceCounters}, the sensor id
 *       for {@link Heartbeat}s (one copy to every partition); value: a {@link SensorEvent}; 30
 *       days. (The SNMP sensor's router ARP tables go to {@link #arp()}.)
 *   <li>{@link #host()} — key: the host name, for {@link HostMetrics} and the host sensor's {@link
 *       Heartbeat}s (one copy to every partition); value: a {@link SensorEvent}; 30 days.
 *   <li>{@link #alerts()} — key: the alert fingerprint {@code KIND:subject}; value: {@link Alert};
 *       compacted, and deleted after 365 days.
 *   <li>{@link #dlq()} — key and value: the original bytes of a record that could not be used, with
 *       {@link DeadLetters} headers saying why; 30 days.
 *   <li>{@link #inventory()} — key: a protected IP; value: {@link InventoryEntry}, null to remove;
 *       compacted, kept forever.
 *   <li>{@link #slackThreads()} — key: an incident id; value: {@link SlackThread}, where its Slack
 *       message is; compacted, deleted after 365 days.
 *   <li>{@link #silences()} — key: a silence's id; value: {@link Silence}, rewritten with an
 *       earlier end when it is ended early; compacted, kept forever (a few records a week: what was
 *       silenced, by whom and why stays readable).
 * </ul>
 */
public final class Topics {

  public static final String DEFAULT_PREFIX = "labwatch.";

  private static final Pattern LEGAL = Pattern.compile("[a-zA-Z0-9._-]*");
  private static final Duration MONTH = Duration.ofDays(30);
  private static final Duration YEAR = Duration.ofDays(365);

  private final String prefix;
  private final Topic<String, SensorEvent> arp;
  private final Topic<String, Alert> alerts;
  private final Topic<byte[], byte[]> dlq;
  private final Topic<String, InventoryEntry> inventory;
  private final Topic<String, SlackThread> slackThreads;
  private final Topic<String, Silence> silences;
  private final Topic<String, ProbeRequest> probeRequests;
  private final Topic<String, SensorEvent> snmp;
  private final Topic<String, SensorEvent> host;

  private final Map<String, Duration> retention;
  private final Map<String, Integer> partitions;

  /** The topics whose partition count is a setting: those keyed by address, host or device. */
  public static final List<String> SIZABLE = List.of("arp", "alerts", "snmp", "host");

  private Topics(String prefix, Map<String, Duration> retention) {
    this(prefix, retention, Map.of());
  }

  private Topics(String prefix, Map<String, Duration> retention, Map<String, Integer> partitions) {
    this.prefix = prefix;
    this.retention = Map.copyOf(retention);
    this.partitions = Map.copyOf(partitions);
    this.arp =
        new Topic<>(
            prefix + "arp",
            "arp",
            Serdes.String(),
            JsonSerde.of(SensorEvent.class),
            parts("arp", 3),
            keep("arp", MONTH),
            Topic.Cleanup.DELETE,
            "ARP and IPv6 neighbour discovery observations and sensor heartbeats, keyed by IP");
    this.alerts =
        new Topic<>(
            prefix + "alerts",
            "alerts",
            Serdes.String(),
            JsonSerde.of(Alert.class),
            parts("alerts", 3),
            keep("alerts", YEAR),
            Topic.Cleanup.COMPACT_DELETE,
            "alert lifecycle (FIRING, updates, RESOLVED), keyed by fingerprint");
    this.dlq =
        new Topic<>(
            prefix + "dlq",
            "dlq",
            Serdes.ByteArray(),
            Serdes.ByteArray(),
            1,
            keep("dlq", MONTH),
            Topic.Cleanup.DELETE,
            "records that could not be used, as they were, with the reason in headers");
    this.inventory =
        new Topic<>(
            prefix + "inventory",
            "inventory",
            Serdes.String(),
            JsonSerde.of(InventoryEntry.class),
            1,
            keep("inventory", Duration.ofMillis(-1)),
            Topic.Cleanup.COMPACT,
            "protected addresses and the MACs allowed to hold them, keyed by IP");
    this.slackThreads =
        new Topic<>(
            prefix + "slack-threads",
            "slack-threads",
            Serdes.String(),
            JsonSerde.of(SlackThread.class),
            1,
            keep("slack-threads", YEAR),
            Topic.Cleanup.COMPACT_DELETE,
            "where each incident's Slack message is, keyed by incident id");
    this.silences =
        new Topic<>(
            prefix + "silences",
            "silences",
            Serdes.String(),
            JsonSerde.of(Silence.class),
            1,
            keep("silences", Duration.ofMillis(-1)),
            Topic.Cleanup.COMPACT,
            "silences: which incidents not to announce, until when and why, keyed by id");
    this.probeRequests =
        new Topic<>(
            prefix + "probe-requests",
            "probe-requests",
            Serdes.String(),
            JsonSerde.of(ProbeRequest.class),
            1,
            keep("probe-requests", Duration.ofDays(1)),
            Topic.Cleanup.DELETE,
            "the detection asking ARP sensors to confirm a binding, keyed by IP");
    this.snmp =
        new Topic<>(
            prefix + "snmp",
            "snmp",
            Serdes.String(),
            JsonSerde.of(SensorEvent.class),
            parts("snmp", 3),
            keep("snmp", MONTH),
            Topic.Cleanup.DELETE,
            "interface counters polled by SNMP, keyed by device/ifIndex, and the SNMP sensor's"
                + " heartbeats");
    this.host =
        new Topic<>(
            prefix + "host",
            "host",
            Serdes.String(),
            JsonSerde.of(SensorEvent.class),
            parts("host", 3),
            keep("host", MONTH),
            Topic.Cleanup.DELETE,
            "servers' own metrics (CPU, memory, disks, network, TCP, GPUs) and the host sensors'"
                + " heartbeats, keyed by host name");
  }

  /**
   * The catalogue with a name prefix.
   *
   * @throws IllegalArgumentException when the prefix would make an illegal topic name
   */
  public static Topics withPrefix(String prefix) {
    if (prefix == null || !LEGAL.matcher(prefix).matches() || prefix.length() > 200) {
      throw new IllegalArgumentException(
          "topic prefix '"
              + prefix
              + "' is not usable: letters, digits, '.', '_' and '-' only, at most 200 characters");
    }
    return new Topics(prefix, Map.of());
  }

  /**
   * The same catalogue with other retentions, by short name ({@code arp: 60 days}); a negative
   * duration keeps records forever.
   *
   * @throws IllegalArgumentException for a name that is not one of labwatch's topics
   */
  public Topics withRetention(Map<String, Duration> retentions) {
    Topics plain = new Topics(prefix, Map.of());
    for (String name : retentions.keySet()) {
      if (plain.all().stream().noneMatch(t -> t.shortName().equals(name))) {
        throw new IllegalArgumentException(
            "'"
                + name
                + "' is not one of labwatch's topics ("
                + String.join(", ", plain.all().stream().map(Topic::shortName).toList())
                + ")");
      }
    }
    Map<String, Duration> merged = new java.util.HashMap<>(retention);
    merged.putAll(retentions);
    return new Topics(prefix, merged, partitions);
  }

  /**
   * The same catalogue with other partition counts, by short name ({@code arp: 6}); only the {@link
   * #SIZABLE} topics' count is a setting (the others are read whole, in order, by one reader).
   *
   * @throws IllegalArgumentException for another topic, or a count below 1
   */
  public Topics withPartitions(Map<String, Integer> counts) {
    counts.forEach(
        (name, n) -> {
          if (!SIZABLE.contains(name)) {
            throw new IllegalArgumentException(
                "'"
                    + name
                    + "': only these topics' partitions can be set: "
                    + String.join(", ", SIZABLE));
          }
          if (n == null || n < 1 || n > 1000) {
            throw new IllegalArgumentException(name + ": must be 1..1000 partitions, got " + n);
          }
        });
    Map<String, Integer> merged = new java.util.HashMap<>(partitions);
    merged.putAll(counts);
    return new Topics(prefix, retention, merged);
  }

  private int parts(String shortName, int byDefault) {
    return partitions.getOrDefault(shortName, byDefault);
  }

  private Duration keep(String shortName, Duration byDefault) {
    return retention.getOrDefault(shortName, byDefault);
  }

  public static Topics defaults() {
    return withPrefix(DEFAULT_PREFIX);
  }

  public String prefix() {
    return prefix;
  }

  public Topic<String, SensorEvent> arp() {
    return arp;
  }

  public Topic<String, Alert> alerts() {
    return alerts;
  }

  public Topic<byte[], byte[]> dlq() {
    return dlq;
  }

  public Topic<String, InventoryEntry> inventory() {
    return inventory;
  }

  public Topic<String, SlackThread> slackThreads() {
    return slackThreads;
  }

  public Topic<String, Silence> silences() {
    return silences;
  }

  public Topic<String, ProbeRequest> probeRequests() {
    return probeRequests;
  }

  public Topic<String, SensorEvent> snmp() {
    return snmp;
  }

  public Topic<String, SensorEvent> host() {
    return host;
  }

  public List<Topic<?, ?>> all() {
    return List.of(arp, alerts, dlq, inventory, slackThreads, probeRequests, snmp, host, silences);
  }

  /** The topic called {@code name}, given in full ({@code labwatch.alerts}) or short. */
  public Optional<Topic<?, ?>> find(String name) {
    return all().stream()
        .filter(t -> t.name().equals(name) || t.shortName().equals(name))
        .findFirst();
  }
}
