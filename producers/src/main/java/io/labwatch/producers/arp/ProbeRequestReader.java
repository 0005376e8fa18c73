package io.labwatch.producers.arp;

import io.labwatch.events.ProbeRequest;
import io.labwatch.events.Topic;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads {@code labwatch.probe-requests} (key: the IP in its segment, text; value: {@link
 * ProbeRequest}) for a live ARP sensor. Every sensor reads every request, so there is no consumer
 * group: it assigns itself all partitions, starts at their end (a request written before it started
 * is not its business) and commits nothing. {@code read_committed}, because the detection writes
 * with exactly-once; a 50 ms {@code fetch.max.wait.ms}, because the whole loop from the detection's
 * suspicion to the replies it reads back should take well under a second. The Kafka client settings
 * are the sensor's producer's ({@code kafka.*}, TLS and SASL included), passed through.
 *
 * <p>A record that cannot be decoded is skipped and counted; a broker that is away is waited for
 * (the consumer retries by itself); the topic not existing yet is waited for too. Nothing here ends
 * the sensor.
 */
public final class ProbeRequestReader implements ProbeRequestSource.Subscription {

  private static final Logger log = LoggerFactory.getLogger(ProbeRequestReader.class);

  /** How long a poll may wait for the broker to send something. */
  static final int FETCH_MAX_WAIT_MS = 50;

  private final KafkaConsumer<String, ProbeRequest> consumer;
  private final String topic;
  private final Consumer<ProbeRequest> handler;
  private final Thread thread;
  private final AtomicLong undecodable = new AtomicLong();
  private volatile boolean stopped;
  private volatile boolean ready;

  private ProbeRequestReader(
      KafkaConsumer<String, ProbeRequest> consumer, String topic, Consumer<ProbeRequest> handler) {
    this.consumer = consumer;
    this.topic = topic;
    this.handler = handler;
    this.thread = new Thread(this::run, "labwatch-probe-requests");
    this.thread.setDaemon(true);
  }

  /** A source that reads {@code topic} with these client settings. */
  public static ProbeRequestSource source(
      Topic<String, ProbeRequest> topic, Map<String, Object> clientProperties) {
    return handler -> start(topic, clientProperties, handler);
  }

  /** Starts reading in a thread of its own; {@link #close()} stops it. */
  public static ProbeRequestReader start(
      Topic<String, ProbeRequest> topic,
      Map<String, Object> clientProperties,
      Consumer<ProbeRequest> handler) {
    ProbeRequestReader reader =
        new ProbeRequestReader(
            new KafkaConsumer<>(
                consumerProperties(clientProperties),
                topic.keySerde().deserializer(),
                topic.valueSerde().deserializer()),
            topic.name(),
            handler);
    reader.thread.start();
    return reader;
  }

  static Map<String, Object> consumerProperties(Map<String, Object> clientProperties) {
    Map<String, Object> props = new HashMap<>(clientProperties);
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, FETCH_MAX_WAIT_MS);
    props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "labwatch-sensor-probe-requests");
    return props;
  }

  /** Whether it has found the topic and fixed its starting offsets: requests from now on count. */
  public boolean ready() {
    return ready;
  }

  /** Records skipped because they could not be decoded. */
  public long undecodable() {
    return undecodable.get();
  }

  private void run() {
    try {
      if (!assign()) {
        return;
      }
      ready = true;
      log.info("answering confirmation probe requests from {}", topic);
      boolean failing = false;
      while (!stopped) {
        try {
          for (ConsumerRecord<String, ProbeRequest> r : consumer.poll(Duration.ofMillis(500))) {
            if (r.value() != null) {
              handle(r.value());
            }
          }
          failing = false;
        } catch (RecordDeserializationException e) {
          TopicPartition tp = e.topicPartition();
          consumer.seek(tp, e.offset() + 1);
          if (undecodable.getAndIncrement() == 0) {
            log.warn(
                "a record at {} offset {} is not a probe request; skipping such records, counted",
                tp,
                e.offset());
          }
        } catch (WakeupException e) {
          throw e;
        } catch (KafkaException e) {
          if (!failing) {
            log.warn("cannot read {} ({}); retrying every second, quietly", topic, oneLine(e));
            failing = true;
          }
          if (!pause(1000)) {
            return;
          }
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      log.warn("confirmation probe requests are no longer read: {}", oneLine(e));
    } finally {
      consumer.close(CloseOptions.timeout(Duration.ofSeconds(2)));
    }
  }

  private void handle(ProbeRequest request) {
    try {
      handler.accept(request);
    } catch (RuntimeException e) {
      log.warn("probe request for {} not handled: {}", request.ip(), e.toString());
    }
  }

  /** All partitions, at their end now; waits for the topic to exist. */
  private boolean assign() {
    boolean said = false;
    while (!stopped) {
      try {
        List<TopicPartition> partitions =
            consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition()))
                .toList();
        if (!partitions.isEmpty()) {
          consumer.assign(partitions);
          consumer.seekToEnd(partitions);
          // fix the start now, before anything new is written
          partitions.forEach(tp -> consumer.position(tp, Duration.ofSeconds(10)));
          return true;
        }
      } catch (WakeupException e) {
        throw e;
      } catch (KafkaException e) {
        if (!said) {
          log.warn("cannot look up {} ({}); retrying, quietly", topic, oneLine(e));
          said = true;
        }
        if (!pause(1000)) {
          return false;
        }
        continue;
      }
      if (!said) {
        log.info("waiting for topic {} to exist before answering probe requests", topic);
        said = true;
      }
      if (!pause(1000)) {
        return false;
      }
    }
    return false;
  }

  private boolean pause(long ms) {
    try {
      Thread.sleep(ms);
      return !stopped;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static String oneLine(Exception e) {
    String m = e.getMessage();
    return e.getClass().getSimpleName()
        + (m == null ? "" : ": " + m.lines().findFirst().orElse(""));
  }

  @Override
  public void close() {
    stopped = true;
    consumer.wakeup();
    try {
      // an interrupt would also break the consumer's own close; only a thread that hangs gets one
      thread.join(3000);
      if (thread.isAlive()) {
        thread.interrupt();
        thread.join(2000);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
