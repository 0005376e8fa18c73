package io.labwatch.app.detect;

import io.labwatch.app.kafka.TimeRangeReader;
import io.labwatch.events.Alert;
import io.labwatch.events.Heartbeat;
import io.labwatch.events.LabwatchException;
import io.labwatch.events.SensorEvent;
import io.labwatch.events.Topic;
import io.labwatch.events.Topics;
import io.labwatch.streams.DetectionConfig;
import io.labwatch.streams.OfflineDetection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
    long[] undecodable = {0};
    long[] duplicates = {0};
    Map<String, Long> lastHeartbeat = new HashMap<>();
    boolean complete;
    long oldest;
    boolean deleted;
    try (TimeRangeReader reader =
        new TimeRangeReader(clientProperties, names, from.minus(warmUp), to, "labwatch-replay")) {
      oldest = reader.oldestKept();
      deleted = reader.deletedSome();
      complete =
          reader.forEach(
              (ConsumerRecord<byte[], byte[]> r) -> {
                Source source = sources.get(r.topic());
                SensorEvent value;
                try {
                  value = source.decoder.deserialize(r.topic(), r.value());
                } catch (RuntimeException e) {
                  if (undecodable[0]++ == 0) {
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
                if (value instanceof Heartbeat h) {
                  String who = source.kind + "/" + h.sensorId();
                  Long last = lastHeartbeat.put(who, h.eventTime().toEpochMilli());
                  if (last != null && last == h.eventTime().toEpochMilli()) {
                    duplicates[0]++;
                    return;
                  }
                }
                counts.merge(r.topic(), 1L, Long::sum);
                String key = r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
                for (Alert a : offline.process(source.kind, key, value, r.timestamp())) {
                  if (a.updatedAt().toEpochMilli() >= fromMs) {
                    alerts.add(a);
                    onAlert.accept(a);
                  }
                }
              },
              stop);
    }
    return new Result(alerts, counts, undecodable[0], duplicates[0], complete, oldest, deleted);
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
