package io.labwatch.sinks;

import io.labwatch.events.LabwatchException;
import io.labwatch.events.Topic;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A compacted topic as a table that stays current: read to its end before {@link #follow} returns,
 * then followed by a thread of its own, so that a change written by another process (a silence
 * added or ended) takes effect here within a poll. Keeps no consumer group and commits nothing. A
 * record that does not decode is logged and left out; a tombstone removes its key.
 */
public final class LiveTable<V> implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(LiveTable.class);

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final Duration POLL = Duration.ofMillis(200);

  private final Topic<String, V> topic;
  private final KafkaConsumer<String, byte[]> consumer;
  private final Map<String, V> table = new ConcurrentHashMap<>();
  private final Thread thread;
  private volatile boolean stopped;
  private volatile String failure;

  private LiveTable(Topic<String, V> topic, Map<String, Object> clientProperties, String use) {
    this.topic = topic;
    Map<String, Object> props = new HashMap<>(clientProperties);
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "labwatch-" + use + "-" + topic.shortName());
    // the values are decoded here, one at a time, so that one bad record costs only itself
    this.consumer =
        new KafkaConsumer<>(props, topic.keySerde().deserializer(), new ByteArrayDeserializer());
    this.thread = new Thread(this::run, "labwatch-live-" + topic.shortName());
    this.thread.setDaemon(true);
  }

  /**
   * The table as {@code topic} has it now, kept current until {@link #close}.
   *
   * @throws LabwatchException when the topic does not exist or cannot be read to its end
   */
  public static <V> LiveTable<V> follow(
      Topic<String, V> topic, Map<String, Object> clientProperties) {
    LiveTable<V> live = new LiveTable<>(topic, clientProperties, "live");
    try {
      live.catchUp();
    } catch (RuntimeException e) {
      live.consumer.close();
      throw e;
    }
    live.thread.start();
    return live;
  }

  /**
   * The table as {@code topic} has it now, read once: as {@link CompactedTopic#read}, except that a
   * record that does not decode is logged and left out instead of failing the read (on the alerts
   * topic anyone may have written one; the Slack sink dead-letters those, and must start anyway).
   *
   * @throws LabwatchException when the topic does not exist or cannot be read to its end
   */
  public static <V> Map<String, V> snapshot(
      Topic<String, V> topic, Map<String, Object> clientProperties) {
    LiveTable<V> once = new LiveTable<>(topic, clientProperties, "read");
    try {
      once.catchUp();
      return once.now();
    } finally {
      once.consumer.close();
    }
  }

  private void catchUp() {
    var info = consumer.partitionsFor(topic.name(), TIMEOUT);
    if (info == null || info.isEmpty()) {
      throw new LabwatchException(
          "topic "
              + topic.name()
              + " does not exist — create labwatch's topics with: labwatch topics");
    }
    List<TopicPartition> partitions =
        info.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, TIMEOUT);
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
      if (System.nanoTime() > deadline) {
        throw new LabwatchException(
            "cannot read " + topic.name() + " to its end within " + TIMEOUT.toSeconds() + " s");
      }
      consumer.poll(POLL).forEach(this::apply);
    }
  }

  private void run() {
    try {
      while (!stopped) {
        consumer.poll(POLL).forEach(this::apply);
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      failure = "stopped following " + topic.name() + ": " + e;
      log.error("stopped following {}: {}", topic.name(), e.toString(), e);
    } finally {
      consumer.close();
    }
  }

  private void apply(ConsumerRecord<String, byte[]> r) {
    if (r.key() == null) {
      return;
    }
    if (r.value() == null) {
      table.remove(r.key());
      return;
    }
    try {
      table.put(r.key(), topic.valueSerde().deserializer().deserialize(r.topic(), r.value()));
    } catch (RuntimeException e) {
      log.warn(
          "a record at {}-{}@{} cannot be decoded and is left out: {}",
          r.topic(),
          r.partition(),
          r.offset(),
          e.getMessage());
    }
  }

  /** Every key's latest value, as last read. */
  public Map<String, V> now() {
    return new TreeMap<>(table);
  }

  /** Null while the table is followed; else why not (it keeps its last state). */
  public String problem() {
    return failure;
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
  }
}
