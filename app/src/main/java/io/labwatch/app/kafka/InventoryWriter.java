package io.labwatch.app.kafka;

import io.labwatch.events.InventoryEntry;
import io.labwatch.events.IpAddress;
import io.labwatch.events.LabwatchException;
import io.labwatch.events.MacAddress;
import io.labwatch.events.Topic;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

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
    Map<String, Object> props = new HashMap<>(clientProperties);
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "labwatch-inventory-reader");
    Map<String, InventoryEntry> table = new TreeMap<>();
    try (KafkaConsumer<String, InventoryEntry> consumer =
        new KafkaConsumer<>(
            props, topic.keySerde().deserializer(), topic.valueSerde().deserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic.name(), KafkaAccess.CONNECT_TIMEOUT).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + KafkaAccess.CONNECT_TIMEOUT.toNanos();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new LabwatchException("cannot read " + topic.name() + " to its end");
        }
        consumer
            .poll(Duration.ofMillis(200))
            .forEach(
                r -> {
                  if (r.value() == null) {
                    table.remove(r.key());
                  } else {
                    table.put(r.key(), r.value());
                  }
                });
      }
    }
    return table;
  }
}
