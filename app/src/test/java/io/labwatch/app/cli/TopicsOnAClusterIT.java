package io.labwatch.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.labwatch.app.testing.BrokerCluster;
import io.labwatch.app.testing.Captures;
import io.labwatch.app.testing.Cli;
import io.labwatch.app.testing.TestKafka;
import io.labwatch.events.ArpObservation;
import io.labwatch.events.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20: labwatch's topics on a real cluster of three {@code labwatch broker} processes (each
 * its own JVM, together the KRaft quorum). {@code labwatch topics} gives every topic one replica
 * per broker up to three and {@code min.insync.replicas} 2; a topic made weaker (one replica, or
 * one in sync) is reported with the fix, and {@code --fix} makes it as strong (Kafka copies the
 * partitions to the added brokers).
 */
class TopicsOnAClusterIT {

  @TempDir static Path dir;
  static BrokerCluster cluster;

  @BeforeAll
  static void threeBrokers() throws Exception {
    cluster = BrokerCluster.start(dir, 3);
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** The table's rows: topic, partitions, replicas, min.insync. */
  private static List<List<String>> rows(Cli.Result r) {
    return r.outLines().stream()
        .filter(l -> l.startsWith("c"))
        .map(l -> List.of(l.split("\\s+")).subList(0, 4))
        .toList();
  }

  @Test
  void topicsGetThreeReplicasTwoInSyncAndWeakerOnesAreReportedAndFixed() throws Exception {
    Cli cli = new Cli();
    String b = cluster.bootstrapServers();

    Cli.Result created = cli.run("topics", "-b", b, "--topic-prefix", "c1.");
    assertThat(created.exitCode()).as(created.err()).isZero();
    assertThat(rows(created))
        .hasSize(9)
        .allSatisfy(row -> assertThat(row.subList(2, 4)).containsExactly("3", "2"));
    assertThat(created.err()).doesNotContain("warning");

    // topics made by an older labwatch (or by hand) with one replica, and one in sync
    Cli.Result weak =
        cli.env("LABWATCH_TOPICS_REPLICATION_FACTOR", "1")
            .run("topics", "-b", b, "--topic-prefix", "c2.");
    assertThat(weak.exitCode()).as(weak.err()).isZero();
    assertThat(rows(weak))
        .allSatisfy(row -> assertThat(row.subList(2, 4)).containsExactly("1", "1"));
    try (Admin admin = cluster.admin()) {
      // (and one with three replicas but one in sync)
      admin
          .incrementalAlterConfigs(
              Map.of(
                  new ConfigResource(ConfigResource.Type.TOPIC, "c1.alerts"),
                  List.of(
                      new AlterConfigOp(
                          new ConfigEntry("min.insync.replicas", "1"), AlterConfigOp.OpType.SET))))
          .all()
          .get(30, TimeUnit.SECONDS);
    }

    Cli cli2 = new Cli();
    Cli.Result reported = cli2.run("topics", "-b", b, "--topic-prefix", "c2.");
    assertThat(reported.exitCode()).isZero();
    assertThat(reported.err())
        .contains(
            "warning: c2.arp: replicas is 1, labwatch expects 3 — `labwatch topics --fix` adds"
                + " replicas (Kafka copies the partitions)")
        .contains("warning: c2.arp: min.insync.replicas is 1, labwatch expects 2");
    Cli.Result reported1 = cli2.run("topics", "-b", b, "--topic-prefix", "c1.");
    assertThat(reported1.err())
        .contains("warning: c1.alerts: min.insync.replicas is 1, labwatch expects 2")
        .doesNotContain("c1.arp");

    for (String prefix : List.of("c1.", "c2.")) {
      Cli.Result fixed = cli2.run("topics", "-b", b, "--topic-prefix", prefix, "--fix");
      assertThat(fixed.exitCode()).as(fixed.err()).isZero();
      assertThat(rows(fixed))
          .as(fixed.out())
          .hasSize(9)
          .allSatisfy(row -> assertThat(row.subList(2, 4)).containsExactly("3", "2"));
      assertThat(fixed.err()).as(prefix).doesNotContain("warning");
    }
    // the replicas are spread: every broker holds some of the topics' partitions
    try (Admin admin = cluster.admin()) {
      var holders =
          admin
              .describeTopics(List.of("c2.arp", "c2.snmp", "c2.host"))
              .allTopicNames()
              .get()
              .values()
              .stream()
              .flatMap(d -> d.partitions().stream())
              .flatMap(p -> p.replicas().stream())
              .map(n -> n.id())
              .distinct()
              .toList();
      assertThat(holders).containsExactlyInAnyOrder(1, 2, 3);
    }
  }

  /**
   * Every frame a sensor read is in {@code labwatch.arp} exactly once, though the broker leading
   * its partitions is killed mid-replay: the sensor's producer is idempotent with {@code acks=all},
   * so a batch retried on the new leader is not written twice, and with 2 of 3 in sync the cluster
   * takes writes with one broker down.
   */
  @Test
  void everyFrameIsInTheTopicExactlyOnceThoughTheLeadersBrokerIsKilledMidReplay() throws Exception {
    String b = cluster.bootstrapServers();
    Cli.Result topics = new Cli().run("topics", "-b", b, "--topic-prefix", "f.");
    assertThat(topics.exitCode()).as(topics.err()).isZero();
    Path capture =
        Captures.redated(
            Path.of("..", "producers", "src", "test", "resources", "pcap", "ip-conflict.pcap"),
            dir.resolve("many.pcap"),
            20_000,
            Instant.now().minus(Duration.ofHours(2)));
    Path log = dir.resolve("sensor.log");
    Process sensor =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                Path.of("target", "labwatch.jar").toAbsolutePath().toString(),
                "sensor",
                "arp",
                "--pcap",
                capture.toString(),
                "-b",
                b,
                "--topic-prefix",
                "f.")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    TestKafka kafka = TestKafka.at(b, "three labwatch brokers");
    Topics f = Topics.withPrefix("f.");
    int killed;
    try (Admin admin = cluster.admin()) {
      // mid-replay: once records have started to arrive, the leader of the partition they go to
      // (the capture's few addresses hash to one or two of the three)
      Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> ends =
          new java.util.HashMap<>();
      for (int p = 0; p < 3; p++) {
        ends.put(
            new org.apache.kafka.common.TopicPartition("f.arp", p),
            org.apache.kafka.clients.admin.OffsetSpec.latest());
      }
      java.util.concurrent.atomic.AtomicInteger busiest =
          new java.util.concurrent.atomic.AtomicInteger();
      await()
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofMillis(50))
          .failFast(
              "the sensor ended before the kill: " + Files.readString(log), () -> !sensor.isAlive())
          .until(
              () -> {
                var offsets = admin.listOffsets(ends).all().get();
                var top =
                    offsets.entrySet().stream()
                        .max(java.util.Comparator.comparingLong(e -> e.getValue().offset()))
                        .orElseThrow();
                busiest.set(top.getKey().partition());
                return top.getValue().offset() > 5_000;
              });
      killed =
          admin
              .describeTopics(List.of("f.arp"))
              .allTopicNames()
              .get()
              .get("f.arp")
              .partitions()
              .get(busiest.get())
              .leader()
              .id();
    }
    cluster.kill(killed);
    try {
      assertThat(sensor.waitFor(5, TimeUnit.MINUTES)).isTrue();
      String said = Files.readString(log);
      assertThat(sensor.exitValue()).as(said).isZero();
      Matcher m =
          Pattern.compile("read (\\d+) packets from .*: published (\\d+) observations")
              .matcher(said);
      assertThat(m.find()).as(said).isTrue();
      long published = Long.parseLong(m.group(2));
      assertThat(published).as(said).isGreaterThan(100_000);
      long observations =
          kafka.readAll(f.arp()).stream().filter(r -> r.value() instanceof ArpObservation).count();
      assertThat(observations)
          .as("observations in f.arp; the sensor said: %s", said)
          .isEqualTo(published);
      System.err.println(
          published
              + " observations of "
              + m.group(1)
              + " frames, each in f.arp once; broker "
              + killed
              + " killed mid-replay");
    } finally {
      cluster.startNode(killed);
      cluster.awaitNodes(3);
    }
  }
}
