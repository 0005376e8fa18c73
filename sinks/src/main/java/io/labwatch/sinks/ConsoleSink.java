package io.labwatch.sinks;

import io.labwatch.events.Alert;
import io.labwatch.events.Topic;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prints new alerts as they are committed, one {@link AlertText#line} each: how {@code labwatch
 * run} tells its operator when Slack is not configured. Reads without a consumer group, from the
 * end of the topic at start.
 */
public final class ConsoleSink implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ConsoleSink.class);

  private final KafkaConsumer<String, Alert> consumer;
  private final Thread thread;
  private volatile boolean stopped;

  private ConsoleSink(KafkaConsumer<String, Alert> consumer, PrintWriter out) {
    this.consumer = consumer;
    this.thread = new Thread(() -> run(out), "labwatch-console-sink");
    this.thread.setDaemon(true);
  }

  public static ConsoleSink start(
      Topic<String, Alert> topic, Map<String, Object> clientProperties, PrintWriter out) {
    Map<String, Object> props = new HashMap<>(clientProperties);
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "labwatch-console");
    KafkaConsumer<String, Alert> consumer =
        new KafkaConsumer<>(
            props, topic.keySerde().deserializer(), topic.valueSerde().deserializer());
    List<TopicPartition> partitions =
        consumer.partitionsFor(topic.name(), Duration.ofSeconds(15)).stream()
            .map(p -> new TopicPartition(p.topic(), p.partition()))
            .toList();
    consumer.assign(partitions);
    consumer.seekToEnd(partitions);
    partitions.forEach(consumer::position); // fix the start now, before anything new is written
    ConsoleSink c = new ConsoleSink(consumer, out);
    c.thread.start();
    return c;
  }

  private void run(PrintWriter out) {
    try {
      while (!stopped) {
        for (ConsumerRecord<String, Alert> r : consumer.poll(Duration.ofMillis(500))) {
          if (r.value() != null) {
            out.println(AlertText.line(r.value()));
          }
        }
        out.flush();
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      log.warn("alerts are no longer printed here: {}", e.toString());
    } finally {
      consumer.close();
    }
  }

  @Override
  public void close() {
    stopped = true;
    consumer.wakeup();
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
