package io.labwatch.app.detect;

import io.labwatch.app.kafka.TimeRangeReader;
import io.labwatch.events.Alert;
import io.labwatch.events.Heartbeat;
import io.labwatch.events.LabwatchException;
import io.labwatch.events.SensorEvent;
import io.labwatch.events.Topic;
import io.labwatch.events.Topics;
import io.labwatch.producers.arp.PcapReplay;
import io.labwatch.streams.DetectionConfig;
import io.labwatch.streams.OfflineDetection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code labwatch replay}: the detection re-run over a time range of what the topics kept — the
 * {@code arp}, {@code host} and {@code snmp} records merged in time order ({@link TimeRangeReader})
 * through every rule family ({@link OfflineDetection}), in this process. It only reads: no consumer
 * group, no writes, no state of the live detection's, so the live pipeline does not notice it.
 *
 * <p>The live detection has one copy of a heartbeat per partition (each task hears from every
 * sensor); merged into one stream they are one: a copy whose sensor and time were just seen is
 * skipped. A record that does not decode was dead-lettered by the live detection already; here it
 * is counted and skipped.
 *
 * <p>Fetching, merging and decoding run on a thread of their own ({@code labwatch-replay-read}),
 * which hands the decoded records in order, in batches, to the rules on the caller's thread: on two
 * cores the reading and the rules overlap. {@code stop} is asked on that thread; {@code onAlert} is
 * called on the caller's.
 */
public final class RangeReplay {

  private static final Logger log = LoggerFactory.getLogger(RangeReplay.class);

  /** What was read and raised. */
  public record Result(
      List<Alert> alerts,
      Map<String, Long> recordsByTopic,
      long undecodable,
      long duplicateHeartbeats,
      boolean complete,
      long oldestKept,
      boolean deletedSome) {

    public long records() {
      return recordsByTopic.values().stream().mapToLong(Long::longValue).sum();
    }

    /** One line for the end of a replay. */
    public String line() {
      StringBuilder s = new StringBuilder("replayed ").append(records()).append(" records (");
      List<String> parts = new ArrayList<>();
      recordsByTopic.forEach((t, n) -> parts.add(t + " " + n));
      s.append(String.join(", ", parts)).append("); ").append(alerts.size());
      s.append(alerts.size() == 1 ? " alert" : " alerts");
      if (undecodable > 0) {
        s.append("; ").append(undecodable).append(" undecodable records skipped");
      }
      if (!complete) {
        s.append("; stopped early");
      }
      return s.toString();
    }
  }

  private RangeReplay() {}

  /**
   * Replays {@code [from, to)}; alerts whose last change is before {@code from} (raised while
   * warming up on the {@code warmUp} before it) are not told. Every alert is handed to {@code
   * onAlert} as soon as it is raised.
   *
   * @throws LabwatchException when the range is empty or the topics cannot be read
   */
  public static Result run(
      Map<String, Object> clientProperties,
      Topics topics,
      DetectionConfig detection,
      Instant from,
      Instant to,
      Duration warmUp,
      Consumer<Alert> onAlert,
      BooleanSupplier stop) {
    return run(
        clientProperties,
        topics,
        detection,
        from,
        to,
        warmUp,
        onAlert,
        stop,
        PcapReplay.Progress.NONE);
  }

  /**
   * The same, telling {@code progress} after each batch how many records went through and how far
   * into the range (with its warm-up) they are, in milliseconds.
   */
  public static Result run(
      Map<String, Object> clientProperties,
      Topics topics,
      DetectionConfig detection,
      Instant from,
      Instant to,
      Duration warmUp,
      Consumer<Alert> onAlert,
      BooleanSupplier stop,
      PcapReplay.Progress progress) {
    OfflineDetection offline = new OfflineDetection(detection, detection.inventory());
    Map<String, Source> sources = new HashMap<>();
    sources.put(topics.arp().name(), new Source(topics.arp(), OfflineDetection.Source.ARP));
    sources.put(topics.host().name(), new Source(topics.host(), OfflineDetection.Source.HOST));
    sources.put(topics.snmp().name(), new Source(topics.snmp(), OfflineDetection.Source.SNMP));
    List<String> names = List.of(topics.arp().name(), topics.host().name(), topics.snmp().name());
    Map<String, Long> counts = new java.util.LinkedHashMap<>();
    names.forEach(n -> counts.put(n, 0L));
    List<Alert> alerts = new ArrayList<>();
    long fromMs = from.toEpochMilli();
    long startMs = from.minus(warmUp).toEpochMilli();
    long seen = 0;
    long duplicates = 0;
    Map<String, Long> lastHeartbeat = new HashMap<>();
    boolean complete;
    long oldest;
    boolean deleted;
    try (TimeRangeReader reader =
        new TimeRangeReader(clientProperties, names, from.minus(warmUp), to, "labwatch-replay")) {
      oldest = reader.oldestKept();
      deleted = reader.deletedSome();
      Decoding decoding = new Decoding(reader, sources, stop);
      Thread thread = new Thread(decoding, "labwatch-replay-read");
      thread.setDaemon(true);
      thread.start();
      try {
        while (true) {
          List<Decoded> batch = decoding.take();
          if (batch == END) {
            break;
          }
          if (!batch.isEmpty()) {
            seen += batch.size();
            progress.at(seen, batch.get(batch.size() - 1).timestamp - startMs);
          }
          for (Decoded d : batch) {
            if (d.value instanceof Heartbeat h) {
              String who = d.source.kind + "/" + h.sensorId();
              Long last = lastHeartbeat.put(who, h.eventTime().toEpochMilli());
              if (last != null && last == h.eventTime().toEpochMilli()) {
                duplicates++;
                continue;
              }
            }
            counts.merge(d.topic, 1L, Long::sum);
            for (Alert a : offline.process(d.source.kind, d.key, d.value, d.timestamp)) {
              if (a.updatedAt().toEpochMilli() >= fromMs) {
                alerts.add(a);
                onAlert.accept(a);
              }
            }
          }
        }
      } finally {
        decoding.abandon();
        joinQuietly(thread);
      }
      decoding.rethrow();
      complete = decoding.complete;
      return new Result(
          alerts, counts, decoding.undecodable, duplicates, complete, oldest, deleted);
    }
  }

  private static void joinQuietly(Thread thread) {
    boolean interrupted = false;
    while (thread.isAlive()) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** A record of the range, decoded. */
  private record Decoded(
      Source source, String topic, String key, SensorEvent value, long timestamp) {}

  private static final List<Decoded> END = new ArrayList<>();

  /** Records handed from the reading thread to the detection at a time. */
  static final int BATCH = 512;

  /**
   * The reading side, on a thread of its own: fetches and merges the range ({@link
   * TimeRangeReader}) and decodes each record, handing them on in batches, in order, to the
   * detection on the caller's thread — so that fetching, decompressing and decoding overlap with
   * the rules.
   */
  private static final class Decoding implements Runnable {
    private final TimeRangeReader reader;
    private final Map<String, Source> sources;
    private final BooleanSupplier stop;
    private final BlockingQueue<List<Decoded>> queue = new ArrayBlockingQueue<>(32);
    private volatile boolean abandoned;
    private volatile Throwable failed;
    // written by the reading thread before its END, read by the caller after joining it
    long undecodable;
    boolean complete;
    private List<Decoded> batch = new ArrayList<>(BATCH);

    Decoding(TimeRangeReader reader, Map<String, Source> sources, BooleanSupplier stop) {
      this.reader = reader;
      this.sources = sources;
      this.stop = stop;
    }

    @Override
    public void run() {
      try {
        complete = reader.forEach(this::decode, () -> abandoned || stop.getAsBoolean());
        hand(batch);
      } catch (Throwable t) {
        failed = t;
      } finally {
        try {
          hand(END);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }

    private void decode(ConsumerRecord<byte[], byte[]> r) {
      if (abandoned) {
        return;
      }
      Source source = sources.get(r.topic());
      SensorEvent value;
      try {
        value = source.decoder.deserialize(r.topic(), r.value());
      } catch (RuntimeException e) {
        if (undecodable++ == 0) {
          log.warn(
              "skipping records that do not decode, first {}-{}@{}: {} (the live"
                  + " detection dead-lettered them)",
              r.topic(),
              r.partition(),
              r.offset(),
              e.getMessage());
        }
        return;
      }
      if (value == null) {
        return;
      }
      String key = r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
      batch.add(new Decoded(source, r.topic(), key, value, r.timestamp()));
      if (batch.size() >= BATCH) {
        try {
          hand(batch);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          abandoned = true;
          return;
        }
        batch = new ArrayList<>(BATCH);
      }
    }

    /** Waits for room, unless the caller has gone. */
    private void hand(List<Decoded> b) throws InterruptedException {
      if (b != END && b.isEmpty()) {
        return;
      }
      while (!abandoned) {
        if (queue.offer(b, 100, TimeUnit.MILLISECONDS)) {
          return;
        }
      }
    }

    List<Decoded> take() {
      try {
        return queue.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new LabwatchException("the replay was interrupted", e);
      }
    }

    /** The caller is done (or failed): the reading thread stops at its next record or poll. */
    void abandon() {
      abandoned = true;
      queue.clear();
    }

    void rethrow() {
      Throwable t = failed;
      if (t instanceof RuntimeException e) {
        throw e;
      }
      if (t instanceof Error e) {
        throw e;
      }
      if (t != null) {
        throw new LabwatchException("the replay failed: " + t, t);
      }
    }
  }

  private static final class Source {
    final Deserializer<SensorEvent> decoder;
    final OfflineDetection.Source kind;

    Source(Topic<String, SensorEvent> topic, OfflineDetection.Source kind) {
      this.decoder = topic.valueSerde().deserializer();
      this.kind = kind;
    }
  }
}
