package io.labwatch.app.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.labwatch.app.kafka.TopicManager;
import io.labwatch.app.testing.KafkaBrokerExtension;
import io.labwatch.app.testing.TestKafka;
import io.labwatch.events.Alert;
import io.labwatch.events.AlertState;
import io.labwatch.events.ArpObservation;
import io.labwatch.events.Heartbeat;
import io.labwatch.events.IpAddress;
import io.labwatch.events.MacAddress;
import io.labwatch.events.PacketClass;
import io.labwatch.events.SensorEvent;
import io.labwatch.events.Topics;
import io.labwatch.streams.DetectionConfig;
import io.labwatch.streams.DetectionTopology;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20: {@code topics.partitions: {arp: 6}} — the detection on a {@code labwatch.arp} of six
 * partitions while {@code host} and {@code snmp}, which its topology also reads, keep three: it
 * runs, and an IP conflict on an address of every one of the six partitions fires once.
 */
@ExtendWith(KafkaBrokerExtension.class)
class ArpPartitionsIT {

  static final MacAddress SERVER = MacAddress.of("3c:fd:fe:0a:00:10");
  static final MacAddress ROUTER = MacAddress.of("00:a0:de:0a:00:10");

  @TempDir Path dir;

  @Test
  void aDetectionOnSixArpPartitionsFiresForAnAddressInEachOfThem(TestKafka kafka) throws Exception {
    Topics topics = TestKafka.uniqueTopics().withPartitions(Map.of("arp", 6));
    assertThat(topics.arp().partitions()).isEqualTo(6);
    assertThat(topics.host().partitions()).isEqualTo(3);
    try (var admin = kafka.admin()) {
      new TopicManager(admin).ensure(topics.all(), -1);
    }
    DetectionConfig config =
        DetectionConfig.defaults().withApplicationId(topics.prefix() + "detect");
    KafkaStreams detection =
        new KafkaStreams(
            DetectionTopology.build(topics, config),
            DetectionTopology.properties(
                config,
                topics,
                Map.of("bootstrap.servers", kafka.bootstrapServers()),
                dir.resolve("state")));
    try {
      detection.start();
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> detection.state() == KafkaStreams.State.RUNNING);

      // conflicts on addresses until every partition has had one
      Set<Integer> partitions = ConcurrentHashMap.newKeySet();
      Set<String> conflicted = new TreeSet<>();
      Instant t = Instant.now().minus(Duration.ofHours(1));
      try (KafkaProducer<String, SensorEvent> producer =
          new KafkaProducer<>(
              Map.of("bootstrap.servers", kafka.bootstrapServers(), "acks", "all"),
              topics.arp().keySerde().serializer(),
              topics.arp().valueSerde().serializer())) {
        for (int host = 10; partitions.size() < 6 && host < 250; host++) {
          IpAddress ip = IpAddress.of("10.77.0." + host);
          for (MacAddress mac : new MacAddress[] {SERVER, ROUTER, SERVER, ROUTER}) {
            ArpObservation o = reply(ip, mac, t);
            partitions.add(
                producer
                    .send(
                        new ProducerRecord<>(
                            topics.arp().name(), null, t.toEpochMilli(), ip.toString(), o))
                    .get()
                    .partition());
            t = t.plusMillis(500);
          }
          conflicted.add(ip.toString());
        }
        for (int p = 0; p < 6; p++) {
          Heartbeat h = new Heartbeat(t, "lab-sw1", 10_000, new Heartbeat.Capture(1, 0, 0));
          producer.send(
              new ProducerRecord<>(topics.arp().name(), p, t.toEpochMilli(), "lab-sw1", h));
        }
      }
      assertThat(partitions).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5);
      await()
          .atMost(Duration.ofSeconds(60))
          .untilAsserted(() -> assertThat(firing(kafka, topics)).isEqualTo(conflicted));
    } finally {
      detection.close(Duration.ofSeconds(30));
    }
  }

  private static Set<String> firing(TestKafka kafka, Topics topics) {
    Set<String> out = new TreeSet<>();
    for (ConsumerRecord<String, Alert> r : kafka.readAll(topics.alerts())) {
      if (r.value().kind().equals("IP_CONFLICT") && r.value().state() == AlertState.FIRING) {
        out.add(r.value().subject());
      }
    }
    return out;
  }

  private static ArpObservation reply(IpAddress ip, MacAddress mac, Instant at) {
    return new ArpObservation(
        at,
        "lab-sw1",
        "eth0",
        null,
        PacketClass.REPLY,
        ip,
        mac,
        IpAddress.of("10.77.0.2"),
        MacAddress.of("52:54:00:77:00:02"),
        mac);
  }
}
