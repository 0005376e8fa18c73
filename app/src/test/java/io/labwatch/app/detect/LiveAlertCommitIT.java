package io.labwatch.app.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.labwatch.app.kafka.TopicManager;
import io.labwatch.app.testing.KafkaBrokerExtension;
import io.labwatch.app.testing.TestKafka;
import io.labwatch.events.Alert;
import io.labwatch.events.ArpObservation;
import io.labwatch.events.IpAddress;
import io.labwatch.events.MacAddress;
import io.labwatch.events.PacketClass;
import io.labwatch.events.SensorEvent;
import io.labwatch.events.Topics;
import io.labwatch.streams.DetectionConfig;
import io.labwatch.streams.DetectionTopology;
import io.labwatch.streams.bindings.IpState;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The detection commits (exactly-once) every second, and an alert is visible to the sinks only once
 * committed. An alert about the present asks for a commit of its own at once; records of a backlog
 * (a restart after downtime, a replay) are committed as soon as the detection has caught up with
 * them, stage after stage (the claims to the impostor rules, which tell the conflict); other live
 * records wait for the regular commit. Shown with a commit interval of two minutes, so that only
 * the commits asked for can make anything visible during the test.
 */
@ExtendWith(KafkaBrokerExtension.class)
class LiveAlertCommitIT {

  @TempDir Path dir;

  private static ArpObservation reply(String ip, MacAddress mac, Instant at) {
    return new ArpObservation(
        at,
        "lab-sw1",
        "eth0",
        null,
        PacketClass.REPLY,
        IpAddress.of(ip),
        mac,
        IpAddress.of("10.78.0.21"),
        MacAddress.of("52:54:00:78:00:21"),
        mac);
  }

  /** Two MACs answering for {@code ip} 30 ms apart at {@code at}: a conflict at once. */
  private static void conflict(
      KafkaProducer<String, SensorEvent> p, Topics topics, String ip, Instant at) throws Exception {
    for (ArpObservation o :
        List.of(
            reply(ip, MacAddress.of("dc:9b:9c:78:00:10"), at),
            reply(ip, MacAddress.of("00:a0:de:78:00:10"), at.plusMillis(30)))) {
      p.send(new ProducerRecord<>(topics.arp().name(), null, at.toEpochMilli(), ip, o)).get();
    }
  }

  private static List<String> committedConflicts(TestKafka kafka, Topics topics) {
    return kafka.readAll(topics.alerts()).stream()
        .map(ConsumerRecord::value)
        .filter(a -> a.kind().equals("IP_CONFLICT"))
        .map(Alert::subject)
        .toList();
  }

  /** The detection's committed offset of {@code partition} of its input, -1 for none. */
  private static long committed(TestKafka kafka, DetectionConfig config, TopicPartition partition)
      throws Exception {
    try (var admin = kafka.admin()) {
      OffsetAndMetadata o =
          admin
              .listConsumerGroupOffsets(config.applicationId())
              .partitionsToOffsetAndMetadata()
              .get()
              .get(partition);
      return o == null ? -1 : o.offset();
    }
  }

  @Test
  void aLiveAlertIsCommittedAtOnceABacklogWhenCaughtUpAndOtherRecordsWithTheRegularCommit(
      TestKafka kafka) throws Exception {
    Topics topics = TestKafka.uniqueTopics();
    try (var admin = kafka.admin()) {
      new TopicManager(admin).ensure(topics.all(), -1);
    }
    DetectionConfig config =
        DetectionConfig.defaults()
            .deterministic()
            .withApplicationId("live-commit-" + UUID.randomUUID());
    Map<String, Object> client =
        Map.of(
            "bootstrap.servers",
            kafka.bootstrapServers(),
            "consumer.auto.offset.reset",
            "earliest",
            "commit.interval.ms",
            120_000,
            "producer.transaction.timeout.ms",
            180_000);
    try (KafkaProducer<String, SensorEvent> producer = kafka.producer(topics.arp())) {
      KafkaStreams streams =
          new KafkaStreams(
              DetectionTopology.build(topics, config),
              DetectionTopology.properties(config, topics, client, dir.resolve("state")));
      try {
        streams.start();
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> streams.state() == KafkaStreams.State.RUNNING);

        conflict(producer, topics, "10.78.0.10", Instant.now());
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> committedConflicts(kafka, topics).contains("10.78.0.10"));

        // a live record that tells nothing: processed, and committed with the regular commit only
        IpAddress quiet = IpAddress.of("10.78.0.12");
        var sent =
            producer
                .send(
                    new ProducerRecord<>(
                        topics.arp().name(),
                        null,
                        Instant.now().toEpochMilli(),
                        quiet.toString(),
                        reply(quiet.toString(), MacAddress.of("52:54:00:78:00:12"), Instant.now())))
                .get();
        ReadOnlyKeyValueStore<String, IpState> states =
            streams.store(
                StoreQueryParameters.fromNameAndType(
                    DetectionTopology.IP_STATE_STORE, QueryableStoreTypes.keyValueStore()));
        await().atMost(Duration.ofSeconds(60)).until(() -> states.get(quiet.toString()) != null);
        TopicPartition partition = new TopicPartition(sent.topic(), sent.partition());
        await()
            .during(Duration.ofSeconds(5))
            .atMost(Duration.ofSeconds(10))
            .until(() -> committed(kafka, config, partition) <= sent.offset());

        // found in yesterday's records: committed once the detection has caught up with them, and
        // the claims then read by the impostor rules, which tell the conflict
        conflict(producer, topics, "10.78.0.11", Instant.now().minus(Duration.ofDays(1)));
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> committedConflicts(kafka, topics).contains("10.78.0.11"));
        // (that commit took the live record's offset with it)
        assertThat(committed(kafka, config, partition)).isGreaterThan(sent.offset());
      } finally {
        streams.close(Duration.ofSeconds(30));
      }
      // (the alerts topic has several partitions: no order between the two)
      assertThat(committedConflicts(kafka, topics))
          .containsExactlyInAnyOrder("10.78.0.10", "10.78.0.11");
    }
  }
}
