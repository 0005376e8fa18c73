package io.labwatch.app.testing;

import io.labwatch.events.Topic;
import io.labwatch.events.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;

/** A real Kafka broker for tests, with the few client helpers tests need. */
public interface TestKafka extends AutoCloseable {

  String bootstrapServers();

  /** What kind of broker this is, for test logs: "embedded KRaft" or "Testcontainers". */
  String kind();

  @Override
  void close();

  /** A view of a broker started elsewhere; closing it does not stop the broker. */
  static TestKafka at(String bootstrapServers, String kind) {
    return new TestKafka() {
      @Override
      public String bootstrapServers() {
        return bootstrapServers;
      }

      @Override
      public String kind() {
        return kind;
      }

      @Override
      public void close() {}
    };
  }

  default Admin admin() {
    return Admin.create(Map.of("bootstrap.servers", bootstrapServers()));
  }

  /** A catalogue whose topics no other test uses. */
  static Topics uniqueTopics() {
    return Topics.withPrefix("t" + UUID.randomUUID().toString().substring(0, 8) + ".");
  }

  default <K, V> KafkaProducer<K, V> producer(Topic<K, V> topic) {
    return new KafkaProducer<>(
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrapServers(),
            ProducerConfig.ACKS_CONFIG,
            "all",
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
            true),
        topic.keySerde().serializer(),
        topic.valueSerde().serializer());
  }

  /** Every record of {@code topic} from the beginning to its current end. */
  default <K, V> List<ConsumerRecord<K, V>> readAll(Topic<K, V> topic) {
    try (KafkaConsumer<K, V> consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed"),
            topic.keySerde().deserializer(),
            topic.valueSerde().deserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic.name(), Duration.ofSeconds(10)).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
      List<ConsumerRecord<K, V>> out = new ArrayList<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("could not read " + topic.name() + " to its end in 30 s");
        }
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
      }
      return out;
    }
  }
}
