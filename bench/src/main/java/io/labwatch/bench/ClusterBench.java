package io.labwatch.bench;

import io.labwatch.app.testing.BrokerCluster;
import io.labwatch.events.ArpObservation;
import io.labwatch.events.Topics;
import io.labwatch.producers.publish.KafkaEventPublisher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;

/**
 * Issue 20's benchmarks, on real {@code labwatch broker} processes (a three-node cluster, every
 * node broker and controller, topics at RF 3 with two in sync) and real {@code labwatch detect}
 * processes (the packaged jar, -Dlabwatch.jar):
 *
 * <ul>
 *   <li>{@code produce}: the ARP sensor's publisher (idempotent, acks=all, lz4) sending a lab's
 *       observations to the cluster, against the same to one broker (a one-node cluster of the same
 *       process); alternating rounds, the median ratio;
 *   <li>{@code detect}: one and two detection instances over the same backlog in a six-partition
 *       {@code labwatch.arp}, from the processes' start until their commits reach its end;
 *       alternating rounds;
 *   <li>{@code takeover}: two instances caught up on a backlog and fed live; one is {@code kill
 *       -9}ed; how long until the other has committed, on every partition the dead one held, past
 *       what was there at the kill — with one standby replica and without; alternating rounds.
 * </ul>
 */
public final class ClusterBench {

  private static final int ROUNDS = Integer.getInteger("bench.rounds", 3);

  private ClusterBench() {}

  public static void main(String[] args) throws Exception {
    String what = args.length > 0 ? args[0] : "all";
    System.out.printf(
        "machine: %d cores, %s %s; load average %s%n",
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.vm.name"),
        System.getProperty("java.version"),
        Files.readString(Path.of("/proc/loadavg")).trim());
    Path work = Files.createTempDirectory("labwatch-bench-cluster");
    try (BrokerCluster cluster = BrokerCluster.start(dirOf(work, "cluster"), 3)) {
      if (what.equals("produce") || what.equals("all")) {
        produce(cluster, work);
      }
      if (what.equals("detect") || what.equals("all")) {
        detect(cluster, work);
      }
      if (what.equals("takeover") || what.equals("all")) {
        takeover(cluster, work);
      }
    } finally {
      System.out.printf(
          "load average at the end: %s%n", Files.readString(Path.of("/proc/loadavg")).trim());
    }
  }

  private static Path dirOf(Path work, String name) throws IOException {
    return Files.createDirectories(work.resolve(name));
  }

  // ---- produce

  static void produce(BrokerCluster cluster, Path work) throws Exception {
    int n = Integer.getInteger("bench.records", 300_000);
    List<ArpObservation> traffic = new Traffic(10_000, 1000).observations(n);
    System.out.printf(
        "%nsensor → Kafka: %,d observations through the ARP sensor's publisher (acks=all,"
            + " idempotent, lz4), %d rounds%n",
        n, ROUNDS);
    try (BrokerCluster single = BrokerCluster.start(dirOf(work, "single"), 1)) {
      // warm-up of both (JIT of this JVM, the brokers' page cache and log segments)
      publish(single, traffic.subList(0, n / 5));
      publish(cluster, traffic.subList(0, n / 5));
      System.out.println(
          "| round | one broker rec/s | 3 brokers, RF 3, min.insync 2 rec/s | × one broker |");
      System.out.println(
          "|-------|------------------|--------------------------------------|--------------|");
      double[] ratios = new double[ROUNDS];
      for (int r = 0; r < ROUNDS; r++) {
        double one;
        double three;
        if (r % 2 == 0) {
          one = publish(single, traffic);
          three = publish(cluster, traffic);
        } else {
          three = publish(cluster, traffic);
          one = publish(single, traffic);
        }
        ratios[r] = one / three;
        System.out.printf(
            "| %5d | %,16.0f | %,36.0f | %12.2f |%n", r + 1, n / one, n / three, ratios[r]);
      }
      Arrays.sort(ratios);
      System.out.printf(
          "median × one broker: %.2f (min %.2f, max %.2f)%n",
          ratios[ROUNDS / 2], ratios[0], ratios[ROUNDS - 1]);
    }
  }

  /** Seconds to publish {@code traffic} to new topics on {@code target}, until all acknowledged. */
  private static double publish(BrokerCluster target, List<ArpObservation> traffic)
      throws Exception {
    Topics topics = Topics.withPrefix("p" + UUID.randomUUID().toString().substring(0, 6) + ".");
    DetectionBench.ensure(target.bootstrapServers(), topics);
    long start = System.nanoTime();
    try (KafkaEventPublisher publisher =
        KafkaEventPublisher.forReplay(
            topics.arp(), Map.of("bootstrap.servers", target.bootstrapServers()))) {
      for (ArpObservation o : traffic) {
        publisher.observation(o);
      }
    } // (close flushes: every record acknowledged)
    return (System.nanoTime() - start) / 1e9;
  }

  // ---- detect

  static void detect(BrokerCluster cluster, Path work) throws Exception {
    int n = Integer.getInteger("bench.records", 500_000);
    int hosts = 10_000;
    String bootstrap = cluster.bootstrapServers();
    Topics topics = Topics.withPrefix("d.").withPartitions(Map.of("arp", 6));
    DetectionBench.ensure(bootstrap, topics);
    DetectionBench.preload(bootstrap, topics, new Traffic(hosts, 1000).observations(n));
    System.out.printf(
        "%ndetection instances on the cluster: %,d observations of %,d hosts in 6 partitions,"
            + " `labwatch detect` processes (-Xmx512m) from their start until their commits reach"
            + " the end, %d rounds each%n",
        n, hosts, ROUNDS);
    System.out.println(
        "| round | 1 instance s | 1 instance rec/s | 2 instances s | 2 instances rec/s | × one |");
    System.out.println(
        "|-------|--------------|------------------|---------------|-------------------|-------|");
    double[] ratios = new double[ROUNDS];
    for (int r = 0; r < ROUNDS; r++) {
      double one;
      double two;
      if (r % 2 == 0) {
        one = catchUp(cluster, topics, work, 1);
        two = catchUp(cluster, topics, work, 2);
      } else {
        two = catchUp(cluster, topics, work, 2);
        one = catchUp(cluster, topics, work, 1);
      }
      ratios[r] = one / two;
      System.out.printf(
          "| %5d | %12.1f | %,16.0f | %13.1f | %,17.0f | %5.2f |%n",
          r + 1, one, n / one, two, n / two, ratios[r]);
    }
    Arrays.sort(ratios);
    System.out.printf(
        "median throughput of 2 instances × 1: %.2f (min %.2f, max %.2f)%n",
        ratios[ROUNDS / 2], ratios[0], ratios[ROUNDS - 1]);
  }

  /** Seconds from starting {@code count} instances (a new application) until caught up. */
  private static double catchUp(BrokerCluster cluster, Topics topics, Path work, int count)
      throws Exception {
    String appId = "bench-" + UUID.randomUUID();
    List<Process> instances = new ArrayList<>();
    long start = System.nanoTime();
    try (Admin admin = cluster.admin()) {
      Map<TopicPartition, Long> ends = BrokerCluster.endOffsets(admin, arpPartitions(topics));
      for (int i = 0; i < count; i++) {
        instances.add(detect(cluster, topics, work, appId, i, 1));
      }
      awaitCommitted(admin, appId, ends, instances, Duration.ofMinutes(10));
      return (System.nanoTime() - start) / 1e9;
    } finally {
      stop(instances);
    }
  }

  // ---- takeover

  static void takeover(BrokerCluster cluster, Path work) throws Exception {
    int n = Integer.getInteger("bench.takeoverRecords", 300_000);
    int hosts = 50_000;
    String bootstrap = cluster.bootstrapServers();
    Topics topics = Topics.withPrefix("k.").withPartitions(Map.of("arp", 6));
    DetectionBench.ensure(bootstrap, topics);
    Traffic traffic = new Traffic(hosts, 1000);
    DetectionBench.preload(bootstrap, topics, traffic.observations(n));
    System.out.printf(
        "%ntake-over after kill -9 of one of two detection instances: state of %,d hosts (%,d"
            + " observations) in 6 partitions, fed live at ~1,000 observations/s; from the kill"
            + " until the survivor has committed, on every partition the dead one held, past its"
            + " end at the kill (group session 10 s); %d rounds each%n",
        hosts, n, ROUNDS);
    System.out.println("| round | 1 standby replica s | no standby s |");
    System.out.println("|-------|---------------------|--------------|");
    double[] with = new double[ROUNDS];
    double[] without = new double[ROUNDS];
    Instant[] next = {Traffic.START.plus(Duration.ofDays(1))};
    for (int r = 0; r < ROUNDS; r++) {
      if (r % 2 == 0) {
        with[r] = killOne(cluster, topics, work, 1, traffic, next);
        without[r] = killOne(cluster, topics, work, 0, traffic, next);
      } else {
        without[r] = killOne(cluster, topics, work, 0, traffic, next);
        with[r] = killOne(cluster, topics, work, 1, traffic, next);
      }
      System.out.printf("| %5d | %19.1f | %12.1f |%n", r + 1, with[r], without[r]);
    }
    Arrays.sort(with);
    Arrays.sort(without);
    System.out.printf(
        "median take-over: %.1f s with a standby, %.1f s without%n",
        with[ROUNDS / 2], without[ROUNDS / 2]);
  }

  private static double killOne(
      BrokerCluster cluster, Topics topics, Path work, int standby, Traffic traffic, Instant[] next)
      throws Exception {
    String appId = "bench-" + UUID.randomUUID();
    List<Process> instances = new ArrayList<>();
    AtomicBoolean feeding = new AtomicBoolean(true);
    Thread feed = null;
    try (Admin admin = cluster.admin()) {
      instances.add(detect(cluster, topics, work, appId, 0, standby));
      instances.add(detect(cluster, topics, work, appId, 1, standby));
      awaitCommitted(
          admin,
          appId,
          BrokerCluster.endOffsets(admin, arpPartitions(topics)),
          instances,
          Duration.ofMinutes(10));
      // the standby copies fill from the changelogs once the active tasks have written them
      Thread.sleep(10_000);
      Instant from = next[0];
      feed =
          new Thread(
              () -> {
                try (KafkaEventPublisher p =
                    KafkaEventPublisher.forReplay(
                        topics.arp(), Map.of("bootstrap.servers", cluster.bootstrapServers()))) {
                  Instant t = from;
                  while (feeding.get()) {
                    for (ArpObservation o : traffic.observations(100, t)) {
                      p.observation(o);
                    }
                    t = t.plusSeconds(100);
                    Thread.sleep(100);
                  }
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              },
              "feed");
      feed.start();
      next[0] = from.plus(Duration.ofDays(1));
      Thread.sleep(3_000);
      Process victim = instances.get(0);
      Set<TopicPartition> held =
          BrokerCluster.partitionsHeldBy(admin, appId, topics.arp().name(), victim.pid());
      if (held.isEmpty()) {
        throw new IllegalStateException("the instance to kill holds no arp partition");
      }
      victim.destroyForcibly();
      long killed = System.nanoTime();
      victim.waitFor(30, TimeUnit.SECONDS);
      Thread.sleep(
          500); // (records come in all along: each of its partitions got more after the kill)
      Map<TopicPartition, Long> ends = BrokerCluster.endOffsets(admin, held);
      awaitCommitted(admin, appId, ends, instances.subList(1, 2), Duration.ofMinutes(5));
      return (System.nanoTime() - killed) / 1e9;
    } finally {
      feeding.set(false);
      if (feed != null) {
        feed.join(30_000);
      }
      stop(instances);
    }
  }

  // ---- common

  private static Process detect(
      BrokerCluster cluster, Topics topics, Path work, String appId, int i, int standby)
      throws IOException {
    Path dir = work.resolve(appId + "-" + i);
    Files.createDirectories(dir);
    ProcessBuilder pb =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                "-jar",
                BrokerCluster.jar().toString(),
                "detect",
                "-b",
                cluster.bootstrapServers(),
                "--topic-prefix",
                topics.prefix(),
                "--data-dir",
                dir.toString(),
                "--standby-replicas",
                Integer.toString(standby))
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("detect.log").toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("LABWATCH_"));
    pb.environment().put("LABWATCH_DETECTION_APPLICATION_ID", appId);
    pb.environment().put("LABWATCH_DETECTION_WALL_CLOCK_SILENCE", "false");
    return pb.start();
  }

  private static void stop(List<Process> processes) throws InterruptedException {
    processes.forEach(Process::destroy);
    for (Process p : processes) {
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }

  private static Set<TopicPartition> arpPartitions(Topics topics) {
    Set<TopicPartition> out =
        new TreeSet<>((a, b) -> Integer.compare(a.partition(), b.partition()));
    for (int p = 0; p < topics.arp().partitions(); p++) {
      out.add(new TopicPartition(topics.arp().name(), p));
    }
    return out;
  }

  /** Waits until the group has committed at least to {@code ends} on each of those partitions. */
  private static void awaitCommitted(
      Admin admin,
      String appId,
      Map<TopicPartition, Long> ends,
      List<Process> instances,
      Duration atMost)
      throws Exception {
    long deadline = System.nanoTime() + atMost.toNanos();
    while (true) {
      for (Process p : instances) {
        if (!p.isAlive()) {
          throw new IllegalStateException("a detection instance exited: " + p.exitValue());
        }
      }
      try {
        if (BrokerCluster.committedPast(admin, appId, ends)) {
          return;
        }
      } catch (java.util.concurrent.ExecutionException e) {
        // the group does not exist yet
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the detection did not catch up in " + atMost);
      }
      Thread.sleep(50);
    }
  }
}
