package io.labwatch.app.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.labwatch.app.kafka.TopicManager;
import io.labwatch.app.testing.KafkaBrokerExtension;
import io.labwatch.app.testing.TestKafka;
import io.labwatch.events.Alert;
import io.labwatch.events.AlertState;
import io.labwatch.events.ArpObservation;
import io.labwatch.events.DeadLetters;
import io.labwatch.events.Heartbeat;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The detection as it runs: `labwatch detect` in its own JVM against a real broker. */
@ExtendWith(KafkaBrokerExtension.class)
class DetectionIT {

  static final IpAddress SERVER_IP = IpAddress.of("10.77.0.10");
  static final MacAddress SERVER = MacAddress.of("dc:9b:9c:77:00:10");
  static final MacAddress ROUTER = MacAddress.of("00:a0:de:77:00:10");
  static final Instant T0 = Instant.parse("2026-11-25T14:02:11Z");

  @TempDir Path dir;
  private final List<Process> processes = new ArrayList<>();

  @AfterEach
  void stop() {
    processes.forEach(Process::destroyForcibly);
  }

  private Process detect(TestKafka kafka, Topics topics, String appId) throws IOException {
    List<String> cmd =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-jar",
            Path.of("target", "labwatch.jar").toString(),
            "detect",
            "-b",
            kafka.bootstrapServers(),
            "--topic-prefix",
            topics.prefix());
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("detect-" + processes.size() + ".log").toFile());
    pb.environment().put("LABWATCH_DATA_DIR", dir.resolve("data").toString());
    pb.environment().put("LABWATCH_DETECTION_APPLICATION_ID", appId);
    pb.environment().put("LABWATCH_DETECTION_WALL_CLOCK_SILENCE", "false");
    Process p = pb.start();
    processes.add(p);
    return p;
  }

  private static ArpObservation reply(MacAddress mac, Instant at) {
    return new ArpObservation(
        at,
        "lab-sw1",
        "eth0",
        null,
        PacketClass.REPLY,
        SERVER_IP,
        mac,
        IpAddress.of("10.77.0.21"),
        MacAddress.of("52:54:00:77:00:21"),
        mac);
  }

  private static void send(KafkaProducer<String, SensorEvent> p, Topics topics, SensorEvent e)
      throws Exception {
    String key = e instanceof ArpObservation o ? o.subjectIp().toString() : e.sensorId();
    if (e instanceof Heartbeat) {
      for (int partition = 0; partition < topics.arp().partitions(); partition++) {
        p.send(
                new ProducerRecord<>(
                    topics.arp().name(), partition, e.eventTime().toEpochMilli(), key, e))
            .get();
      }
    } else {
      p.send(new ProducerRecord<>(topics.arp().name(), null, e.eventTime().toEpochMilli(), key, e))
          .get();
    }
  }

  private static List<Alert> alerts(TestKafka kafka, Topics topics) {
    return kafka.readAll(topics.alerts()).stream().map(ConsumerRecord::value).toList();
  }

  @Test
  void exactlyOneFiringAndOneResolvedAcrossAKilledAndRestartedDetection(TestKafka kafka)
      throws Exception {
    Topics topics = TestKafka.uniqueTopics();
    try (var admin = kafka.admin()) {
      new TopicManager(admin).ensure(topics.all(), -1);
    }
    String appId = "detect-it-" + UUID.randomUUID();
    Process first = detect(kafka, topics, appId);
    Instant t = T0;
    try (KafkaProducer<String, SensorEvent> producer = kafka.producer(topics.arp())) {
      // the server alone, then the router answering too: a conflict
      for (int i = 0; i < 5; i++) {
        send(producer, topics, reply(SERVER, t));
        t = t.plusSeconds(10);
      }
      for (int i = 0; i < 10; i++) {
        send(producer, topics, reply(ROUTER, t));
        send(producer, topics, reply(SERVER, t.plusMillis(30)));
        t = t.plusSeconds(2);
      }
      await()
          .atMost(Duration.ofSeconds(90))
          .until(
              () -> alerts(kafka, topics).stream().anyMatch(a -> a.kind().equals("IP_CONFLICT")));

      // killed in the middle of the incident, with more evidence arriving meanwhile
      for (int i = 0; i < 10; i++) {
        send(producer, topics, reply(ROUTER, t));
        send(producer, topics, reply(SERVER, t.plusMillis(30)));
        t = t.plusSeconds(2);
      }
      first.destroyForcibly();
      assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
      Instant routerLast = t.minusSeconds(2);

      Process second = detect(kafka, topics, appId);
      // the router is gone; the server alone holds the address well past the quiet period
      // (every 30 s: a longer pause than the sensors' silence threshold is time nobody watched,
      // which does not count as quiet)
      for (int i = 0; i < 30; i++) {
        t = t.plusSeconds(30);
        send(producer, topics, reply(SERVER, t));
        send(producer, topics, new Heartbeat(t, "lab-sw1", 10_000, new Heartbeat.Capture(1, 0, 0)));
      }
      await()
          .atMost(Duration.ofSeconds(120))
          .until(
              () -> alerts(kafka, topics).stream().anyMatch(a -> a.state() == AlertState.RESOLVED));
      second.destroy();
      assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();

      List<Alert> conflict =
          alerts(kafka, topics).stream().filter(a -> a.kind().equals("IP_CONFLICT")).toList();
      assertThat(conflict)
          .extracting(Alert::state)
          .containsExactly(AlertState.FIRING, AlertState.RESOLVED);
      assertThat(conflict).extracting(Alert::incidentId).containsOnly(conflict.get(0).incidentId());
      assertThat(conflict.get(1).endedAt()).isEqualTo(routerLast.plus(Duration.ofMinutes(10)));
      assertThat(conflict.get(1).evidence().flips())
          .isEqualTo(40); // 2 at firing, 18 more, 20 across the kill
    }
  }

  @Test
  void aRecordThatCannotBeDecodedLandsOnTheDeadLetterTopicWithItsReason(TestKafka kafka)
      throws Exception {
    Topics topics = TestKafka.uniqueTopics();
    try (var admin = kafka.admin()) {
      new TopicManager(admin).ensure(topics.all(), -1);
    }
    detect(kafka, topics, "detect-dlq-" + UUID.randomUUID());
    byte[] garbage = "{\"type\":\"arp\",\"v\":1,\"senderIp\":".getBytes(StandardCharsets.UTF_8);
    try (KafkaProducer<byte[], byte[]> raw =
            new KafkaProducer<>(
                Map.of("bootstrap.servers", kafka.bootstrapServers()),
                new ByteArraySerializer(),
                new ByteArraySerializer());
        KafkaProducer<String, SensorEvent> producer = kafka.producer(topics.arp())) {
      raw.send(
              new ProducerRecord<>(
                  topics.arp().name(), 0, "10.77.0.10".getBytes(StandardCharsets.UTF_8), garbage))
          .get();
      send(producer, topics, reply(SERVER, T0));
      send(producer, topics, reply(ROUTER, T0.plusMillis(20)));
    }
    await().atMost(Duration.ofSeconds(90)).until(() -> !kafka.readAll(topics.dlq()).isEmpty());
    ConsumerRecord<byte[], byte[]> dead = kafka.readAll(topics.dlq()).get(0);
    assertThat(dead.value()).isEqualTo(garbage);
    assertThat(
            new String(
                dead.headers().lastHeader(DeadLetters.REASON).value(), StandardCharsets.UTF_8))
        .startsWith(
            "cannot decode SensorEvent on "
                + topics.arp().name()
                + " from "
                + garbage.length
                + " bytes");
    assertThat(
            new String(
                dead.headers().lastHeader(DeadLetters.SOURCE_OFFSET).value(),
                StandardCharsets.UTF_8))
        .isEqualTo("0");
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> alerts(kafka, topics).stream().anyMatch(a -> a.kind().equals("IP_CONFLICT")));
  }

  static String log(Path p) throws IOException {
    return Files.exists(p) ? Files.readString(p) : "";
  }
}
