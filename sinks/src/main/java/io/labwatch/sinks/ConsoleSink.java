package io.labwatch.sinks;

import io.labwatch.events.Alert;
import io.labwatch.events.Silence;
import io.labwatch.events.Topic;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
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
 * end of the topic at start. The console is the operator's own log, so a silence hides nothing
 * here: an alert one covers is printed with {@code (silenced by ID)} after it. {@code prefix} goes
 * before each line (the journal's priority for it under systemd).
 */
public final class ConsoleSink implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ConsoleSink.class);

  private final KafkaConsumer<String, Alert> consumer;
  private final LiveTable<Silence> silences;
  private final Function<Alert, String> prefix;
  private final Thread thread;
  private volatile boolean stopped;

  private ConsoleSink(
      KafkaConsumer<String, Alert> consumer,
      LiveTable<Silence> silences,
      PrintWriter out,
      Function<Alert, String> prefix) {
    this.consumer = consumer;
    this.silences = silences;
    this.prefix = prefix;
    this.thread = new Thread(() -> run(out), "labwatch-console-sink");
    this.thread.setDaemon(true);
  }

  public static ConsoleSink start(
      Topic<String, Alert> topic,
      Topic<String, Silence> silenceTopic,
      Map<String, Object> clientProperties,
      PrintWriter out,
      Function<Alert, String> prefix) {
    LiveTable<Silence> silences = LiveTable.follow(silenceTopic, clientProperties);
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
    ConsoleSink c = new ConsoleSink(consumer, silences, out, prefix);
    c.thread.start();
    return c;
  }

  private void run(PrintWriter out) {
    try {
      while (!stopped) {
        for (ConsumerRecord<String, Alert> r : consumer.poll(Duration.ofMillis(500))) {
          Alert a = r.value();
          if (a != null) {
            String silenced =
                Silence.silencing(silences.now().values(), a.kind(), a.subject(), Instant.now())
                    .map(s -> " (silenced by " + s.id() + ")")
                    .orElse("");
            out.println(prefix.apply(a) + AlertText.line(a) + silenced);
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
      silences.close();
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
