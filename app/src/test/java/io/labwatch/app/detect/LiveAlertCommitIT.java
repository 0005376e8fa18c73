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
import io.labwatch.streams.impostors.ImpostorSupplier;
import io.labwatch.streams.impostors.MacState;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The detection commits (exactly-once) every second, and an alert is visible to the sinks only once
 * committed; an alert about the present asks for a commit of its own at once, an alert found in old
 * records (a backlog, a replay) waits for the regular commit. Shown with a commit interval of 10
 * minutes, so that only the alert's own commit can make it visible during the test.
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

  @Test
  void aLiveAlertIsCommittedAtOnceAndABacklogAlertWithTheRegularCommit(TestKafka kafka)
      throws Exception {
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

        // found in yesterday's records: processed, but not committed on its own
        conflict(producer, topics, "10.78.0.11", Instant.now().minus(Duration.ofDays(1)));
        ReadOnlyKeyValueStore<String, IpState> states =
            streams.store(
                StoreQueryParameters.fromNameAndType(
                    DetectionTopology.IP_STATE_STORE, QueryableStoreTypes.keyValueStore()));
        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () -> {
                  IpState s = states.get("10.78.0.11");
                  return s != null && s.conflict != null;
                });
        await()
            .during(Duration.ofSeconds(5))
            .atMost(Duration.ofSeconds(10))
            .until(() -> !committedConflicts(kafka, topics).contains("10.78.0.11"));
      } finally {
        streams.close(Duration.ofSeconds(30)); // a clean close commits
      }
      // the backlog's conflict was committed with the close on its way to the impostor rules (the
      // claims repartition topic): the next run passes it on, with its regular commit (here: its
      // clean close)
      KafkaStreams again =
          new KafkaStreams(
              DetectionTopology.build(topics, config),
              DetectionTopology.properties(config, topics, client, dir.resolve("state")));
      try {
        again.start();
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> again.state() == KafkaStreams.State.RUNNING);
        ReadOnlyKeyValueStore<String, MacState> impostors =
            again.store(
                StoreQueryParameters.fromNameAndType(
                    ImpostorSupplier.STORE, QueryableStoreTypes.keyValueStore()));
        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () -> {
                  try (var all = impostors.all()) {
                    while (all.hasNext()) {
                      if (all.next().value.impersonations.containsKey("10.78.0.11")) {
                        return true;
                      }
                    }
                  }
                  return false;
                });
      } finally {
        again.close(Duration.ofSeconds(30));
      }
      // (the alerts topic has several partitions: no order between the two)
      assertThat(committedConflicts(kafka, topics))
          .containsExactlyInAnyOrder("10.78.0.10", "10.78.0.11");
    }
  }
}
