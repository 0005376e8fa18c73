package io.labwatch.sinks.slack;

import io.labwatch.events.SlackThread;
import io.labwatch.events.Topic;
import io.labwatch.sinks.CompactedTopic;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where each incident's first Slack message is (bot mode), so that updates edit it and go to its
 * thread. Kept on the compacted {@code slack-threads} topic — key: the incident id; value: {@link
 * SlackThread} — and read back on start, so it survives restarts.
 */
final class IncidentThreads {

  private static final Logger log = LoggerFactory.getLogger(IncidentThreads.class);

  private final Topic<String, SlackThread> topic;
  private final Producer<byte[], byte[]> producer;
  private final Map<String, SlackThread> threads;

  private IncidentThreads(
      Topic<String, SlackThread> topic,
      Producer<byte[], byte[]> producer,
      Map<String, SlackThread> threads) {
    this.topic = topic;
    this.producer = producer;
    this.threads = new HashMap<>(threads);
  }

  /**
   * The incidents' messages as the topic has them now; new ones are written with {@code producer}.
   */
  static IncidentThreads read(
      Topic<String, SlackThread> topic,
      Map<String, Object> clientProperties,
      Producer<byte[], byte[]> producer) {
    return new IncidentThreads(topic, producer, CompactedTopic.read(topic, clientProperties));
  }

  /** None known, none kept: a webhook has no threads. */
  static IncidentThreads none(Topic<String, SlackThread> topic, Producer<byte[], byte[]> producer) {
    return new IncidentThreads(topic, producer, Map.of());
  }

  /** Where the incident's message is, or null. */
  SlackThread get(String incidentId) {
    return threads.get(incidentId);
  }

  /** The incident's message is gone: its next alert starts a new one. */
  void forget(String incidentId) {
    threads.remove(incidentId);
  }

  void remember(String incidentId, SlackThread where) {
    threads.put(incidentId, where);
    try {
      producer
          .send(
              new ProducerRecord<>(
                  topic.name(),
                  incidentId.getBytes(StandardCharsets.UTF_8),
                  topic.valueSerde().serializer().serialize(topic.name(), where)))
          .get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      // the message is posted; losing its place costs threading for this incident, not the alert
      log.warn("cannot record where {}'s Slack message is: {}", incidentId, e.toString());
    }
  }
}
