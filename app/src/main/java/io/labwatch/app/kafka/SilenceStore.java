package io.labwatch.app.kafka;

import io.labwatch.events.LabwatchException;
import io.labwatch.events.Silence;
import io.labwatch.events.Topic;
import io.labwatch.sinks.LiveTable;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The compacted silences topic (key: a silence's id; value: {@link Silence}) as the {@code labwatch
 * silence} commands use it: read whole, and written one silence at a time. The sinks follow the
 * topic, so what is written here takes effect there without a restart.
 */
public final class SilenceStore {

  private SilenceStore() {}

  /** Every silence the topic keeps, by id, active or not (one that does not decode: left out). */
  public static Map<String, Silence> read(
      Topic<String, Silence> topic, Map<String, Object> clientProperties) {
    return LiveTable.snapshot(topic, clientProperties);
  }

  /** Writes {@code s} under its id, replacing what was there; returns once the broker has it. */
  public static void write(
      Topic<String, Silence> topic, Silence s, Map<String, Object> clientProperties) {
    Map<String, Object> props = new HashMap<>(clientProperties);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "labwatch-silence");
    try (KafkaProducer<String, Silence> producer =
        new KafkaProducer<>(
            props, topic.keySerde().serializer(), topic.valueSerde().serializer())) {
      producer.send(new ProducerRecord<>(topic.name(), s.id(), s)).get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new LabwatchException(
          "cannot write silence " + s.id() + " to " + topic.name() + ": " + e.getCause(), e);
    } catch (TimeoutException e) {
      throw new LabwatchException(
          "cannot write silence " + s.id() + " to " + topic.name() + " within 30 s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LabwatchException("interrupted while writing silence " + s.id(), e);
    }
  }
}
