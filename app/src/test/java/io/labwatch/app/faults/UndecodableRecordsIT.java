package io.labwatch.app.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.labwatch.app.kafka.TopicManager;
import io.labwatch.app.testing.KafkaBrokerExtension;
import io.labwatch.app.testing.TestKafka;
import io.labwatch.events.ArpObservation;
import io.labwatch.events.DeadLetters;
import io.labwatch.events.IpAddress;
import io.labwatch.events.MacAddress;
import io.labwatch.events.PacketClass;
import io.labwatch.events.SensorEvent;
import io.labwatch.events.Topics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, item 5: a thousand records the detection cannot decode cost one log line, not 48 000,
 * and a record without a value is dead-lettered and counted like them.
 */
@ExtendWith(KafkaBrokerExtension.class)
class UndecodableRecordsIT {

  @TempDir Path dir;
  private Process detect;

  @AfterEach
  void stop() {
    if (detect != null) {
      detect.destroyForcibly();
    }
  }

  @Test
  void aThousandRecordsOfANewerSchemaAndOneWithoutAValueAreDeadLetteredInOneLogLine(TestKafka kafka)
      throws Exception {
    Topics topics = TestKafka.uniqueTopics();
    try (var admin = kafka.admin()) {
      new TopicManager(admin).ensure(topics.all(), -1);
    }
    Path log = dir.resolve("detect.log");
    ProcessBuilder pb =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                Path.of("target", "labwatch.jar").toString(),
                "detect",
                "-b",
                kafka.bootstrapServers(),
                "--topic-prefix",
                topics.prefix())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    pb.environment().put("LABWATCH_DATA_DIR", dir.resolve("data").toString());
    pb.environment().put("LABWATCH_DETECTION_APPLICATION_ID", "undecodable-" + UUID.randomUUID());
    detect = pb.start();
    await().atMost(Duration.ofSeconds(90)).until(() -> read(log).contains("labwatch detect:"));
    int linesBefore = read(log).split("\n").length;

    ArpObservation o =
        new ArpObservation(
            Instant.now(),
            "lab-sw1",
            "eth0",
            null,
            PacketClass.REPLY,
            IpAddress.of("10.77.0.10"),
            MacAddress.of("dc:9b:9c:77:00:10"),
            IpAddress.of("10.77.0.21"),
            MacAddress.of("52:54:00:77:00:21"),
            MacAddress.of("dc:9b:9c:77:00:10"));
    String current =
        new String(
            topics.arp().valueSerde().serializer().serialize(topics.arp().name(), o),
            StandardCharsets.UTF_8);
    assertThat(current).contains("\"v\":1");
    byte[] newer = current.replace("\"v\":1", "\"v\":2").getBytes(StandardCharsets.UTF_8);
    try (KafkaProducer<byte[], byte[]> raw =
        new KafkaProducer<>(
            Map.of("bootstrap.servers", kafka.bootstrapServers(), "linger.ms", 5),
            new ByteArraySerializer(),
            new ByteArraySerializer())) {
      byte[] key = "10.77.0.10".getBytes(StandardCharsets.UTF_8);
      for (int i = 0; i < 1_000; i++) {
        raw.send(new ProducerRecord<>(topics.arp().name(), key, newer));
      }
      raw.send(new ProducerRecord<>(topics.arp().name(), key, null));
      raw.flush();
    }

    await()
        .atMost(Duration.ofSeconds(90))
        .untilAsserted(() -> assertThat(kafka.readAll(topics.dlq())).hasSize(1_001));
    List<ConsumerRecord<byte[], byte[]>> dead = kafka.readAll(topics.dlq());
    assertThat(reason(dead.get(0))).contains("schema version v=2 is not supported");
    assertThat(dead.get(1_000).value()).isNull();
    assertThat(reason(dead.get(1_000))).contains("a record without a value");

    // the detection still works: an ordinary record after them is processed (no alert needed:
    // its state is in the store; the log says nothing more either way)
    try (KafkaProducer<String, SensorEvent> producer = kafka.producer(topics.arp())) {
      producer.send(new ProducerRecord<>(topics.arp().name(), "10.77.0.10", o)).get();
    }
    String after = read(log);
    List<String> added = after.lines().skip(linesBefore).toList();
    assertThat(added)
        .as("what the detection logged about 1,001 undecodable records")
        .hasSizeLessThanOrEqualTo(2)
        .anyMatch(l -> l.contains("further ones are counted, not logged"));
    assertThat(detect.isAlive()).isTrue();
  }

  private static String reason(ConsumerRecord<byte[], byte[]> r) {
    return new String(r.headers().lastHeader(DeadLetters.REASON).value(), StandardCharsets.UTF_8);
  }

  private static String read(Path p) throws IOException {
    return Files.exists(p) ? Files.readString(p) : "";
  }
}
