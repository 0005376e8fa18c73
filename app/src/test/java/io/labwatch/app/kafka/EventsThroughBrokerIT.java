package io.labwatch.app.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.labwatch.app.testing.KafkaBrokerExtension;
import io.labwatch.app.testing.TestKafka;
import io.labwatch.events.Alert;
import io.labwatch.events.ArpObservation;
import io.labwatch.events.Evidence;
import io.labwatch.events.Heartbeat;
import io.labwatch.events.IpAddress;
import io.labwatch.events.MacAddress;
import io.labwatch.events.PacketClass;
import io.labwatch.events.SensorEvent;
import io.labwatch.events.Severity;
import io.labwatch.events.Topics;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KafkaBrokerExtension.class)
class EventsThroughBrokerIT {

  private static final Instant T0 = Instant.parse("2026-11-25T14:02:11.123456Z");

  @Test
  void everyEventTypeRoundTripsThroughTheBrokerWithItsCatalogueSerdes(TestKafka kafka)
      throws Exception {
    Topics topics = TestKafka.uniqueTopics();
    try (var admin = kafka.admin()) {
      new TopicManager(admin).ensure(topics.all(), -1);
    }
    ArpObservation reply =
        new ArpObservation(
            T0,
            "lab-sw1",
            "eth0",
            20,
            PacketClass.REPLY,
            IpAddress.of("10.77.0.10"),
            MacAddress.of("00:a0:de:12:34:56"),
            IpAddress.of("10.77.0.1"),
            MacAddress.of("00:11:22:33:44:55"),
            MacAddress.of("00:a0:de:12:34:56"));
    ArpObservation na =
        new ArpObservation(
            T0,
            "lab-sw1",
            "eth0",
            null,
            PacketClass.NEIGHBOR_ADVERTISEMENT,
            IpAddress.of("fe80::1"),
            null,
            IpAddress.of("fe80::1"),
            MacAddress.of("dc:9b:9c:01:02:03"),
            MacAddress.of("dc:9b:9c:01:02:03"));
    Heartbeat heartbeat = new Heartbeat(T0, "lab-sw1", 10_000, new Heartbeat.Capture(10, 1, 0));
    Alert alert =
        Alert.firing(
            "IP_CONFLICT",
            "10.77.0.10",
            Severity.CRITICAL,
            "IP conflict on 10.77.0.10",
            new Evidence(
                List.of(
                    new Evidence.MacEvidence(
                        MacAddress.of("00:a0:de:12:34:56"),
                        "YAMAHA CORPORATION",
                        3,
                        T0,
                        T0,
                        List.of("lab-sw1"),
                        List.of(PacketClass.REPLY))),
                2L,
                Map.of()),
            Map.of("sensor", "lab-sw1"),
            T0);
    Alert resolved = alert.resolved("over", T0.plus(10, ChronoUnit.MINUTES));

    try (KafkaProducer<String, SensorEvent> arp = kafka.producer(topics.arp());
        KafkaProducer<String, Alert> alerts = kafka.producer(topics.alerts());
        KafkaProducer<byte[], byte[]> dlq = kafka.producer(topics.dlq())) {
      for (SensorEvent e : List.of(reply, na, heartbeat)) {
        String key = e instanceof ArpObservation o ? o.subjectIp().toString() : e.sensorId();
        arp.send(
                new ProducerRecord<>(
                    topics.arp().name(), null, e.eventTime().toEpochMilli(), key, e))
            .get();
      }
      alerts.send(new ProducerRecord<>(topics.alerts().name(), alert.fingerprint(), alert)).get();
      alerts
          .send(new ProducerRecord<>(topics.alerts().name(), resolved.fingerprint(), resolved))
          .get();
      RecordHeaders headers = new RecordHeaders();
      headers.add(
          "labwatch.dlq.reason", "cannot decode".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      dlq.send(
              new ProducerRecord<>(
                  topics.dlq().name(), null, new byte[] {1}, new byte[] {(byte) 0xff}, headers))
          .get();
    }

    assertThat(kafka.readAll(topics.arp()))
        .extracting(ConsumerRecord::value)
        .containsExactlyInAnyOrder(reply, na, heartbeat);
    assertThat(kafka.readAll(topics.arp()))
        .filteredOn(r -> r.value() instanceof ArpObservation)
        .allSatisfy(r -> assertThat(r.timestamp()).isEqualTo(T0.toEpochMilli()));
    assertThat(kafka.readAll(topics.alerts()))
        .extracting(ConsumerRecord::value)
        .containsExactly(alert, resolved);
    List<ConsumerRecord<byte[], byte[]>> dead = kafka.readAll(topics.dlq());
    assertThat(dead).hasSize(1);
    assertThat(dead.get(0).value()).containsExactly(0xff);
    assertThat(dead.get(0).headers().lastHeader("labwatch.dlq.reason")).isNotNull();
  }
}
