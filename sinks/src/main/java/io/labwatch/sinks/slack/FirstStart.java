package io.labwatch.sinks.slack;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * A partition the group has never committed starts at the topic's end as it was when the sink
 * started — not at the end when the group is first assigned, a few seconds later, which would skip
 * an alert raised in between (labwatch run's first minutes).
 */
final class FirstStart implements ConsumerRebalanceListener {

  private final Consumer<?, ?> consumer;
  private final Map<TopicPartition, Long> startPositions;

  /** Notes where {@code topic} ends now. */
  FirstStart(Consumer<?, ?> consumer, String topic) {
    this.consumer = consumer;
    this.startPositions =
        consumer.endOffsets(
            consumer.partitionsFor(topic, Duration.ofSeconds(15)).stream()
                .map(i -> new TopicPartition(i.topic(), i.partition()))
                .toList(),
            Duration.ofSeconds(15));
  }

  @Override
  public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
    Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(Set.copyOf(partitions));
    for (TopicPartition p : partitions) {
      if (committed.get(p) == null) {
        consumer.seek(p, startPositions.getOrDefault(p, 0L));
      }
    }
  }

  @Override
  public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
    // offsets are committed per delivered alert, never in bulk here
  }
}
