package io.labwatch.app.kafka;

import io.labwatch.events.InventoryEntry;
import io.labwatch.events.IpAddress;
import io.labwatch.events.LabwatchException;
import io.labwatch.events.MacAddress;
import io.labwatch.events.Topic;
import io.labwatch.sinks.CompactedTopic;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Makes the compacted inventory topic say what the config says: new and changed entries are
 * written, entries no longer configured get a tombstone, unchanged ones are left alone. The
 * detection reads the topic as a table, so a change takes effect without restarting it.
 */
public final class InventoryWriter {

  /** What a sync changed. */
  public record Result(int written, int removed, int unchanged) {}

  private InventoryWriter() {}

  public static Result sync(
      Topic<String, InventoryEntry> topic,
      Map<IpAddress, List<MacAddress>> wanted,
      Map<String, Object> clientProperties) {
    Map<String, InventoryEntry> current = read(topic, clientProperties);
    Map<String, InventoryEntry> target = new TreeMap<>();
    wanted.forEach((ip, macs) -> target.put(ip.toString(), new InventoryEntry(ip, macs, null)));
    int written = 0;
    int removed = 0;
    int unchanged = 0;
    Map<String, Object> props = new HashMap<>(clientProperties);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "labwatch-inventory");
    try (KafkaProducer<String, InventoryEntry> producer =
        new KafkaProducer<>(
            props, topic.keySerde().serializer(), topic.valueSerde().serializer())) {
      for (Map.Entry<String, InventoryEntry> e : target.entrySet()) {
        if (Objects.equals(current.get(e.getKey()), e.getValue())) {
          unchanged++;
        } else {
          producer.send(new ProducerRecord<>(topic.name(), e.getKey(), e.getValue())).get();
          written++;
        }
      }
      for (String ip : current.keySet()) {
        if (!target.containsKey(ip)) {
          producer.send(new ProducerRecord<>(topic.name(), ip, null)).get();
          removed++;
        }
      }
    } catch (ExecutionException e) {
      throw new LabwatchException(
          "cannot write the inventory to " + topic.name() + ": " + e.getCause().getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LabwatchException("interrupted while writing the inventory", e);
    }
    return new Result(written, removed, unchanged);
  }

  /** The topic's current table: the latest value per key, tombstones removing. */
  static Map<String, InventoryEntry> read(
      Topic<String, InventoryEntry> topic, Map<String, Object> clientProperties) {
    return CompactedTopic.read(topic, clientProperties);
  }
}
