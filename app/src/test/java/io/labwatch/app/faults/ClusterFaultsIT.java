package io.labwatch.app.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.labwatch.app.kafka.TopicManager;
import io.labwatch.app.testing.BrokerCluster;
import io.labwatch.app.testing.TestKafka;
import io.labwatch.events.Alert;
import io.labwatch.events.AlertState;
import io.labwatch.events.ArpObservation;
import io.labwatch.events.Heartbeat;
import io.labwatch.events.IpAddress;
import io.labwatch.events.MacAddress;
import io.labwatch.events.PacketClass;
import io.labwatch.events.Segments;
import io.labwatch.events.SensorEvent;
import io.labwatch.events.Topics;
import io.labwatch.sinks.testing.FakeSlack;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20: labwatch's parts on a real three-node Kafka cluster ({@code labwatch broker} processes,
 * a three-voter quorum, topics at RF 3 with two in sync), two {@code labwatch detect} instances of
 * one application with a standby replica each, and {@code labwatch sink slack} posting to the Slack
 * stand-in. Observations of two sensors stream in all along — one on a trunk port seeing VLAN 10
 * tagged, one on an access port of VLAN 20 ({@code segment: vlan20}), the two VLANs reusing one
 * subnet, the same station addresses on other devices — with a new IP conflict every ~2.5 s, the
 * same address in one VLAN and then in the other, each resolving ten minutes of capture time later,
 * so several incidents are always open when a fault strikes. Four faults, one after another:
 *
 * <ol>
 *   <li>{@code kill -9} of the broker leading a partition of {@code labwatch.arp}, started again;
 *   <li>{@code kill -9} of one detection instance: the other takes its partitions over (the time is
 *       measured and printed: from the kill until the survivor has committed past every record the
 *       dead one had not read), then it is started again and shares once more;
 *   <li>one broker frozen (SIGSTOP) for 12 s, longer than the cluster's broker session (2.5 s) and
 *       the detection's group session (10 s), then woken;
 *   <li>a power cut: every broker, both detection instances and the sink {@code kill -9}ed at once,
 *       then all started again.
 * </ol>
 *
 * <p>Afterwards every incident is in {@code labwatch.alerts} exactly once as FIRING and once as
 * RESOLVED, under its address in its VLAN; no other address conflicted (a station's address in the
 * other VLAN is another device, no conflict); Slack was told of every incident's start and end, and
 * Slack got at most one duplicate post per crash.
 *
 * <p>The observations come from a producer in this test configured as the ARP sensor's (idempotent,
 * acks=all), not from capture: the incidents need capture time to run faster than the wall clock.
 * Capture into the cluster is shown by {@code TopicsOnAClusterIT} (every frame exactly once across
 * a leader's kill).
 */
class ClusterFaultsIT {

  static final MacAddress SERVER = MacAddress.of("dc:9b:9c:78:00:10");
  static final MacAddress ROUTER = MacAddress.of("00:a0:de:78:00:10");
  static final int FAULTS = 4;

  /** Capture time per step of the feed, and the wall time it takes. */
  static final Duration STEP = Duration.ofSeconds(5);

  static final int STEP_MS = 100;

  @TempDir Path dir;
  private final long began = System.nanoTime();
  private final List<Process> processes = new ArrayList<>();
  private BrokerCluster cluster;
  private FakeSlack slack;

  @AfterEach
  void stop() {
    processes.forEach(Process::destroyForcibly);
    if (cluster != null) {
      cluster.close();
    }
    if (slack != null) {
      slack.close();
    }
  }

  @Test
  void incidentsOnAThreeBrokerClusterWithTwoDetectionInstancesSurviveFourFaultsExactlyOnce()
      throws Exception {
    Files.createDirectories(dir.resolve("cluster"));
    cluster = BrokerCluster.start(dir.resolve("cluster"), 3);
    String bootstrap = cluster.bootstrapServers();
    TestKafka kafka = TestKafka.at(bootstrap, "3 labwatch broker processes");
    Topics topics = TestKafka.uniqueTopics();
    try (Admin admin = cluster.admin()) {
      new TopicManager(admin).ensure(topics.all(), -1);
    }
    slack = new FakeSlack();
    String appId = "cluster-faults-" + UUID.randomUUID();
    String sinkGroup = "cluster-faults-slack-" + UUID.randomUUID();
    Part detectA = new Part("detect-a", detectArgs(bootstrap, topics, "a"), detectEnv(appId));
    Part detectB = new Part("detect-b", detectArgs(bootstrap, topics, "b"), detectEnv(appId));
    Part sink = new Part("sink", sinkArgs(bootstrap, topics), sinkEnv(sinkGroup));
    detectA.start();
    detectB.start();
    sink.start();
    awaitLog(detectA, "labwatch detect:");
    awaitLog(detectB, "labwatch detect:");
    awaitMembers(appId, 2);
    phase("cluster, topics, two detection instances and the sink up");

    Feed feed = new Feed(bootstrap, topics);
    feed.start();
    try {
      // incidents are open: the first one is in Slack
      await()
          .atMost(Duration.ofSeconds(90))
          .until(() -> !slack.texts("IP_CONFLICT firing").isEmpty());
      phase("the first incident in Slack");

      // 1. the leader of an arp partition dies
      int leader = cluster.leaderOf(topics.arp().name(), 0);
      cluster.kill(leader);
      Thread.sleep(4_000);
      cluster.startNode(leader);
      cluster.awaitNodes(3);
      feed.awaitRounds(1);
      phase("1. leader of arp-0 killed and back");

      // 2. a detection instance dies; the other takes over its partitions
      Duration takeOver = killAndTakeOver(appId, topics, detectA, detectB);
      System.out.printf(
          "ClusterFaultsIT: take-over of a kill -9ed detection instance (1 standby): %.1f s%n",
          takeOver.toMillis() / 1000.0);
      detectA.start();
      awaitMembers(appId, 2);
      feed.awaitRounds(1);
      phase("2. detection instance killed, taken over, back");

      // 3. a broker frozen for longer than every session timeout
      int frozen = cluster.leaderOf(topics.alerts().name(), 0);
      cluster.signal(frozen, "STOP");
      Thread.sleep(12_000);
      cluster.signal(frozen, "CONT");
      cluster.awaitNodes(3);
      feed.awaitRounds(1);
      phase("3. broker frozen and woken");

      // 4. a power cut: everything at once
      detectA.kill();
      detectB.kill();
      sink.kill();
      for (int n = 1; n <= cluster.size(); n++) {
        cluster.kill(n);
      }
      Thread.sleep(2_000);
      cluster.startAll();
      cluster.awaitNodes(3);
      detectA.start();
      detectB.start();
      sink.start();
      awaitMembers(appId, 2);
      feed.awaitRounds(1);
      phase("4. power cut and back");
    } finally {
      feed.finish();
    }
    phase("the feed done");
    assertThat(feed.failure.get()).as("the feed's producer failed").isNull();
    Set<String> incidents = new TreeSet<>(feed.conflicted);
    assertThat(incidents).hasSizeGreaterThan(10);

    // every incident fired once and resolved once, in the alerts topic
    await()
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofSeconds(2))
        .untilAsserted(
            () ->
                assertThat(statesByAddress(kafka, topics))
                    .as(
                        "IP_CONFLICT states by address; detect-a's log ends:%n%s%ndetect-b's:%n%s",
                        detectA.tail(), detectB.tail())
                    .containsAllEntriesOf(
                        incidents.stream()
                            .collect(
                                TreeMap::new,
                                (m, ip) ->
                                    m.put(ip, List.of(AlertState.FIRING, AlertState.RESOLVED)),
                                Map::putAll)));
    assertThat(statesByAddress(kafka, topics).keySet())
        .as("no other address conflicted")
        .isEqualTo(incidents);
    phase("every incident fired and resolved once in the alerts topic");

    // Slack heard of every start and end; at most one duplicate per crash
    await()
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofSeconds(2))
        .untilAsserted(
            () -> {
              Map<String, int[]> posts = slackPosts(incidents);
              for (String ip : incidents) {
                assertThat(posts.get(ip))
                    .as(
                        "Slack posts (firing, resolved) of %s; the sink's log:%n%s",
                        ip, sink.tail())
                    .satisfies(n -> assertThat(n[0]).isPositive())
                    .satisfies(n -> assertThat(n[1]).isPositive());
              }
            });
    phase("every incident's start and end in Slack");
    Map<String, int[]> posts = slackPosts(incidents);
    int duplicates =
        posts.values().stream().mapToInt(n -> Math.max(0, n[0] - 1) + Math.max(0, n[1] - 1)).sum();
    System.out.printf(
        "ClusterFaultsIT: %d incidents, %d duplicate Slack posts after %d faults%n",
        incidents.size(), duplicates, FAULTS);
    assertThat(duplicates)
        .as("duplicate Slack posts after %d crashes", FAULTS)
        .isLessThanOrEqualTo(FAULTS);
    for (Part p : List.of(detectA, detectB, sink)) {
      assertThat(p.isAlive()).as("%s is alive; its log:%n%s", p.name, p.tail()).isTrue();
      assertThat(p.log()).doesNotContain("the detection stopped");
    }
  }

  /**
   * Kills {@code victim} and returns how long until {@code survivor} has committed, on every arp
   * partition the victim held, past the end that partition had at the kill.
   */
  private Duration killAndTakeOver(String appId, Topics topics, Part victim, Part survivor)
      throws Exception {
    try (Admin admin = cluster.admin()) {
      Set<TopicPartition> held =
          BrokerCluster.partitionsHeldBy(admin, appId, topics.arp().name(), victim.process.pid());
      assertThat(held).as("arp partitions of %s", victim.name).isNotEmpty();
      victim.kill();
      long killed = System.nanoTime();
      Thread.sleep(
          500); // (records come in all along: each of its partitions got more after the kill)
      Map<TopicPartition, Long> ends = BrokerCluster.endOffsets(admin, held);
      await()
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofMillis(100))
          .ignoreExceptions()
          .failFast("the survivor exited", () -> !survivor.isAlive())
          .until(() -> BrokerCluster.committedPast(admin, appId, ends));
      return Duration.ofNanos(System.nanoTime() - killed);
    }
  }

  private void awaitMembers(String appId, int count) {
    try (Admin admin = cluster.admin()) {
      await()
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofMillis(500))
          .ignoreExceptions()
          .until(
              () -> {
                ConsumerGroupDescription g =
                    admin
                        .describeConsumerGroups(List.of(appId))
                        .all()
                        .get(5, TimeUnit.SECONDS)
                        .get(appId);
                return g.members().size() == count
                    && g.members().stream()
                        .allMatch(m -> !m.assignment().topicPartitions().isEmpty());
              });
    }
  }

  /** A line of the test's output: how long into the test a phase ended. */
  private void phase(String what) {
    System.out.printf("ClusterFaultsIT: %6.1f s  %s%n", (System.nanoTime() - began) / 1e9, what);
  }

  private static void awaitLog(Part p, String text) {
    await()
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(200))
        .failFast(p.name + " exited", () -> !p.isAlive())
        .until(() -> p.log().contains(text));
  }

  private List<String> detectArgs(String bootstrap, Topics topics, String name) {
    return List.of(
        "detect",
        "-b",
        bootstrap,
        "--topic-prefix",
        topics.prefix(),
        "--data-dir",
        dir.resolve("detect-" + name).toString(),
        "--standby-replicas",
        "1");
  }

  private static Map<String, String> detectEnv(String appId) {
    return Map.of(
        "LABWATCH_DETECTION_APPLICATION_ID",
        appId,
        "LABWATCH_DETECTION_WALL_CLOCK_SILENCE",
        "false");
  }

  private static List<String> sinkArgs(String bootstrap, Topics topics) {
    return List.of(
        "sink",
        "slack",
        "-b",
        bootstrap,
        "--topic-prefix",
        topics.prefix(),
        "--metrics-listen",
        "127.0.0.1:0");
  }

  private Map<String, String> sinkEnv(String group) {
    return Map.of(
        "LABWATCH_SLACK_WEBHOOK_URL",
        slack.webhookUrl(),
        "LABWATCH_SLACK_CONSUMER_GROUP",
        group,
        "LABWATCH_KAFKA_SESSION_TIMEOUT_MS",
        "6000");
  }

  /**
   * Per incident address, how many Slack messages (or digest lines) told its IP_CONFLICT firing and
   * resolved.
   */
  private Map<String, int[]> slackPosts(Set<String> incidents) {
    Map<String, Pattern> byIp = new LinkedHashMap<>();
    incidents.forEach(
        // (a text names the address in its VLAN: "10.78.0.1 in VLAN 20")
        key ->
            byIp.put(
                key,
                Pattern.compile("(?<![0-9.])" + Pattern.quote(Segments.where(key)) + "(?![0-9])")));
    Map<String, int[]> out = new TreeMap<>();
    incidents.forEach(ip -> out.put(ip, new int[2]));
    for (String text : slack.texts()) {
      for (String line : text.split("\n")) {
        int stage =
            line.contains("IP_CONFLICT firing:")
                ? 0
                : line.contains("IP_CONFLICT resolved:") ? 1 : -1;
        if (stage < 0) {
          continue;
        }
        byIp.forEach(
            (ip, p) -> {
              if (p.matcher(line).find()) {
                out.get(ip)[stage]++;
              }
            });
      }
    }
    return out;
  }

  private static Map<String, List<AlertState>> statesByAddress(TestKafka kafka, Topics topics) {
    Map<String, List<AlertState>> out = new TreeMap<>();
    for (ConsumerRecord<String, Alert> r : kafka.readAll(topics.alerts())) {
      Alert a = r.value();
      if (a.kind().equals("IP_CONFLICT")) {
        out.computeIfAbsent(a.subject(), s -> new ArrayList<>()).add(a.state());
      }
    }
    return out;
  }

  /** One labwatch process of the test, started again on demand; its output in NAME-N.log. */
  private final class Part {
    final String name;
    final List<String> args;
    final Map<String, String> env;
    Process process;
    int starts;

    Part(String name, List<String> args, Map<String, String> env) {
      this.name = name;
      this.args = args;
      this.env = env;
    }

    void start() throws IOException {
      List<String> command =
          new ArrayList<>(
              List.of(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-Xmx384m",
                  "-jar",
                  Path.of("target", "labwatch.jar").toString()));
      command.addAll(args);
      ProcessBuilder pb =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve(name + "-" + ++starts + ".log").toFile());
      pb.environment().keySet().removeIf(k -> k.startsWith("LABWATCH_"));
      pb.environment().putAll(env);
      process = pb.start();
      processes.add(process);
    }

    void kill() throws InterruptedException {
      process.destroyForcibly();
      assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }

    boolean isAlive() {
      return process.isAlive();
    }

    /** Its output across all its starts. */
    String log() throws IOException {
      StringBuilder out = new StringBuilder();
      for (int n = 1; n <= starts; n++) {
        out.append(Files.readString(dir.resolve(name + "-" + n + ".log"), StandardCharsets.UTF_8));
      }
      return out.toString();
    }

    String tail() {
      try {
        List<String> lines = log().lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
      } catch (IOException e) {
        return "(unreadable: " + e.getMessage() + ")";
      }
    }
  }

  /**
   * Two sensors' observations, as the ARP sensor publishes them: each round one new address of one
   * VLAN is claimed by the server alone, then by the server and the router (two replies 30 ms
   * apart) for 50 s, then by the server alone again; amid steady replies of stations that hold
   * theirs alone, and both sensors' heartbeats every 10 s. Capture time runs 5 s per step, a step
   * every 100 ms: an incident's ten quiet minutes pass in 12 s of wall time.
   */
  private static final class Feed {
    final Set<String> conflicted = ConcurrentHashMap.newKeySet();
    final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final AtomicBoolean feeding = new AtomicBoolean(true);
    private final KafkaProducer<String, SensorEvent> producer;
    private final Topics topics;
    private final Thread thread;
    private volatile int rounds;
    private Instant t = Instant.now().minus(Duration.ofDays(1));

    Feed(String bootstrap, Topics topics) {
      this.topics = topics;
      Map<String, Object> props = new HashMap<>();
      props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      props.put(ProducerConfig.ACKS_CONFIG, "all");
      props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
      // brokers are away for seconds at a time, all of them once: wait for them rather than fail
      props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 300_000);
      props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 300_000);
      props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
      props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
      this.producer =
          new KafkaProducer<>(
              props, topics.arp().keySerde().serializer(), topics.arp().valueSerde().serializer());
      this.thread = new Thread(this::run, "feed");
    }

    void start() {
      thread.start();
    }

    /** Waits until {@code n} more rounds are out. */
    void awaitRounds(int n) {
      int target = rounds + n;
      await()
          .atMost(Duration.ofSeconds(180))
          .failFast("the feed failed", () -> failure.get() != null)
          .until(() -> rounds >= target);
    }

    /**
     * Ends the last round, then sends 20 quiet minutes of capture time (stations and heartbeats)
     * for every incident to resolve.
     */
    void finish() throws InterruptedException {
      feeding.set(false);
      thread.join(TimeUnit.MINUTES.toMillis(5));
      try {
        if (failure.get() == null) {
          for (int i = 0; i < 240; i++) {
            step(null, 0, i);
            Thread.sleep(5);
          }
          producer.flush();
        }
      } catch (RuntimeException e) {
        failure.compareAndSet(null, e);
      } finally {
        producer.close(Duration.ofSeconds(60));
      }
    }

    private void run() {
      try {
        int round = 0;
        while (feeding.get()) {
          // the same address in both VLANs, one after the other: two incidents, one in each
          int vlan = round % 2 == 0 ? 10 : 20;
          IpAddress ip = IpAddress.of("10.78.0." + (1 + round / 2));
          for (int i = 0; i < 25; i++) {
            step(ip, vlan, i);
            Thread.sleep(STEP_MS);
          }
          conflicted.add(Segments.key(ip, "vlan" + vlan));
          rounds = ++round;
        }
      } catch (Throwable e) {
        failure.set(e);
      }
    }

    /** One step of capture time: the stations, the round's address, heartbeats every other step. */
    private void step(IpAddress ip, int vlan, int i) {
      for (int v : new int[] {10, 20}) {
        for (int s = 0; s < 3; s++) {
          // the VLANs reuse one subnet: the same station address, another device in each
          IpAddress station = IpAddress.of("10.78.0.25" + s);
          send(reply(v, station, MacAddress.of(String.format("52:54:00:78:%02x:%02x", v, s)), t));
        }
      }
      if (ip != null) {
        if (i >= 5 && i < 15) { // the router answers too: two replies 30 ms apart
          send(reply(vlan, ip, ROUTER, t));
          send(reply(vlan, ip, SERVER, t.plusMillis(30)));
        } else {
          send(reply(vlan, ip, SERVER, t));
        }
      }
      if (i % 2 == 0) {
        heartbeat(sensor(10));
        heartbeat(sensor(20));
      }
      t = t.plus(STEP);
    }

    private static String sensor(int vlan) {
      return "lab-vlan" + vlan;
    }

    /**
     * A reply as the VLAN's sensor captures it: VLAN 10's on a trunk port, its frames tagged; VLAN
     * 20's on an access port, untagged, the sensor configured with {@code segment: vlan20}.
     */
    private static ArpObservation reply(int vlan, IpAddress ip, MacAddress mac, Instant at) {
      return new ArpObservation(
          at,
          sensor(vlan),
          "eth0",
          vlan == 10 ? 10 : null,
          vlan == 10 ? null : "vlan20",
          PacketClass.REPLY,
          ip,
          mac,
          IpAddress.of("10.78.0.21"),
          MacAddress.of("52:54:00:78:00:21"),
          mac);
    }

    private void send(ArpObservation o) {
      producer.send(
          new ProducerRecord<>(topics.arp().name(), null, o.eventTime().toEpochMilli(), o.key(), o),
          (md, e) -> {
            if (e != null) {
              failure.compareAndSet(null, e);
            }
          });
    }

    private void heartbeat(String sensor) {
      Heartbeat h = new Heartbeat(t, sensor, 10_000, new Heartbeat.Capture(1, 0, 0));
      for (int partition = 0; partition < topics.arp().partitions(); partition++) {
        producer.send(
            new ProducerRecord<>(topics.arp().name(), partition, t.toEpochMilli(), sensor, h));
      }
    }
  }
}
