package io.labwatch.sinks.prometheus;

import io.labwatch.events.Alert;
import io.labwatch.events.ArpObservation;
import io.labwatch.events.DeadLetters;
import io.labwatch.events.Heartbeat;
import io.labwatch.events.JsonSerde;
import io.labwatch.events.LabwatchException;
import io.labwatch.events.PortOwner;
import io.labwatch.events.SensorEvent;
import io.labwatch.events.Topics;
import io.labwatch.sinks.Health;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import java.io.IOException;
import java.net.BindException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Prometheus sink: reads the alerts, ARP and dead-letter topics into {@link LabwatchMetrics}
 * and serves them on {@code /metrics}, with {@code /-/healthy} for liveness.
 *
 * <p>It keeps no consumer group and commits nothing: on every start it rebuilds the set of firing
 * incidents from the (compacted) alerts topic before it serves a single scrape, so /metrics shows
 * exactly what fires — neither nothing, nor incidents that resolved while it was down. Sensors'
 * last heartbeats come from the last {@link #HEARTBEAT_LOOKBACK} of the ARP topic. Counters count
 * what happens from the start on.
 */
public final class PrometheusSink implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(PrometheusSink.class);

  /** How far back the ARP topic is read on start, for each sensor's last heartbeat. */
  public static final Duration HEARTBEAT_LOOKBACK = Duration.ofMinutes(5);

  private static final Duration CATCH_UP_LIMIT = Duration.ofSeconds(120);

  private final Topics topics;
  private final LabwatchMetrics metrics;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Admin admin;
  private final Map<String, String> lagGroups;
  private final ScheduledExecutorService lagPoller;
  private final JsonSerde<Alert> alertSerde = JsonSerde.of(Alert.class);
  private final JsonSerde<SensorEvent> sensorSerde = JsonSerde.of(SensorEvent.class);
  private final Thread thread;
  private final Set<String> undecodableLogged = ConcurrentHashMap.newKeySet();
  private final Set<String> lagProblems = ConcurrentHashMap.newKeySet();
  private final Duration lagInterval;

  /** Per partition: records before this offset were there before the start, and are not counted. */
  private final Map<TopicPartition, Long> countFrom = new HashMap<>();

  private HTTPServer server;
  private volatile boolean stopped;
  private volatile String failure;

  private PrometheusSink(
      Topics topics,
      Map<String, Object> clientProperties,
      LabwatchMetrics metrics,
      Map<String, String> lagGroups,
      Duration lagInterval) {
    this.topics = topics;
    this.lagInterval = lagInterval;
    this.metrics = metrics;
    this.lagGroups = Map.copyOf(lagGroups);
    Map<String, Object> c = new HashMap<>(clientProperties);
    c.remove(ConsumerConfig.GROUP_ID_CONFIG);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
    c.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "labwatch-prometheus");
    this.consumer =
        new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    Map<String, Object> a = new HashMap<>(clientProperties);
    a.putIfAbsent("client.id", "labwatch-prometheus-lag");
    this.admin = Admin.create(a);
    this.lagPoller =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "labwatch-prometheus-lag");
              t.setDaemon(true);
              return t;
            });
    this.thread = new Thread(this::run, "labwatch-prometheus-sink");
  }

  /**
   * Rebuilds what is firing from the alerts topic, then serves /metrics; returns once it serves.
   *
   * @param lagGroups consumer name in the metric (e.g. {@code detect}) to its Kafka consumer group
   */
  public static PrometheusSink start(
      MetricsConfig config,
      Topics topics,
      Map<String, Object> clientProperties,
      LabwatchMetrics metrics,
      Health health,
      Map<String, String> lagGroups) {
    PrometheusSink sink =
        new PrometheusSink(topics, clientProperties, metrics, lagGroups, config.lagInterval());
    try {
      sink.catchUp();
      sink.server = serve(config, metrics, health);
    } catch (RuntimeException e) {
      sink.closeClients();
      throw e;
    }
    health.register("prometheus sink", () -> sink.failure);
    sink.thread.start();
    sink.lagPoller.scheduleWithFixedDelay(
        sink::pollLag, 0, config.lagInterval().toMillis(), TimeUnit.MILLISECONDS);
    log.info(
        "serving metrics on http://{}/metrics ({} incident(s) firing)",
        config.address(),
        metrics.firingCount());
    return sink;
  }

  /**
   * Reads the topics once into {@code metrics} — what fires, the sensors' last heartbeats, the
   * consumers' lag — without serving anything: what {@code labwatch status} shows.
   */
  public static void readOnce(
      Topics topics,
      Map<String, Object> clientProperties,
      LabwatchMetrics metrics,
      Map<String, String> lagGroups) {
    PrometheusSink sink =
        new PrometheusSink(topics, clientProperties, metrics, lagGroups, Duration.ofMinutes(1));
    try {
      sink.catchUp();
      sink.pollLag();
    } finally {
      sink.closeClients();
    }
  }

  /** The port /metrics listens on (the chosen one when configured as 0). */
  public int port() {
    return server.getPort();
  }

  /**
   * Serves {@code metrics} on /metrics and {@code health} on /-/healthy, nothing read from Kafka:
   * for a process that runs one part alone (labwatch sink slack --metrics-listen).
   */
  public static HTTPServer serve(MetricsConfig config, LabwatchMetrics metrics, Health health) {
    try {
      return HTTPServer.builder()
          .hostname(config.host())
          .port(config.port())
          .registry(metrics.registry())
          .registerHealthHandler(false)
          .defaultHandler(new HealthHandler(health))
          .buildAndStart();
    } catch (BindException e) {
      String owner = PortOwner.describe(config.port()).map(o -> " by " + o).orElse("");
      throw new LabwatchException(
          "port "
              + config.port()
              + " on "
              + config.host()
              + " is already in use"
              + owner
              + " — stop it, or choose another address for /metrics (metrics.listen)",
          e);
    } catch (IOException e) {
      throw new LabwatchException(
          "cannot serve metrics on " + config.address() + ": " + e.getMessage(), e);
    }
  }

  /** Positions every partition, then reads up to where the topics ended at the start. */
  private void catchUp() {
    List<TopicPartition> alerts = partitions(topics.alerts().name());
    List<TopicPartition> arp = partitions(topics.arp().name());
    List<TopicPartition> dlq = partitions(topics.dlq().name());
    List<TopicPartition> all = new ArrayList<>();
    all.addAll(alerts);
    all.addAll(arp);
    all.addAll(dlq);
    Map<TopicPartition, Long> ends = consumer.endOffsets(all, Duration.ofSeconds(30));
    countFrom.putAll(ends);
    consumer.assign(all);
    consumer.seekToBeginning(alerts);
    long since = Instant.now().minus(HEARTBEAT_LOOKBACK).toEpochMilli();
    Map<TopicPartition, Long> query = new HashMap<>();
    arp.forEach(p -> query.put(p, since));
    Map<TopicPartition, OffsetAndTimestamp> found =
        consumer.offsetsForTimes(query, Duration.ofSeconds(30));
    for (TopicPartition p : arp) {
      OffsetAndTimestamp at = found.get(p);
      consumer.seek(p, at == null ? ends.get(p) : at.offset());
    }
    dlq.forEach(p -> consumer.seek(p, ends.get(p)));
    long deadline = System.nanoTime() + CATCH_UP_LIMIT.toNanos();
    long read = 0;
    while (!caughtUp(ends)) {
      if (System.nanoTime() > deadline) {
        log.warn(
            "still rebuilding the firing incidents after {} s ({} records read); serving /metrics"
                + " now, the rest follows",
            CATCH_UP_LIMIT.toSeconds(),
            read);
        break;
      }
      ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
      read += records.count();
      // history: of an incident's records only the last one in a batch matters for what fires
      // now (records of one key are in one partition, in order), so the others are not decoded
      Map<KeyOf, ConsumerRecord<byte[], byte[]>> last = new LinkedHashMap<>();
      for (ConsumerRecord<byte[], byte[]> r : records) {
        if (!counted(r) && r.key() != null && r.topic().equals(topics.alerts().name())) {
          KeyOf k = new KeyOf(r.partition(), ByteBuffer.wrap(r.key()));
          last.remove(k); // keeps the order of the last occurrence
          last.put(k, r);
        } else {
          handle(r);
        }
      }
      last.values().forEach(this::handle);
    }
    log.debug("caught up with {} records", read);
  }

  private record KeyOf(int partition, ByteBuffer key) {}

  private boolean caughtUp(Map<TopicPartition, Long> ends) {
    for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
      if (consumer.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  private List<TopicPartition> partitions(String topic) {
    var info = consumer.partitionsFor(topic, Duration.ofSeconds(30));
    if (info == null || info.isEmpty()) {
      throw new LabwatchException(
          "topic " + topic + " does not exist — create labwatch's topics with: labwatch topics");
    }
    return info.stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
  }

  private void run() {
    try {
      while (!stopped) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(500));
        records.forEach(this::handle);
        ownLag();
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      failure = "stopped reading Kafka: " + e;
      log.error("the Prometheus sink stopped reading Kafka: {}", e.toString(), e);
    } finally {
      consumer.close();
    }
  }

  /** Whether a record came after the start (counted), or was history (only rebuilds state). */
  private boolean counted(ConsumerRecord<byte[], byte[]> r) {
    return r.offset() >= countFrom.getOrDefault(new TopicPartition(r.topic(), r.partition()), 0L);
  }

  private void handle(ConsumerRecord<byte[], byte[]> r) {
    boolean count = counted(r);
    String topic = r.topic();
    try {
      if (topic.equals(topics.alerts().name())) {
        String key = r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
        Alert a = alertSerde.deserialize(topic, r.value());
        metrics.alert(key != null ? key : a == null ? "" : a.fingerprint(), a, count);
      } else if (topic.equals(topics.arp().name())) {
        SensorEvent e = sensorSerde.deserialize(topic, r.value());
        if (e instanceof Heartbeat h) {
          metrics.heartbeat(h);
        } else if (e instanceof ArpObservation o && count) {
          metrics.observation(o);
        }
      } else if (topic.equals(topics.dlq().name()) && count) {
        metrics.deadLetter(header(r, DeadLetters.COMPONENT), header(r, DeadLetters.CODE));
      }
    } catch (RuntimeException e) {
      metrics.undecodable(topic);
      if (undecodableLogged.add(topic)) {
        log.warn(
            "a record at {}-{}@{} cannot be decoded and is left out of the metrics: {} (further"
                + " ones are counted in labwatch_metrics_undecodable_records_total)",
            r.topic(),
            r.partition(),
            r.offset(),
            e.getMessage());
      }
    }
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    Header h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  private void ownLag() {
    Map<String, Long> perTopic = new HashMap<>();
    for (TopicPartition p : consumer.assignment()) {
      consumer.currentLag(p).ifPresent(n -> perTopic.merge(p.topic(), n, Long::sum));
    }
    metrics.lag("prometheus", perTopic);
  }

  /** The committed offsets of the other consumers against the topics' ends, from the broker. */
  private void pollLag() {
    for (Map.Entry<String, String> g : lagGroups.entrySet()) {
      try {
        Map<TopicPartition, OffsetAndMetadata> committed =
            new HashMap<>(
                admin
                    .listConsumerGroupOffsets(g.getValue())
                    .partitionsToOffsetAndMetadata()
                    .get(10, TimeUnit.SECONDS));
        committed.values().removeIf(o -> o == null);
        if (committed.isEmpty()) {
          metrics.lag(g.getKey(), Map.of());
          continue;
        }
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        committed.keySet().forEach(p -> latest.put(p, OffsetSpec.latest()));
        var ends =
            admin
                .listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
                .all()
                .get(10, TimeUnit.SECONDS);
        Map<String, Long> perTopic = new HashMap<>();
        committed.forEach(
            (p, o) -> {
              var end = ends.get(p);
              if (end != null) {
                perTopic.merge(p.topic(), Math.max(0, end.offset() - o.offset()), Long::sum);
              }
            });
        metrics.lag(g.getKey(), perTopic);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (Exception e) {
        if (lagProblems.add(g.getKey())) {
          log.warn(
              "cannot look up the lag of consumer group {}: {} (tried again every {} s)",
              g.getValue(),
              e.toString(),
              lagInterval.toSeconds());
        }
        continue;
      }
      lagProblems.remove(g.getKey());
    }
  }

  @Override
  public void close() {
    stopped = true;
    consumer.wakeup();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (server != null) {
      server.close();
    }
    lagPoller.shutdownNow();
    admin.close(Duration.ofSeconds(5));
  }

  private void closeClients() {
    consumer.close();
    lagPoller.shutdownNow();
    admin.close(Duration.ofSeconds(5));
  }
}
