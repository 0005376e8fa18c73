package io.labwatch.sinks.prometheus;

import io.labwatch.events.Alert;
import io.labwatch.events.ArpObservation;
import io.labwatch.events.DeadLetters;
import io.labwatch.events.Heartbeat;
import io.labwatch.events.JsonSerde;
import io.labwatch.events.LabwatchException;
import io.labwatch.events.SensorEvent;
import io.labwatch.events.Silence;
import io.labwatch.events.Topics;
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
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the alerts, ARP, host and dead-letter topics into {@link LabwatchMetrics}: the alerts topic
 * (key: the alert's fingerprint; value: {@link Alert}, null a tombstone) from its beginning, to
 * rebuild what fires; the ARP topic (key: IP address; value: {@link SensorEvent}) from {@link
 * #HEARTBEAT_LOOKBACK} ago, for each sensor's last heartbeat; the host topic from as long ago, for
 * each host sensor's; the silences topic (key: a silence's id; value: {@link Silence}, null a
 * tombstone) from its beginning, for which incidents are silenced; the dead-letter topic (key and
 * value: the original bytes; why in its headers) from its end. Records that were there before the
 * start only rebuild state; counters count what comes after.
 *
 * <p>It keeps no consumer group and commits nothing. Not thread-safe: one thread reads.
 */
public final class MetricsFeed implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(MetricsFeed.class);

  /** How far back the ARP topic is read on start, for each sensor's last heartbeat. */
  public static final Duration HEARTBEAT_LOOKBACK = Duration.ofMinutes(5);

  private static final Duration CATCH_UP_LIMIT = Duration.ofSeconds(120);

  private final Topics topics;
  private final LabwatchMetrics metrics;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final JsonSerde<Alert> alertSerde = JsonSerde.of(Alert.class);
  private final JsonSerde<SensorEvent> sensorSerde = JsonSerde.of(SensorEvent.class);
  private final JsonSerde<Silence> silenceSerde = JsonSerde.of(Silence.class);
  private final Set<String> undecodableLogged = ConcurrentHashMap.newKeySet();

  /** Per partition: records before this offset were there before the start, and are not counted. */
  private final Map<TopicPartition, Long> countFrom = new HashMap<>();

  MetricsFeed(Topics topics, Map<String, Object> clientProperties, LabwatchMetrics metrics) {
    this.topics = topics;
    this.metrics = metrics;
    Map<String, Object> c = new HashMap<>(clientProperties);
    c.remove(ConsumerConfig.GROUP_ID_CONFIG);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
    c.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "labwatch-prometheus");
    this.consumer =
        new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    // (the dead-letter topic's records are read by their headers only: nothing to decode)
    metrics.decodes(topics.alerts().name(), topics.arp().name(), topics.host().name());
  }

  /**
   * Reads the topics once into {@code metrics} — what fires, the sensors' last heartbeats — and
   * stops: what {@code labwatch status} shows.
   */
  public static void readOnce(
      Topics topics, Map<String, Object> clientProperties, LabwatchMetrics metrics) {
    try (MetricsFeed feed = new MetricsFeed(topics, clientProperties, metrics)) {
      feed.catchUp();
    }
  }

  /** Positions every partition, then reads up to where the topics ended at the start. */
  void catchUp() {
    List<TopicPartition> alerts = partitions(topics.alerts().name());
    List<TopicPartition> arp = partitions(topics.arp().name());
    List<TopicPartition> dlq = partitions(topics.dlq().name());
    // the host sensors' heartbeats; a deployment made before the host topic existed has none
    List<TopicPartition> host = partitionsIfAny(topics.host().name());
    // silences; likewise none before the silences topic existed
    List<TopicPartition> silences = partitionsIfAny(topics.silences().name());
    List<TopicPartition> all = new ArrayList<>();
    all.addAll(alerts);
    all.addAll(arp);
    all.addAll(dlq);
    all.addAll(host);
    all.addAll(silences);
    Map<TopicPartition, Long> ends = consumer.endOffsets(all, Duration.ofSeconds(30));
    countFrom.putAll(ends);
    consumer.assign(all);
    consumer.seekToBeginning(alerts);
    consumer.seekToBeginning(silences);
    long since = Instant.now().minus(HEARTBEAT_LOOKBACK).toEpochMilli();
    Map<TopicPartition, Long> query = new HashMap<>();
    arp.forEach(p -> query.put(p, since));
    host.forEach(p -> query.put(p, since));
    Map<TopicPartition, OffsetAndTimestamp> found =
        consumer.offsetsForTimes(query, Duration.ofSeconds(30));
    for (TopicPartition p : query.keySet()) {
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

  private List<TopicPartition> partitionsIfAny(String topic) {
    var info = consumer.partitionsFor(topic, Duration.ofSeconds(30));
    return info == null
        ? List.of()
        : info.stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
  }

  private List<TopicPartition> partitions(String topic) {
    List<TopicPartition> found = partitionsIfAny(topic);
    if (found.isEmpty()) {
      throw new LabwatchException(
          "topic " + topic + " does not exist — create labwatch's topics with: labwatch topics");
    }
    return found;
  }

  /**
   * Reads what came since, waiting up to {@code timeout} for it; then notes this reader's own lag
   * (as consumer {@code prometheus}).
   */
  void follow(Duration timeout) {
    ConsumerRecords<byte[], byte[]> records = consumer.poll(timeout);
    records.forEach(this::handle);
    ownLag();
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
      } else if (topic.equals(topics.host().name())) {
        if (sensorSerde.deserialize(topic, r.value()) instanceof Heartbeat h) {
          metrics.hostHeartbeat(h);
        }
      } else if (topic.equals(topics.silences().name())) {
        if (r.key() != null) {
          metrics.silence(
              new String(r.key(), StandardCharsets.UTF_8),
              silenceSerde.deserialize(topic, r.value()));
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

  /** Makes a {@link #follow} in progress, or the next one, throw {@code WakeupException}. */
  void wakeup() {
    consumer.wakeup();
  }

  @Override
  public void close() {
    consumer.close();
  }
}
