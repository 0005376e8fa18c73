package io.labwatch.streams.internal;

import java.io.File;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.StreamsMetrics;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.Punctuator;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * What a processor sees of Kafka Streams when it runs over records in one thread without Kafka
 * Streams: one task (0_0) of one partition, stores handed in, stream time moved by the records,
 * stream-time punctuation, forwarded records collected. There is no wall clock (its time is 0 and
 * its punctuators never run) and nothing to commit.
 *
 * <p>Production code for {@code labwatch analyze}, so that the analysis needs none of Kafka's test
 * utilities; what the detection does not use throws, so a processor that starts to use it fails
 * loudly offline instead of silently differing from the live run.
 */
public final class OfflineContext<KForward, VForward>
    implements ProcessorContext<KForward, VForward> {

  private static final TaskId TASK = new TaskId(0, 0);

  private final String applicationId;
  private final Map<String, StateStore> stores = new HashMap<>();
  private final List<StreamTimePunctuator> punctuators = new ArrayList<>();
  private final List<Record<KForward, VForward>> forwarded = new ArrayList<>();
  private final String topic;
  private long offset = -1;
  private long streamTime = Long.MIN_VALUE;

  /** A context for records of {@code topic} (partition 0). */
  public OfflineContext(String applicationId, String topic) {
    this.applicationId = applicationId;
    this.topic = topic;
  }

  public void addStateStore(StateStore store) {
    stores.put(store.name(), store);
  }

  /** The next record, at {@code timestamp}, is about to be processed: moves offset and time. */
  public void nextRecord(long timestamp) {
    offset++;
    if (timestamp > streamTime) {
      streamTime = timestamp;
    }
  }

  /**
   * A record of another topic of the same task was processed at {@code timestamp}: stream time
   * moves (a task's stream time is that of all its partitions), the offset of this one does not.
   */
  public void advanceStreamTime(long timestamp) {
    if (timestamp > streamTime) {
      streamTime = timestamp;
    }
  }

  /**
   * Runs the stream-time punctuators that are due, as Kafka Streams does after a record: a
   * punctuator's first record sets its schedule, a later one past it runs it and sets the next.
   */
  public void punctuate() {
    for (int i = 0; i < punctuators.size(); i++) {
      StreamTimePunctuator p = punctuators.get(i);
      if (p.next == Long.MIN_VALUE) {
        p.next = streamTime + p.intervalMs;
      } else if (streamTime >= p.next) {
        p.punctuator.punctuate(streamTime);
        p.next = streamTime + p.intervalMs;
      }
    }
  }

  /** The values forwarded since the last call, in order. */
  public List<VForward> takeForwarded() {
    if (forwarded.isEmpty()) {
      return List.of();
    }
    List<VForward> out = new ArrayList<>(forwarded.size());
    forwarded.forEach(r -> out.add(r.value()));
    forwarded.clear();
    return out;
  }

  /** The records (key, value, timestamp) forwarded since the last call, in order. */
  public List<Record<KForward, VForward>> takeForwardedRecords() {
    if (forwarded.isEmpty()) {
      return List.of();
    }
    List<Record<KForward, VForward>> out = new ArrayList<>(forwarded);
    forwarded.clear();
    return out;
  }

  @Override
  @SuppressWarnings("unchecked")
  public <K extends KForward, V extends VForward> void forward(Record<K, V> record) {
    forwarded.add((Record<KForward, VForward>) record);
  }

  @Override
  public <K extends KForward, V extends VForward> void forward(
      Record<K, V> record, String childName) {
    forward(record);
  }

  @Override
  @SuppressWarnings("unchecked")
  public <S extends StateStore> S getStateStore(String name) {
    StateStore s = stores.get(name);
    if (s == null) {
      throw new IllegalArgumentException(name + ": no such store offline");
    }
    return (S) s;
  }

  @Override
  public Cancellable schedule(Duration interval, PunctuationType type, Punctuator callback) {
    if (type == PunctuationType.WALL_CLOCK_TIME) {
      return () -> {}; // a capture has no wall clock
    }
    StreamTimePunctuator p = new StreamTimePunctuator(interval.toMillis(), callback);
    punctuators.add(p);
    return () -> punctuators.remove(p);
  }

  @Override
  public Cancellable schedule(
      Instant startTime, Duration interval, PunctuationType type, Punctuator callback) {
    throw unsupported("schedule with a start time");
  }

  @Override
  public void commit() {} // nothing outlives the run

  @Override
  public long currentSystemTimeMs() {
    return 0;
  }

  @Override
  public long currentStreamTimeMs() {
    return streamTime;
  }

  @Override
  public Optional<RecordMetadata> recordMetadata() {
    if (offset < 0) {
      return Optional.empty();
    }
    long o = offset;
    return Optional.of(
        new RecordMetadata() {
          @Override
          public String topic() {
            return topic;
          }

          @Override
          public int partition() {
            return 0;
          }

          @Override
          public long offset() {
            return o;
          }
        });
  }

  @Override
  public String applicationId() {
    return applicationId;
  }

  @Override
  public TaskId taskId() {
    return TASK;
  }

  @Override
  public Map<String, Object> appConfigs() {
    return Map.of();
  }

  @Override
  public Map<String, Object> appConfigsWithPrefix(String prefix) {
    return Map.of();
  }

  @Override
  public Serde<?> keySerde() {
    throw unsupported("keySerde");
  }

  @Override
  public Serde<?> valueSerde() {
    throw unsupported("valueSerde");
  }

  @Override
  public File stateDir() {
    throw unsupported("stateDir");
  }

  @Override
  public StreamsMetrics metrics() {
    throw unsupported("metrics");
  }

  private static UnsupportedOperationException unsupported(String what) {
    return new UnsupportedOperationException(what + ": not available offline");
  }

  private static final class StreamTimePunctuator {
    final long intervalMs;
    final Punctuator punctuator;
    long next = Long.MIN_VALUE;

    StreamTimePunctuator(long intervalMs, Punctuator punctuator) {
      this.intervalMs = intervalMs;
      this.punctuator = punctuator;
    }
  }
}
