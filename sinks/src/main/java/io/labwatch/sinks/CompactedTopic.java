package io.labwatch.sinks;

import io.labwatch.events.LabwatchException;
import io.labwatch.events.Topic;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/** Reading a compacted topic as the table it stands for: the latest value per key. */
public final class CompactedTopic {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private CompactedTopic() {}

  /** The table now: every key's latest value; a tombstone removes the key. */
  public static <V> Map<String, V> read(
      Topic<String, V> topic, Map<String, Object> clientProperties) {
    Map<String, Object> props = new HashMap<>(clientProperties);
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "labwatch-table-" + topic.shortName());
    Map<String, V> table = new TreeMap<>();
    try (KafkaConsumer<String, V> consumer =
        new KafkaConsumer<>(
            props, topic.keySerde().deserializer(), topic.valueSerde().deserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic.name(), TIMEOUT).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new LabwatchException(
              "cannot read " + topic.name() + " to its end within " + TIMEOUT.toSeconds() + " s");
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
