package io.labwatch.app.config;

import io.labwatch.app.broker.Quorum;
import io.labwatch.events.Topics;
import io.labwatch.producers.arp.ArpSensorConfig;
import io.labwatch.producers.host.HostSensorConfig;
import io.labwatch.producers.snmp.SnmpSensorConfig;
import io.labwatch.sinks.prometheus.MetricsConfig;
import io.labwatch.sinks.slack.SlackConfig;
import io.labwatch.streams.DetectionConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * labwatch's configuration: one YAML file, then {@code LABWATCH_*} environment variables, then
 * command-line flags; see {@code labwatch.example.yml} for every key with its default.
 *
 * <p>Each default is declared once, in code: {@link #defaults()} here for labwatch's own keys, and
 * each module's typed defaults for its section ({@link DetectionConfig#defaults()}, {@link
 * SlackConfig#off()}, {@link SnmpSensorConfig#defaults()}, {@link HostSensorConfig#defaults()}, the
 * {@code null} fallbacks of {@link ArpSensorConfig} and {@link MetricsConfig}). {@link
 * ConfigLoader} starts from {@link #defaults()}, so what ships is what the tests and benchmarks
 * run.
 *
 * @param dataDir where labwatch keeps its state (the embedded broker's log, later streams state)
 * @param broker the embedded broker
 * @param topics topic naming and creation
 * @param kafka Kafka client settings, passed to every client unchanged ({@code bootstrap.servers},
 *     TLS, SASL, ...); a {@code bootstrap.servers} here means an external cluster
 * @param sensor the sensors' settings
 * @param detection the detection's settings
 * @param slack the Slack sink's settings (off unless a webhook or bot token is set)
 * @param metrics the Prometheus sink's settings
 */
public record LabwatchConfig(
    Path dataDir,
    Broker broker,
    TopicSettings topics,
    Map<String, String> kafka,
    Sensors sensor,
    DetectionConfig detection,
    SlackConfig slack,
    Metrics metrics) {

  /** {@code dataDir}'s default, as written in a config file. */
  public static final String DEFAULT_DATA_DIR = "~/.local/share/labwatch";

  /** {@code sensor.arp.heartbeatInterval}'s default. */
  private static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(10);

  private static final Pattern SECRET_KAFKA_KEY =
      Pattern.compile(".*(password|secret|jaas|token|credential|\\.key$).*");

  public LabwatchConfig {
    if (dataDir == null) {
      throw new IllegalArgumentException("dataDir: is required");
    }
    kafka = kafka == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(kafka));
    if (sensor == null) {
      throw new IllegalArgumentException("sensor: is required");
    }
    if (detection == null) {
      throw new IllegalArgumentException("detection: is required");
    }
    slack = slack == null ? SlackConfig.off() : slack;
    metrics = metrics == null ? new Metrics(null, null) : metrics;
  }

  /** The built-in defaults: what labwatch runs with no file, environment or flags. */
  public static LabwatchConfig defaults() {
    return new LabwatchConfig(
        Paths.expand(DEFAULT_DATA_DIR),
        new Broker(Broker.DEFAULT_HOST, Broker.DEFAULT_PORT, Broker.DEFAULT_DISK_RESERVE_MB),
        new TopicSettings(Topics.DEFAULT_PREFIX, -1),
        Map.of(),
        // interfaces, sensorId and probe take the sensor's own defaults
        new Sensors(
            new ArpSensorConfig(
                null,
                true,
                null,
                DEFAULT_HEARTBEAT_INTERVAL,
                null,
                ArpSensorConfig.Confirm.defaults()),
            SnmpSensorConfig.defaults(),
            HostSensorConfig.defaults()),
        DetectionConfig.defaults(),
        SlackConfig.off(),
        new Metrics(null, null));
  }

  /**
   * The Prometheus sink ({@code metrics.*}).
   *
   * @param listen where /metrics listens, {@code HOST:PORT}
   * @param lagInterval how often consumer lag is looked up
   */
  public record Metrics(String listen, Duration lagInterval) {
    public Metrics {
      listen = listen == null || listen.isBlank() ? MetricsConfig.DEFAULT_LISTEN : listen.trim();
      // refuses a bad address now, naming the key; a null lagInterval takes the sink's default
      lagInterval = MetricsConfig.listen(listen, lagInterval).lagInterval();
    }

    public MetricsConfig sink() {
      return MetricsConfig.listen(listen, lagInterval);
    }
  }

  /**
   * The sensors, one section each.
   *
   * @param arp the ARP sensor
   * @param snmp the SNMP sensor (polls nothing until it has devices)
   * @param host the host sensor (this box's own metrics; on in {@code labwatch run} by default)
   */
  public record Sensors(ArpSensorConfig arp, SnmpSensorConfig snmp, HostSensorConfig host) {
    public Sensors {
      if (arp == null) {
        throw new IllegalArgumentException("arp: is required");
      }
      snmp = snmp == null ? SnmpSensorConfig.defaults() : snmp;
      host = host == null ? HostSensorConfig.defaults() : host;
    }
  }

  /**
   * The embedded broker.
   *
   * @param host the address it listens on
   * @param port its port; 0 picks a free one
   * @param diskReserveMb free space (MiB) the data dir keeps for Kafka: below it labwatch stops
   *     writing (drops observations, pauses the detection) before Kafka runs out of disk; 0 turns
   *     the guard off
   * @param advertisedHost the address clients are told to connect to, when not the one it listens
   *     on (a broker in a container, its port published on the host's 127.0.0.1); null: that one
   * @param nodeId this node's id in a cluster of several ({@code labwatch broker}); 1 alone
   * @param voters the cluster's controllers, {@code 1@host1:9093,2@host2:9093,3@host3:9093}; empty:
   *     this node alone
   * @param clusterId the cluster's id; empty: derived from the voters (the same on every node)
   */
  public record Broker(
      String host,
      int port,
      long diskReserveMb,
      String advertisedHost,
      int nodeId,
      String voters,
      String clusterId) {

    public Broker(String host, int port, long diskReserveMb) {
      this(host, port, diskReserveMb, null, 1, "", "");
    }

    /** {@code broker.host}'s default. */
    public static final String DEFAULT_HOST = "127.0.0.1";

    /** {@code broker.port}'s default. */
    public static final int DEFAULT_PORT = 9092;

    /**
     * {@code broker.diskReserveMb}'s default: room for Kafka's own writes (its metadata log, index
     * files of new segments, offset commits) for hours after labwatch stops writing.
     */
    public static final long DEFAULT_DISK_RESERVE_MB = 128;

    public Broker {
      if (diskReserveMb < 0) {
        throw new IllegalArgumentException(
            "diskReserveMb: must be >= 0 (0 turns the disk guard off), got " + diskReserveMb);
      }
      if (host == null || host.isBlank()) {
        throw new IllegalArgumentException("host: must not be empty");
      }
      advertisedHost =
          advertisedHost == null || advertisedHost.isBlank() ? null : advertisedHost.strip();
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException(
            "port: must be 0..65535 (0 picks a free port), got " + port);
      }
      voters = voters == null ? "" : voters.strip();
      clusterId = clusterId == null ? "" : clusterId.strip();
      nodeId = nodeId == 0 ? 1 : nodeId;
      quorum(nodeId, voters, clusterId); // (the checks)
    }

    /** Which cluster this broker is a node of. */
    public Quorum quorum() {
      return quorum(nodeId, voters, clusterId);
    }

    private static Quorum quorum(int nodeId, String voters, String clusterId) {
      return new Quorum(nodeId, Quorum.parse(voters), clusterId);
    }

    /** {@link #diskReserveMb} in bytes. */
    public long diskReserveBytes() {
      return diskReserveMb * 1024 * 1024;
    }

    public String address() {
      return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
  }

  /**
   * Topic naming and creation.
   *
   * @param prefix prepended to every topic name
   * @param replicationFactor replicas per partition for topics labwatch creates; -1 takes the
   *     broker's default
   * @param retention how long a topic keeps records, by short name ({@code arp: 60d}), where it
   *     should differ from the catalogue's (30 days for observations, a year for alerts)
   * @param partitions partitions of new topics, by short name ({@code arp: 6}), where they should
   *     differ from the catalogue's 3; only arp, alerts, snmp and host
   */
  public record TopicSettings(
      String prefix,
      int replicationFactor,
      Map<String, String> retention,
      Map<String, Integer> partitions) {
    public TopicSettings(String prefix, int replicationFactor) {
      this(prefix, replicationFactor, Map.of(), Map.of());
    }

    public TopicSettings {
      if (prefix == null) {
        prefix = "";
      }
      retention = retention == null ? Map.of() : Map.copyOf(retention);
      partitions = partitions == null ? Map.of() : Map.copyOf(partitions);
      try {
        Topics.defaults().withPartitions(partitions);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("partitions: " + e.getMessage(), e);
      }
      try {
        Topics.withPrefix(prefix);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("prefix: " + e.getMessage(), e);
      }
      try {
        Topics.defaults().withRetention(retentions(retention));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("retention: " + e.getMessage(), e);
      }
      if (replicationFactor == 0 || replicationFactor < -1 || replicationFactor > Short.MAX_VALUE) {
        throw new IllegalArgumentException(
            "replicationFactor: must be -1 (one replica per broker, up to 3) or >= 1, got "
                + replicationFactor);
      }
    }

    /** The retentions as durations ("60d"; "forever" or -1 keeps records forever). */
    static Map<String, java.time.Duration> retentions(Map<String, String> byName) {
      Map<String, java.time.Duration> out = new java.util.TreeMap<>();
      byName.forEach(
          (name, text) -> {
            String t = text == null ? "" : text.strip();
            if (t.equals("forever") || t.equals("-1")) {
              out.put(name, java.time.Duration.ofMillis(-1));
              return;
            }
            java.time.Duration d;
            try {
              d = Durations.parse(t);
            } catch (IllegalArgumentException e) {
              throw new IllegalArgumentException(
                  name + ": '" + text + "' is not a duration (30d, 12h) or forever");
            }
            if (d.isZero() || d.isNegative()) {
              throw new IllegalArgumentException(name + ": must be more than 0, got " + text);
            }
            out.put(name, d);
          });
      return out;
    }
  }

  public Topics catalogue() {
    return Topics.withPrefix(topics.prefix())
        .withRetention(TopicSettings.retentions(topics.retention()))
        .withPartitions(topics.partitions());
  }

  /** The external cluster's bootstrap servers, when one is configured. */
  public Optional<String> externalBootstrapServers() {
    return Optional.ofNullable(kafka.get("bootstrap.servers")).filter(s -> !s.isBlank());
  }

  /** Where clients connect: the external cluster, else the (local) embedded broker's address. */
  public String bootstrapServers() {
    return externalBootstrapServers().orElse(broker.address());
  }

  /** Every Kafka client setting, with {@code bootstrap.servers} set to {@code bootstrap}. */
  public Map<String, Object> kafkaClientProperties(String bootstrap) {
    Map<String, Object> props = new HashMap<>(kafka);
    props.put("bootstrap.servers", bootstrap);
    return props;
  }

  public Map<String, Object> kafkaClientProperties() {
    return kafkaClientProperties(bootstrapServers());
  }

  /** Kafka settings whose values are credentials (passwords, JAAS configs, tokens, keys). */
  public static boolean isSecretKafkaKey(String key) {
    return SECRET_KAFKA_KEY.matcher(key).matches();
  }

  @Override
  public String toString() {
    Map<String, String> shown = new TreeMap<>();
    kafka.forEach((k, v) -> shown.put(k, isSecretKafkaKey(k) ? "[secret]" : v));
    return "LabwatchConfig[dataDir="
        + dataDir
        + ", broker="
        + broker
        + ", topics="
        + topics
        + ", kafka="
        + shown
        + ", sensor="
        + sensor
        + ", detection="
        + detection
        + ", slack="
        + slack
        + ", metrics="
        + metrics
        + "]";
  }
}
