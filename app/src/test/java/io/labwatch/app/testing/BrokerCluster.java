package io.labwatch.app.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * A real Kafka cluster of {@code labwatch broker} processes on loopback, one JVM per node, every
 * node broker and controller (a quorum of all of them): as a lab runs three on three boxes (issue
 * 20). A node can be killed ({@code kill -9}), stopped and started again on its data.
 */
public final class BrokerCluster implements AutoCloseable {

  /**
   * The packaged jar: {@code target/labwatch.jar} of the app module (where its tests run), or
   * {@code -Dlabwatch.jar} (the benchmarks, from the repository's root).
   */
  public static Path jar() {
    return Path.of(System.getProperty("labwatch.jar", "target/labwatch.jar")).toAbsolutePath();
  }

  private final Path dir;
  private final int[] ports;
  private final String voters;
  private final Process[] nodes;

  private BrokerCluster(Path dir, int[] ports, String voters) {
    this.dir = dir;
    this.ports = ports;
    this.voters = voters;
    this.nodes = new Process[ports.length];
  }

  /** Starts {@code size} nodes and returns once all of them are in the cluster. */
  public static BrokerCluster start(Path dir, int size) throws IOException {
    int[] ports = new int[size];
    List<String> voters = new ArrayList<>();
    for (int n = 1; n <= size; n++) {
      ports[n - 1] = PrometheusServer.freePort();
      voters.add(n + "@127.0.0.1:" + PrometheusServer.freePort());
    }
    BrokerCluster cluster = new BrokerCluster(dir, ports, String.join(",", voters));
    try {
      // all at once: a node's start waits for a majority of the quorum
      for (int n = 1; n <= size; n++) {
        cluster.spawn(n);
      }
      for (int n = 1; n <= size; n++) {
        cluster.awaitListening(n);
      }
      cluster.awaitNodes(size);
      return cluster;
    } catch (IOException | RuntimeException | Error e) {
      cluster.close();
      throw e;
    }
  }

  public String bootstrapServers() {
    return String.join(",", IntStream.of(ports).mapToObj(p -> "127.0.0.1:" + p).toList());
  }

  public Admin admin() {
    return Admin.create(Map.of("bootstrap.servers", bootstrapServers()));
  }

  /** Starts node {@code n} (1-based) again on its data dir, and waits until it listens. */
  public void startNode(int n) throws IOException {
    spawn(n);
    awaitListening(n);
  }

  private void spawn(int n) throws IOException {
    Path out = dir.resolve("node" + n + ".out");
    Files.deleteIfExists(out);
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-jar",
                jar().toString(),
                "broker",
                "--data-dir",
                dir.resolve("node" + n).toString(),
                "--port",
                Integer.toString(ports[n - 1]),
                "--node-id",
                Integer.toString(n),
                "--voters",
                voters)
            .redirectErrorStream(true)
            .redirectOutput(out.toFile())
            .start();
    nodes[n - 1] = p;
  }

  private void awaitListening(int n) throws IOException {
    Process p = nodes[n - 1];
    Path out = dir.resolve("node" + n + ".out");
    try {
      await()
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofMillis(200))
          .failFast("node " + n + " exited", () -> !p.isAlive())
          .until(() -> Files.readString(out).contains("Kafka listening on"));
    } catch (RuntimeException e) {
      throw new AssertionError(e.getMessage() + "; its output:\n" + Files.readString(out), e);
    }
  }

  /** Waits until the cluster's metadata has {@code count} brokers. */
  public void awaitNodes(int count) {
    try (Admin admin = admin()) {
      await()
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofMillis(500))
          .ignoreExceptions()
          .until(() -> admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size() == count);
    }
  }

  /** Starts every node again at once (a node waits for a majority of the quorum to start). */
  public void startAll() throws IOException {
    for (int n = 1; n <= nodes.length; n++) {
      spawn(n);
    }
    for (int n = 1; n <= nodes.length; n++) {
      awaitListening(n);
    }
  }

  /** The node (1-based) that leads {@code topic}'s partition {@code partition} now. */
  public int leaderOf(String topic, int partition) {
    try (Admin admin = admin()) {
      return await()
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions()
          .until(
              () ->
                  admin
                      .describeTopics(List.of(topic))
                      .allTopicNames()
                      .get(10, TimeUnit.SECONDS)
                      .get(topic)
                      .partitions()
                      .get(partition)
                      .leader()
                      .id(),
              id -> id > 0);
    }
  }

  /**
   * The partitions of {@code topic} assigned in group {@code groupId} to the members whose client
   * id names process {@code pid} (as labwatch's detection names its instances: {@code
   * labwatch-detect-HOST-PID-...}), by partition number.
   */
  public static java.util.SortedSet<TopicPartition> partitionsHeldBy(
      Admin admin, String groupId, String topic, long pid) throws Exception {
    ConsumerGroupDescription group =
        admin.describeConsumerGroups(List.of(groupId)).all().get(10, TimeUnit.SECONDS).get(groupId);
    java.util.SortedSet<TopicPartition> out =
        new java.util.TreeSet<>((a, b) -> Integer.compare(a.partition(), b.partition()));
    for (MemberDescription m : group.members()) {
      if (m.clientId().contains("-" + pid + "-")) {
        m.assignment().topicPartitions().stream()
            .filter(tp -> tp.topic().equals(topic))
            .forEach(out::add);
      }
    }
    return out;
  }

  /** The end offsets of {@code partitions} now. */
  public static Map<TopicPartition, Long> endOffsets(
      Admin admin, java.util.Collection<TopicPartition> partitions) throws Exception {
    Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
    partitions.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
    Map<TopicPartition, Long> out = new java.util.HashMap<>();
    admin
        .listOffsets(latest)
        .all()
        .get(10, TimeUnit.SECONDS)
        .forEach((tp, info) -> out.put(tp, info.offset()));
    return out;
  }

  /**
   * True when group {@code groupId} has committed at least to {@code ends} on each of those
   * partitions.
   *
   * @throws java.util.concurrent.ExecutionException e.g. while the group does not exist yet
   */
  public static boolean committedPast(Admin admin, String groupId, Map<TopicPartition, Long> ends)
      throws Exception {
    Map<TopicPartition, OffsetAndMetadata> committed =
        admin
            .listConsumerGroupOffsets(groupId)
            .partitionsToOffsetAndMetadata()
            .get(5, TimeUnit.SECONDS);
    return ends.entrySet().stream()
        .allMatch(
            e ->
                committed.get(e.getKey()) != null
                    && committed.get(e.getKey()).offset() >= e.getValue());
  }

  /** Sends node {@code n} a signal ({@code STOP}, {@code CONT}) with kill(1). */
  public void signal(int n, String signal) throws IOException, InterruptedException {
    Process kill =
        new ProcessBuilder("kill", "-" + signal, Long.toString(nodes[n - 1].pid())).start();
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IOException("kill -" + signal + " of node " + n + " failed");
    }
  }

  public int size() {
    return nodes.length;
  }

  /** {@code kill -9} of node {@code n}. */
  public void kill(int n) throws InterruptedException {
    Process p = nodes[n - 1];
    p.destroyForcibly();
    p.waitFor(30, TimeUnit.SECONDS);
  }

  /** What node {@code n} printed. */
  public String output(int n) throws IOException {
    return Files.readString(dir.resolve("node" + n + ".out"));
  }

  @Override
  public void close() {
    for (Process p : nodes) {
      if (p != null) {
        p.destroy();
      }
    }
    for (Process p : nodes) {
      if (p != null) {
        try {
          if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
          }
        } catch (InterruptedException e) {
          p.destroyForcibly();
          Thread.currentThread().interrupt();
        }
      }
    }
  }
}
