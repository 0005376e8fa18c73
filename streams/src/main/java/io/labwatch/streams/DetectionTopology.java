package io.labwatch.streams;

import io.labwatch.events.Alert;
import io.labwatch.events.InventoryEntry;
import io.labwatch.events.IpAddress;
import io.labwatch.events.JsonSerde;
import io.labwatch.events.ProbeRequest;
import io.labwatch.events.SensorEvent;
import io.labwatch.events.Topics;
import io.labwatch.streams.health.IpSignal;
import io.labwatch.streams.health.Reachability;
import io.labwatch.streams.impostors.Claim;
import io.labwatch.streams.impostors.ImpostorSupplier;
import io.labwatch.streams.internal.CommitWhenCaughtUp;
import io.labwatch.streams.internal.DeadLetterHandler;
import io.labwatch.streams.internal.DetectionSupplier;
import io.labwatch.streams.internal.HealthSuppliers;
import io.labwatch.streams.internal.LabRocksDb;
import io.labwatch.streams.internal.NoTombstones;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

/**
 * The detection: one Kafka Streams topology from the {@code arp} topic to the {@code alerts} topic.
 *
 * <pre>
 *   arp (key: IP; SensorEvent) ──▶ detect ──┬──▶ alerts (key: KIND:subject; Alert)
 *      │  stores: ip-state, timers,       ├──▶ probe-requests (key: IP; ProbeRequest) ──▶ sensors
 *      │  sensors, meta                   └──▶ claims (repartition, key: MAC; Claim)
 *      │                                            └──▶ impostors ──▶ alerts
 *      └◀── sensors' probes and the answers they draw       store: impostors
 *   inventory (key: IP) ──▶ global table "inventory"
 *
 *   host (key: host; HostMetrics, ProbeResult) ──▶ host-health ──▶ alerts (LOAD_SPIKE, INTERFACE_ERRORS)
 *      store: host-health                      └──▶ health-by-ip (repartition, key: IP; IpSignal)
 *   snmp (key: device/ifIndex) ──▶ interface-health ──▶ alerts (LOAD_SPIKE, INTERFACE_ERRORS, LINK_*)
 *   detect's and impostors' IP_CONFLICT, MAC_CHANGED, ADDRESS_SPOOF ──▶ health-by-ip
 *   health-by-ip ──▶ correlation (store: ip-health) ──▶ alerts (SERVICE_UNREACHABLE, and the
 *                                                         binding incidents told with their symptom)
 * </pre>
 *
 * An {@code arp} key is an IP in the default segment and {@code IP%segment} elsewhere ({@code
 * 10.77.0.10%vlan20}, {@link io.labwatch.events.Segments}): the per-IP state is per segment and IP.
 *
 * <p>IP conflicts go through the per-MAC impostor rules on their way to the alerts, so that those
 * one man in the middle explains are told as one ARP_POISONING; every other alert goes straight
 * out.
 *
 * <p>Records that cannot be decoded go to the {@code dlq} topic (with labwatch's headers) and
 * processing goes on. Exactly-once: every alert is committed together with the input offsets and
 * state changes that caused it.
 */
public final class DetectionTopology {

  // The processor owns its stores and their names (DetectionSupplier); they are here for whoever
  // queries a running detection's stores
  public static final String IP_STATE_STORE = DetectionSupplier.IP_STATE_STORE;
  public static final String TIMER_STORE = DetectionSupplier.TIMER_STORE;
  public static final String SENSOR_STORE = DetectionSupplier.SENSOR_STORE;
  public static final String META_STORE = DetectionSupplier.META_STORE;
  public static final String INVENTORY_STORE = DetectionSupplier.INVENTORY_STORE;

  /** How long Kafka Streams sleeps between its checks that the internal topics it made exist. */
  static final long INTERNAL_TOPICS_CHECK_MS = 25;

  /** Kafka Streams' {@code poll.ms} here (see {@link #properties}). */
  static final long POLL_MS = 20;

  private DetectionTopology() {}

  /** The whole topology. */
  public static Topology build(Topics topics, DetectionConfig config) {
    StreamsBuilder builder = new StreamsBuilder();
    builder.globalTable(
        topics.inventory().name(),
        Consumed.with(topics.inventory().keySerde(), topics.inventory().valueSerde())
            .withName("inventory-source"),
        // In memory: the inventory is a config file's worth of entries, rebuilt from its compacted
        // topic at every start, and it is read for every observation — where a RocksDB lookup of
        // an address that is not in it costs a C++ exception inside RocksDB's JNI get
        Materialized.<String, InventoryEntry>as(Stores.inMemoryKeyValueStore(INVENTORY_STORE))
            .withKeySerde(topics.inventory().keySerde())
            .withValueSerde(topics.inventory().valueSerde())
            .withCachingDisabled());
    KStream<String, Object> detected =
        builder.<String, SensorEvent>stream(
                topics.arp().name(),
                Consumed.with(topics.arp().keySerde(), NoTombstones.of(topics.arp().valueSerde()))
                    .withName("arp-source"))
            .process(
                CommitWhenCaughtUp.of(new DetectionSupplier(config, topics.arp().partitions())),
                Named.as("detect"));
    KStream<String, Alert> detectAlerts =
        detected
            .filter((k, v) -> v instanceof Alert, Named.as("alerts-of-detect"))
            .mapValues(v -> (Alert) v, Named.as("as-alerts"));
    // binding incidents of an address go to the correlation, which tells their later records with
    // the symptoms the address shows; their first record, and everything else, straight out
    detectAlerts
        .filter((k, a) -> !throughCorrelation(a), Named.as("alerts-direct"))
        .to(
            topics.alerts().name(),
            Produced.<String, Alert>with(topics.alerts().keySerde(), topics.alerts().valueSerde())
                .withName("alerts-sink"));
    detected
        .filter((k, v) -> v instanceof ProbeRequest, Named.as("probe-requests-of-detect"))
        .mapValues(v -> (ProbeRequest) v, Named.as("as-probe-requests"))
        .to(
            topics.probeRequests().name(),
            Produced.<String, ProbeRequest>with(
                    topics.probeRequests().keySerde(), topics.probeRequests().valueSerde())
                .withName("probe-requests-sink"));
    KStream<String, Alert> impostorAlerts =
        detected
            .filter((k, v) -> v instanceof Claim, Named.as("claims-of-detect"))
            .mapValues(v -> (Claim) v, Named.as("as-claims"))
            .repartition(
                Repartitioned.<String, Claim>with(Serdes.String(), JsonSerde.of(Claim.class))
                    .withName("claims"))
            .process(
                CommitWhenCaughtUp.of(new ImpostorSupplier(config, INVENTORY_STORE)),
                Named.as("impostors"));
    impostorAlerts
        .filter((k, a) -> !throughCorrelation(a), Named.as("impostor-alerts-direct"))
        .to(
            topics.alerts().name(),
            Produced.<String, Alert>with(topics.alerts().keySerde(), topics.alerts().valueSerde())
                .withName("impostor-alerts-sink"));

    // The health rules: host metrics and probe results, interface counters
    KStream<String, Object> hosts =
        builder.<String, SensorEvent>stream(
                topics.host().name(),
                Consumed.with(topics.host().keySerde(), NoTombstones.of(topics.host().valueSerde()))
                    .withName("host-source"))
            .process(CommitWhenCaughtUp.of(HealthSuppliers.hosts(config)), Named.as("host-health"));
    hosts
        .filter((k, v) -> v instanceof Alert, Named.as("alerts-of-host-health"))
        .mapValues(v -> (Alert) v, Named.as("as-host-alerts"))
        .to(
            topics.alerts().name(),
            Produced.<String, Alert>with(topics.alerts().keySerde(), topics.alerts().valueSerde())
                .withName("host-alerts-sink"));
    builder.<String, SensorEvent>stream(
            topics.snmp().name(),
            Consumed.with(topics.snmp().keySerde(), NoTombstones.of(topics.snmp().valueSerde()))
                .withName("snmp-source"))
        .process(
            CommitWhenCaughtUp.of(HealthSuppliers.interfaces(config)), Named.as("interface-health"))
        .to(
            topics.alerts().name(),
            Produced.<String, Alert>with(topics.alerts().keySerde(), topics.alerts().valueSerde())
                .withName("interface-alerts-sink"));

    // The correlation, per IP address: probes, binding incidents, the load of the address's host
    KStream<String, IpSignal> signals =
        hosts
            .filter((k, v) -> v instanceof IpSignal, Named.as("signals-of-host-health"))
            .mapValues(v -> (IpSignal) v, Named.as("as-signals"))
            .merge(
                detectAlerts
                    .filter((k, a) -> toCorrelation(a), Named.as("incidents-of-detect"))
                    .merge(
                        impostorAlerts.filter(
                            (k, a) -> toCorrelation(a), Named.as("incidents-of-impostors")),
                        Named.as("incidents"))
                    .map(
                        (k, a) -> KeyValue.pair(a.subject(), IpSignal.of(a)),
                        Named.as("incidents-by-ip")),
                Named.as("signals"));
    signals
        .repartition(
            Repartitioned.<String, IpSignal>with(Serdes.String(), JsonSerde.of(IpSignal.class))
                .withName("health-by-ip"))
        .process(
            CommitWhenCaughtUp.of(HealthSuppliers.correlation(config)), Named.as("correlation"))
        .to(
            topics.alerts().name(),
            Produced.<String, Alert>with(topics.alerts().keySerde(), topics.alerts().valueSerde())
                .withName("correlated-alerts-sink"));
    return builder.build();
  }

  /**
   * A binding incident of one address: the correlation hears of it. Not one of an address outside
   * the default segment ({@code 10.77.0.10%vlan20}): hosts report their addresses without a
   * segment, so a host's load and probes belong to the default segment's address.
   */
  static boolean toCorrelation(Alert a) {
    return Reachability.BINDING_KINDS.contains(a.kind()) && isAddress(a.subject());
  }

  /** ... and tells it, when it is not its first record (which goes straight out, for speed). */
  static boolean throughCorrelation(Alert a) {
    return toCorrelation(a) && !Reachability.toldDirectly(a);
  }

  private static boolean isAddress(String s) {
    try {
      IpAddress.of(s);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * The Streams settings: exactly-once, dead letters to the {@code dlq} topic, state under {@code
   * stateDir}, and every Kafka client setting passed through.
   */
  public static Properties properties(
      DetectionConfig config, Topics topics, Map<String, Object> clientProperties, Path stateDir) {
    Map<String, Object> p = new HashMap<>(clientProperties);
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    p.putIfAbsent(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, LabRocksDb.class);
    p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class);
    DeadLetterHandler.addCounter(p);
    p.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, topics.dlq().name());
    // Kafka 4.x's opt-in (default from 5.0; the constant itself is already deprecated)
    p.put("processing.exception.handler.global.enabled", true);
    // ... and again for the main consumer: its partition assignor reads the Streams settings from
    // the consumer's, and Kafka 4.3 warns there, unconditionally, when the key is missing (a WARN
    // at every start otherwise)
    p.put(StreamsConfig.mainConsumerPrefix("processing.exception.handler.global.enabled"), true);
    // Exactly-once commits cost a transaction each and end the record cache's deduplication of
    // state writes; live alerts ask for a commit of their own at once (DetectionProcessor.emit)
    p.putIfAbsent(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 1000);
    // The restore consumer long-polls the changelogs at start; an empty or fully read changelog is
    // recognised only when a fetch returns, by default after 500 ms — per task, one after another,
    // which delays RUNNING by that per task (BENCHMARKS.md, detection). It is idle (paused) once
    // tasks are running.
    p.putIfAbsent(StreamsConfig.restoreConsumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG), 20);
    // A first start creates the repartition and changelog topics and then checks, sleeping
    // retry.backoff.ms (100 ms) between checks, until each is there: some eight sleeps, 0.8 s of a
    // fresh start on the embedded broker. The check is the main consumer's partition assignor's,
    // and reads the main consumer's setting: 25 ms there (its own retries back off exponentially
    // from it, up to retry.backoff.max.ms, 1 s); the other clients keep the default. A
    // retry.backoff.ms in the kafka section stays everyone's. Not less: the main consumer's
    // heartbeat thread wakes every retry.backoff.ms for good — at 10 ms that was 5 ms of CPU a
    // second of an idle labwatch run (BENCHMARKS.md, start-up).
    if (!p.containsKey(CommonClientConfigs.RETRY_BACKOFF_MS_CONFIG)) {
      p.putIfAbsent(
          StreamsConfig.mainConsumerPrefix(CommonClientConfigs.RETRY_BACKOFF_MS_CONFIG),
          INTERNAL_TOPICS_CHECK_MS);
    }
    // How long the stream thread's poll, and the state updater's poll of the changelogs, wait for
    // records (Kafka Streams' default is 100 ms). Restoring at start, each batch of tasks waits one
    // whole poll even when its changelogs are empty — 0.7 s of a fresh start's 1.1 s to RUNNING in
    // 100 ms polls; and an idle thread runs its wall-clock checks (CommitWhenCaughtUp) only between
    // polls. An idle thread then wakes 50 times a second instead of 10 (BENCHMARKS.md: its CPU).
    p.putIfAbsent(StreamsConfig.POLL_MS_CONFIG, POLL_MS);
    // every partition's addresses are independent: never hold one back waiting for another's data
    p.putIfAbsent(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, -1L);
    // (no store uses Kafka Streams' record cache: the two written often buffer on their own,
    // WriteBehindStore)
    p.putIfAbsent(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0L);
    Properties props = new Properties();
    props.putAll(p);
    return props;
  }
}
