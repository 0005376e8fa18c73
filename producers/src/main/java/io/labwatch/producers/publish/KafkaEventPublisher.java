package io.labwatch.producers.publish;

import io.labwatch.events.ArpObservation;
import io.labwatch.events.ArpProbe;
import io.labwatch.events.Heartbeat;
import io.labwatch.events.HostMetrics;
import io.labwatch.events.InterfaceCounters;
import io.labwatch.events.ProbeResult;
import io.labwatch.events.SensorEvent;
import io.labwatch.events.Topic;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes a sensor's events to its topic ({@code labwatch.arp}, or {@code labwatch.host} for the
 * host sensor), and the SNMP sensor's counters to {@code labwatch.snmp}.
 *
 * <p>Observations: key = the IP address they are about, with its segment when that is not the
 * default one ({@link ArpObservation#key()}: {@code 10.77.0.10}, {@code 10.77.0.10%vlan20}), so
 * every observation of one address in one segment lands in one partition in order; record timestamp
 * = capture time. Interface counters (when given the counters topic): key = {@code device/ifIndex};
 * record timestamp = poll time. Host metrics (to this publisher's topic, which is then {@code
 * labwatch.host}): key = the host name; record timestamp = sample time. Heartbeats: to every
 * partition of the topic (and of the counters topic, when given), key = the sensor id, so that
 * stream time advances in every partition on a quiet network. Idempotent producer, {@code
 * acks=all}, a 5 ms linger: a conflict reaches the detection in milliseconds.
 */
public final class KafkaEventPublisher implements EventPublisher {

  private static final Logger log = LoggerFactory.getLogger(KafkaEventPublisher.class);

  private final KafkaProducer<String, SensorEvent> producer;
  private final Topic<String, SensorEvent> topic;
  private final Topic<String, SensorEvent> countersTopic;
  private final AtomicLong failures = new AtomicLong();
  private final AtomicBoolean failureLogged = new AtomicBoolean();
  private final AtomicReference<String> firstFailure = new AtomicReference<>();
  private final Callback onFailure;

  /** For a live sensor: a broker that is away for a while is waited for, events buffered. */
  public KafkaEventPublisher(
      Topic<String, SensorEvent> topic, Map<String, Object> clientProperties) {
    this(topic, null, clientProperties, false);
  }

  /**
   * For the SNMP sensor: router-table observations and heartbeats to {@code topic}, counters and
   * heartbeats to {@code countersTopic}; a broker that is away for a while is waited for.
   */
  public KafkaEventPublisher(
      Topic<String, SensorEvent> topic,
      Topic<String, SensorEvent> countersTopic,
      Map<String, Object> clientProperties) {
    this(topic, countersTopic, clientProperties, false);
  }

  /**
   * For a file replay, which has no reason to wait long: a record the broker has not taken within
   * {@link #REPLAY_DELIVERY_TIMEOUT} fails (and the replay stops on it), instead of each record
   * blocking for a minute while the broker is gone.
   */
  public static KafkaEventPublisher forReplay(
      Topic<String, SensorEvent> topic, Map<String, Object> clientProperties) {
    return new KafkaEventPublisher(topic, null, clientProperties, true);
  }

  /** How long a replayed record may wait for the broker: a broker restart, not an outage. */
  public static final Duration REPLAY_DELIVERY_TIMEOUT = Duration.ofSeconds(30);

  private KafkaEventPublisher(
      Topic<String, SensorEvent> topic,
      Topic<String, SensorEvent> countersTopic,
      Map<String, Object> clientProperties,
      boolean replay) {
    this.topic = topic;
    this.countersTopic = countersTopic;
    Map<String, Object> props = new HashMap<>(clientProperties);
    if (replay) {
      long ms = REPLAY_DELIVERY_TIMEOUT.toMillis();
      props.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, ms);
      props.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) ms);
      props.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(ms, 10_000));
    }
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
    props.putIfAbsent(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    props.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "labwatch-sensor");
    this.producer =
        new KafkaProducer<>(props, topic.keySerde().serializer(), topic.valueSerde().serializer());
    this.onFailure =
        (metadata, e) -> {
          if (e != null) {
            failures.incrementAndGet();
            firstFailure.compareAndSet(null, oneLine(e));
            if (failureLogged.compareAndSet(false, true)) {
              log.warn(
                  "cannot publish to {} ({}); counting further failures without logging each",
                  topic.name(),
                  e.toString());
            }
          } else if (failureLogged.get() && failureLogged.compareAndSet(true, false)) {
            log.info("publishing to {} again", topic.name());
          }
        };
  }

  @Override
  public void observation(ArpObservation o) {
    producer.send(
        new ProducerRecord<>(topic.name(), null, o.eventTime().toEpochMilli(), o.key(), o),
        onFailure);
  }

  @Override
  public void probe(ArpProbe p) {
    producer.send(
        new ProducerRecord<>(topic.name(), null, p.eventTime().toEpochMilli(), p.key(), p),
        onFailure);
  }

  @Override
  public void counters(InterfaceCounters c) {
    if (countersTopic == null) {
      return;
    }
    producer.send(
        new ProducerRecord<>(countersTopic.name(), null, c.eventTime().toEpochMilli(), c.key(), c),
        onFailure);
  }

  @Override
  public void hostMetrics(HostMetrics m) {
    producer.send(
        new ProducerRecord<>(topic.name(), null, m.eventTime().toEpochMilli(), m.sensorId(), m),
        onFailure);
  }

  @Override
  public void probeResult(ProbeResult r) {
    producer.send(
        new ProducerRecord<>(topic.name(), null, r.eventTime().toEpochMilli(), r.sensorId(), r),
        onFailure);
  }

  @Override
  public void heartbeat(Heartbeat h) {
    heartbeat(topic, h);
    if (countersTopic != null) {
      heartbeat(countersTopic, h);
    }
  }

  private void heartbeat(Topic<String, SensorEvent> to, Heartbeat h) {
    List<PartitionInfo> partitions;
    try {
      partitions = producer.partitionsFor(to.name());
    } catch (KafkaException e) { // no metadata within max.block.ms: the broker is away
      onFailure.onCompletion(null, e);
      return;
    }
    for (PartitionInfo p : partitions) {
      producer.send(
          new ProducerRecord<>(
              to.name(), p.partition(), h.eventTime().toEpochMilli(), h.sensorId(), h),
          onFailure);
    }
  }

  @Override
  public void flush() {
    producer.flush();
  }

  @Override
  public long failures() {
    return failures.get();
  }

  @Override
  public String firstFailure() {
    return firstFailure.get();
  }

  /** Waits a bounded time for what is in flight: a stop never hangs on a broker that is gone. */
  @Override
  public void close() {
    producer.close(CLOSE_TIMEOUT);
  }

  static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

  @Override
  public void closeNow() {
    producer.close(Duration.ZERO);
  }

  private static String oneLine(Exception e) {
    String m = e.getMessage();
    return e.getClass().getSimpleName()
        + (m == null ? "" : ": " + m.lines().findFirst().orElse(""));
  }
}
