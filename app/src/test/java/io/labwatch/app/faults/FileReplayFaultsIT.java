package io.labwatch.app.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.labwatch.app.kafka.TopicManager;
import io.labwatch.app.testing.Captures;
import io.labwatch.app.testing.Cli;
import io.labwatch.app.testing.KafkaBrokerExtension;
import io.labwatch.app.testing.PrometheusServer;
import io.labwatch.app.testing.TestKafka;
import io.labwatch.events.Alert;
import io.labwatch.events.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Issue 12, items 4, 7 and 8: `labwatch sensor arp --pcap` when things go wrong. */
@ExtendWith(KafkaBrokerExtension.class)
class FileReplayFaultsIT {

  static final Path FIXTURE =
      Path.of("..", "producers", "src", "test", "resources", "pcap", "ip-conflict.pcap");

  @TempDir Path dir;
  private final List<Process> processes = new ArrayList<>();

  @AfterEach
  void stop() {
    processes.forEach(Process::destroyForcibly);
  }

  @Test
  void aCaptureOlderThanTheTopicsRetentionIsRefusedBeforeAnythingIsPublishedAndPointsToAnalyze(
      TestKafka kafka) throws Exception {
    Topics topics = TestKafka.uniqueTopics();
    Path old =
        Captures.redated(
            FIXTURE, dir.resolve("old.pcap"), 1, Instant.parse("2023-05-01T10:00:00Z"));

    Cli.Result r =
        new Cli()
            .run(
                "sensor",
                "arp",
                "--pcap",
                old.toString(),
                "-b",
                kafka.bootstrapServers(),
                "--topic-prefix",
                topics.prefix());

    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.errLines())
        .singleElement()
        .asString()
        .contains(
            "captured at 2023-05-01T10:00:00Z",
            "(30 days, counted from the capture time)",
            "`labwatch analyze " + old + "`");
    try (var admin = kafka.admin()) {
      assertThat(admin.listTopics().names().get()).doesNotContain(topics.arp().name());
    }
  }

  @Test
  void aBrokerThatDiesMidReplayEndsTheReplayWithinItsBoundInOneLineAndExitOne() throws Exception {
    Process sensor = replayingWhenItsBrokerDies();
    long killed = System.nanoTime();

    assertThat(sensor.waitFor(90, TimeUnit.SECONDS)).as(log("sensor.log")).isTrue();
    Duration took = Duration.ofNanos(System.nanoTime() - killed);
    assertThat(sensor.exitValue()).as(log("sensor.log")).isEqualTo(1);
    String out = log("sensor.log");
    assertThat(out).contains("stopped early: cannot publish (").doesNotContain("unexpected error");
    assertThat(out.lines().filter(l -> l.contains("Exception") && l.startsWith("\tat "))).isEmpty();
    System.err.println("the replay gave up " + took.toSeconds() + " s after the broker died");
  }

  @Test
  void sigtermDuringAReplayToADeadBrokerStopsAtOnceWithoutAnUnexpectedError() throws Exception {
    Process sensor = replayingWhenItsBrokerDies();
    Thread.sleep(2_000);
    sensor.destroy(); // SIGTERM

    assertThat(sensor.waitFor(30, TimeUnit.SECONDS)).as(log("sensor.log")).isTrue();
    String out = log("sensor.log");
    assertThat(out).doesNotContain("unexpected error").contains("stopped early");
  }

  @Test
  void aFileReplayThatEndsRaisesNoSensorSilent(TestKafka kafka) throws Exception {
    Topics topics = TestKafka.uniqueTopics();
    try (var admin = kafka.admin()) {
      new TopicManager(admin).ensure(topics.all(), -1);
    }
    // the detection as it runs live: silence is also noticed by the wall clock
    Process detect =
        start(
            "detect.log",
            "detect",
            "-b",
            kafka.bootstrapServers(),
            "--topic-prefix",
            topics.prefix());
    await()
        .atMost(Duration.ofSeconds(90))
        .until(() -> log("detect.log").contains("labwatch detect:"));
    Path recent =
        Captures.redated(FIXTURE, dir.resolve("recent.pcap"), 1, Instant.now().minusSeconds(60));

    Cli.Result r =
        new Cli()
            .run(
                "sensor",
                "arp",
                "--pcap",
                recent.toString(),
                "--heartbeat-interval",
                "1s",
                "-b",
                kafka.bootstrapServers(),
                "--topic-prefix",
                topics.prefix());
    assertThat(r.exitCode()).as(r.err()).isZero();

    // the conflict in it is found ...
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> kinds(kafka, topics).contains("IP_CONFLICT"));
    // ... and the replay's end is no silent sensor, though its heartbeats (1 s) stopped long ago
    await()
        .during(Duration.ofSeconds(15))
        .atMost(Duration.ofSeconds(20))
        .until(() -> !kinds(kafka, topics).contains("SENSOR_SILENT"));
    assertThat(detect.isAlive()).isTrue();
  }

  /** Item 1: a board without a clock stamps its first packet 1970. */
  @Test
  void aCaptureWhoseFirstPacketSays1970IsAnalysedAndPublishedInAMomentNotFiftyYearsOfHeartbeats(
      TestKafka kafka) throws Exception {
    Path capture =
        Captures.redated(FIXTURE, dir.resolve("rtc.pcap"), 1, Instant.now().minusSeconds(60));
    byte[] bytes = Files.readAllBytes(capture);
    java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(24, 0);
    Files.write(capture, bytes);

    Cli.Result analysed = new Cli().run("analyze", capture.toString());
    assertThat(analysed.exitCode()).as(analysed.err()).isZero();
    assertThat(analysed.out()).contains("IP_CONFLICT");
    assertThat(analysed.err()).contains("stamped out of range: 1", "says 1970-01-01T00:00:00");

    Topics topics = TestKafka.uniqueTopics();
    Cli.Result published =
        new Cli()
            .run(
                "sensor",
                "arp",
                "--pcap",
                capture.toString(),
                "-b",
                kafka.bootstrapServers(),
                "--topic-prefix",
                topics.prefix());
    assertThat(published.exitCode()).as(published.err()).isZero();
    // 14 observations and a heartbeat or two to each partition: not 17 million
    assertThat(kafka.readAll(topics.arp())).hasSizeLessThan(30);
  }

  /** Item 6: a corrupt record length is damage, and the conflict after it is still found. */
  @Test
  void aCaptureWithACorruptRecordLengthIsAnalysedPastTheDamage() throws Exception {
    byte[] bytes = Files.readAllBytes(FIXTURE);
    java.nio.ByteBuffer.wrap(bytes)
        .order(java.nio.ByteOrder.LITTLE_ENDIAN)
        .putInt(24 + 58 + 8, 0x7FFF0000); // the second record's captured length
    Path damaged = Files.write(dir.resolve("damaged.pcap"), bytes);

    Cli.Result r = new Cli().run("analyze", damaged.toString());

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).contains("IP_CONFLICT");
    assertThat(r.err())
        .contains("read 15 packets", "analysed 14 observations", "damaged at offset 82: 1 record");
  }

  private static List<String> kinds(TestKafka kafka, Topics topics) {
    return kafka.readAll(topics.alerts()).stream()
        .map(ConsumerRecord::value)
        .map(Alert::kind)
        .toList();
  }

  /**
   * `labwatch sensor arp --pcap` of 900,000 packets into a broker process, which is killed once the
   * first records are in.
   */
  private Process replayingWhenItsBrokerDies() throws Exception {
    int port = PrometheusServer.freePort();
    Process broker = broker(port);
    Path big =
        Captures.redated(
            FIXTURE, dir.resolve("big.pcap"), 60_000, Instant.now().minus(Duration.ofHours(2)));
    Process sensor =
        start("sensor.log", "sensor", "arp", "--pcap", big.toString(), "-b", "127.0.0.1:" + port);
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> topicHasRecords(port) || !sensor.isAlive());
    assertThat(sensor.isAlive()).as("the replay is still going; %s", log("sensor.log")).isTrue();
    broker.destroyForcibly();
    return sensor;
  }

  private static boolean topicHasRecords(int port) {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", "127.0.0.1:" + port))) {
      Map<TopicPartition, OffsetSpec> ends = new java.util.HashMap<>();
      for (int p = 0; p < Topics.defaults().arp().partitions(); p++) {
        ends.put(new TopicPartition(Topics.defaults().arp().name(), p), OffsetSpec.latest());
      }
      return admin.listOffsets(ends).all().get(5, TimeUnit.SECONDS).values().stream()
          .anyMatch(o -> o.offset() > 0);
    } catch (Exception e) {
      return false; // not there yet
    }
  }

  private Process broker(int port) throws Exception {
    Process p =
        start(
            "broker.log",
            "broker",
            "--data-dir",
            dir.resolve("broker").toString(),
            "--port",
            Integer.toString(port));
    await()
        .atMost(Duration.ofSeconds(90))
        .until(() -> !p.isAlive() || log("broker.log").contains("Kafka listening on"));
    assertThat(p.isAlive()).as(log("broker.log")).isTrue();
    return p;
  }

  private Process start(String logName, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-jar");
    cmd.add(Path.of("target", "labwatch.jar").toString());
    cmd.addAll(List.of(args));
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve(logName).toFile());
    pb.environment().put("LABWATCH_DATA_DIR", dir.resolve("data-" + UUID.randomUUID()).toString());
    Process p = pb.start();
    processes.add(p);
    return p;
  }

  private String log(String name) throws IOException {
    Path p = dir.resolve(name);
    return Files.exists(p) ? Files.readString(p) : "";
  }
}
