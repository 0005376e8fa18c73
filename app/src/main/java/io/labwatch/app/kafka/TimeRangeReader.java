package io.labwatch.app.kafka;

import io.labwatch.events.LabwatchException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The records of some topics whose timestamps fall in {@code [from, to)}, merged in timestamp order
 * across all their partitions — the order Kafka Streams itself picks records in when several
 * partitions feed one task (lowest head timestamp first).
 *
 * <p>Each partition starts at the offset {@code offsetsForTimes(from)} gives and ends at the one
 * {@code offsetsForTimes(to + slack)} gives (or its end offset as of opening: records written later
 * are not waited for); a record a sensor wrote up to {@code slack} late is still in the range. It
 * reads without a consumer group (assigned partitions, nothing committed) and read-committed, so
 * aborted transactions of the live pipeline are not seen. Memory: a partition holding {@link
 * #BUFFERED} records or more (one ahead of the others) is paused until it drains; one poll may
 * still add up to 20,000 records, a fetch at most 8 MB a partition.
 */
public final class TimeRangeReader implements AutoCloseable {

  /** How late a record may have been written and still be found in its range. */
  public static final Duration SLACK = Duration.ofMinutes(10);

  static final int BUFFERED = 2_000;

  /** What a range holds in one partition, before reading it. */
  public record PartitionPlan(
      TopicPartition partition, long start, long end, long oldestKept, boolean deletedSome) {
    public long records() {
      return Math.max(0, end - start);
    }
  }

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final long fromMs;
  private final long toMs;
  private final Map<TopicPartition, PartitionPlan> plans = new LinkedHashMap<>();
  private final String bootstrap;

  /**
   * Opens the range: finds each partition's offsets (one round trip for all of them).
   *
   * @throws LabwatchException when a topic does not exist or the cluster does not answer
   */
  public TimeRangeReader(
      Map<String, Object> clientProperties,
      List<String> topics,
      Instant from,
      Instant to,
      String clientId) {
    if (!to.isAfter(from)) {
      throw new LabwatchException(
          "the range is empty: --to " + to + " is not after --from " + from);
    }
    this.fromMs = from.toEpochMilli();
    this.toMs = to.toEpochMilli();
    this.bootstrap = String.valueOf(clientProperties.get("bootstrap.servers"));
    Map<String, Object> props = new HashMap<>(clientProperties);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    // a range is read as fast as it can be: large fetches (sensors write small batches, often of
    // one record) and many records a poll, so that fewer polls stall the merge
    props.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 20_000);
    props.putIfAbsent(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 << 20);
    props.putIfAbsent(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    try {
      this.consumer = new KafkaConsumer<>(props);
    } catch (KafkaException e) {
      throw KafkaAccess.explainClientConfig(e, bootstrap);
    }
    try {
      plan(topics, to.plus(SLACK).toEpochMilli());
    } catch (RuntimeException e) {
      consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ZERO));
      if (e instanceof LabwatchException) {
        throw e;
      }
      throw new LabwatchException(
          "could not read the topics' offsets from Kafka at "
              + bootstrap
              + " ("
              + e.getClass().getSimpleName()
              + ")",
          e);
    }
  }

  private void plan(List<String> topics, long endMs) {
    List<TopicPartition> all = new ArrayList<>();
    for (String topic : topics) {
      List<PartitionInfo> infos = consumer.partitionsFor(topic, KafkaAccess.CONNECT_TIMEOUT);
      if (infos == null || infos.isEmpty()) {
        throw new LabwatchException(
            "topic " + topic + " does not exist (`labwatch topics` creates labwatch's topics)");
      }
      infos.forEach(p -> all.add(new TopicPartition(p.topic(), p.partition())));
    }
    Map<TopicPartition, Long> ends = consumer.endOffsets(all);
    Map<TopicPartition, Long> beginnings = consumer.beginningOffsets(all);
    Map<TopicPartition, OffsetAndTimestamp> starts = consumer.offsetsForTimes(query(all, fromMs));
    Map<TopicPartition, OffsetAndTimestamp> stops = consumer.offsetsForTimes(query(all, endMs));
    Map<TopicPartition, OffsetAndTimestamp> oldest = consumer.offsetsForTimes(query(all, 0));
    for (TopicPartition tp : all) {
      long end = ends.get(tp);
      long start = offset(starts.get(tp), end);
      long stop = Math.max(start, offset(stops.get(tp), end));
      OffsetAndTimestamp first = oldest.get(tp);
      plans.put(
          tp,
          new PartitionPlan(
              tp,
              start,
              stop,
              first == null ? Long.MAX_VALUE : first.timestamp(),
              beginnings.get(tp) > 0));
    }
  }

  private static Map<TopicPartition, Long> query(List<TopicPartition> all, long at) {
    Map<TopicPartition, Long> q = new HashMap<>();
    all.forEach(tp -> q.put(tp, at));
    return q;
  }

  private static long offset(OffsetAndTimestamp found, long end) {
    return found == null ? end : found.offset();
  }

  /** The partitions' plans, in the order of the topics given. */
  public List<PartitionPlan> plans() {
    return List.copyOf(plans.values());
  }

  /** Whether retention (or compaction) has deleted records of any partition. */
  public boolean deletedSome() {
    return plans.values().stream().anyMatch(PartitionPlan::deletedSome);
  }

  /** Records in the range's offsets, over all partitions (an upper bound of what is read). */
  public long records() {
    return plans.values().stream().mapToLong(PartitionPlan::records).sum();
  }

  /**
   * The timestamp of the oldest record kept by any of the partitions, or {@code Long.MAX_VALUE}
   * when all are empty.
   */
  public long oldestKept() {
    return plans.values().stream()
        .mapToLong(PartitionPlan::oldestKept)
        .min()
        .orElse(Long.MAX_VALUE);
  }

  /**
   * Hands every record of the range to {@code sink}, in timestamp order across partitions (ties: in
   * the order the topics were given, then by partition). Returns false when {@code stop} ended it
   * early.
   */
  public boolean forEach(Consumer<ConsumerRecord<byte[], byte[]>> sink, BooleanSupplier stop) {
    List<Lane> lanes = new ArrayList<>();
    List<TopicPartition> assigned = new ArrayList<>();
    for (PartitionPlan p : plans.values()) {
      if (p.end() > p.start()) {
        lanes.add(new Lane(p));
        assigned.add(p.partition());
      }
    }
    if (lanes.isEmpty()) {
      return true;
    }
    Map<TopicPartition, Lane> byPartition = new HashMap<>();
    lanes.forEach(l -> byPartition.put(l.plan.partition(), l));
    consumer.assign(assigned);
    lanes.forEach(l -> consumer.seek(l.plan.partition(), l.plan.start()));
    List<Lane> open = new ArrayList<>(lanes);
    while (!open.isEmpty()) {
      if (stop.getAsBoolean()) {
        return false;
      }
      // deliver while every open lane has a record to compare
      while (true) {
        Lane min = null;
        boolean starved = false;
        for (int i = 0; i < open.size(); i++) {
          Lane l = open.get(i);
          ConsumerRecord<byte[], byte[]> head = l.buffer.peek();
          if (head == null) {
            if (l.exhausted()) {
              open.remove(i--);
              continue;
            }
            starved = true;
            break;
          }
          if (min == null || head.timestamp() < min.buffer.peek().timestamp()) {
            min = l;
          }
        }
        if (starved || min == null) {
          break;
        }
        ConsumerRecord<byte[], byte[]> r = min.buffer.poll();
        if (r.timestamp() >= fromMs && r.timestamp() < toMs) {
          sink.accept(r);
        }
      }
      if (open.isEmpty()) {
        break;
      }
      // fetch for the lanes that ran dry; hold back those far ahead
      List<TopicPartition> pause = new ArrayList<>();
      List<TopicPartition> resume = new ArrayList<>();
      for (Lane l : lanes) {
        boolean full = l.buffer.size() >= BUFFERED || l.fetchedAll;
        (full ? pause : resume).add(l.plan.partition());
      }
      consumer.pause(pause);
      consumer.resume(resume);
      ConsumerRecords<byte[], byte[]> polled = consumer.poll(Duration.ofMillis(200));
      for (TopicPartition tp : polled.partitions()) {
        Lane l = byPartition.get(tp);
        if (l == null || l.fetchedAll) {
          continue;
        }
        for (ConsumerRecord<byte[], byte[]> r : polled.records(tp)) {
          if (r.offset() < l.plan.end()) {
            l.buffer.add(r);
          }
        }
      }
      for (Lane l : lanes) {
        if (!l.fetchedAll && consumer.position(l.plan.partition()) >= l.plan.end()) {
          l.fetchedAll = true;
        }
      }
    }
    return true;
  }

  @Override
  public void close() {
    consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(1)));
  }

  /** One partition's records between fetching and handing on. */
  private static final class Lane {
    final PartitionPlan plan;
    final ArrayDeque<ConsumerRecord<byte[], byte[]>> buffer = new ArrayDeque<>();
    boolean fetchedAll;

    Lane(PartitionPlan plan) {
      this.plan = plan;
    }

    boolean exhausted() {
      return fetchedAll && buffer.isEmpty();
    }
  }
}
