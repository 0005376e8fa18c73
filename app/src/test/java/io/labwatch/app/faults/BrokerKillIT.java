package io.labwatch.app.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.labwatch.app.kafka.TopicManager;
import io.labwatch.app.testing.PrometheusServer;
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
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, item 3: a broker restart must never end {@code labwatch detect}. The broker runs as a
 * process of its own ({@code labwatch broker}) and is {@code kill -9}ed again and again while
 * observations stream in and the detection has transactions open; the detection must survive every
 * kill and raise every conflict exactly once.
 *
 * <p>A kill in the middle of a commit also leaves transactions that Kafka had decided but never
 * marked (a {@code read_committed} reader stops at them: the detection restoring a changelog or
 * reading its committed offsets); the broker ends them when it is up again ({@code
 * TransactionRepair}), and its warnings are in the failure message.
 *
 * <p>How many kills: the failure seen was 1 in 6 kills. With {@value #KILLS} kills a detection that
 * dies with that probability survives them all with probability (5/6)^14 ≈ 8 %, so the test catches
 * it 12 times in 13; each kill costs ~6 s of the CI run's 25 minutes (it was 18, 4 % — the four
 * kills went to the cluster tests of issue 20, which kill brokers too). A kill comes 0.7–2.3 s into
 * the stream: observations flow all along and the detection commits once a second, so a transaction
 * is always open.
 */
class BrokerKillIT {

  static final int KILLS = 14;
  static final MacAddress SERVER = MacAddress.of("dc:9b:9c:77:00:10");
  static final MacAddress ROUTER = MacAddress.of("00:a0:de:77:00:10");

  @TempDir Path dir;
  private final List<Process> processes = new ArrayList<>();
  private final AtomicReference<Process> broker = new AtomicReference<>();

  @AfterEach
  void stop() {
    processes.forEach(Process::destroyForcibly);
  }

  @Test
  void aBrokerKilledFourteenTimesMidStreamNeverEndsTheDetectionAndEveryConflictFiresOnce()
      throws Exception {
    Pipeline pipeline = startPipeline("broker-kill-");
    int port = pipeline.port();
    String bootstrap = pipeline.bootstrap();
    TestKafka kafka = pipeline.kafka();
    Topics topics = pipeline.topics();
    Process detect = pipeline.detect();

    // Observations stream in all along: every round is one new conflict on an address of its own,
    // amid steady traffic of stations that hold theirs alone.
    AtomicBoolean killing = new AtomicBoolean(true);
    Set<String> conflicted = ConcurrentHashMap.newKeySet();
    AtomicReference<Throwable> producerFailure = new AtomicReference<>();
    Thread sensor =
        new Thread(
            () -> {
              try (KafkaProducer<String, SensorEvent> producer = producer(bootstrap, topics)) {
                // event time a day back, 1 s per step: stays within retention and never ahead
                Instant t = Instant.now().minus(Duration.ofDays(1));
                int round = 0;
                while (killing.get() || round < KILLS + 3) {
                  IpAddress ip =
                      IpAddress.of("10.77." + (1 + round / 200) + "." + (1 + round % 200));
                  for (int i = 0; i < 20; i++) {
                    for (int s = 0; s < 5; s++) {
                      send(
                          producer, topics, reply(IpAddress.of("10.77.100." + (1 + s)), mac(s), t));
                    }
                    if (i >= 10) { // the second MAC answers too: two replies 30 ms apart
                      send(producer, topics, reply(ip, ROUTER, t));
                      send(producer, topics, reply(ip, SERVER, t.plusMillis(30)));
                    } else {
                      send(producer, topics, reply(ip, SERVER, t));
                    }
                    if (i % 10 == 0) {
                      heartbeat(producer, topics, t);
                    }
                    t = t.plusSeconds(1);
                    Thread.sleep(5);
                  }
                  conflicted.add(ip.toString());
                  round++;
                }
                heartbeat(producer, topics, t);
                producer.flush();
              } catch (Throwable e) {
                producerFailure.set(e);
              }
            },
            "sensor");
    sensor.start();

    Random random = new Random(12);
    for (int k = 0; k < KILLS; k++) {
      Thread.sleep(700 + random.nextInt(1_600)); // mid-stream: transactions are open
      Process b = broker.get();
      b.destroyForcibly(); // SIGKILL
      assertThat(b.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(detect.isAlive())
          .as("labwatch detect is alive before kill %d; its log:%n%s", k + 1, log("detect.log"))
          .isTrue();
      startBroker(port);
    }
    killing.set(false);
    sensor.join(TimeUnit.MINUTES.toMillis(5));
    assertThat(producerFailure.get()).isNull();
    assertThat(sensor.isAlive()).isFalse();

    // every conflict exactly once, in an alerts topic the detection kept writing
    await()
        .atMost(Duration.ofSeconds(120))
        .untilAsserted(
            () ->
                assertThat(firingsByAddress(kafka, topics).keySet())
                    .as(
                        "addresses with an IP_CONFLICT (detection alive: %s); the end of its"
                            + " log:%n%s%nthe brokers' warnings:%n%s",
                        detect.isAlive(), tail(log("detect.log")), brokerWarnings())
                    .containsAll(conflicted));
    Map<String, List<AlertState>> byAddress = statesByAddress(kafka, topics);
    for (String ip : conflicted) {
      assertThat(byAddress.get(ip))
          .as("the states of IP_CONFLICT:%s", ip)
          .isIn(List.of(AlertState.FIRING), List.of(AlertState.FIRING, AlertState.RESOLVED));
    }
    assertThat(byAddress.keySet())
        .as("no other address conflicted")
        .isEqualTo(new TreeSet<>(conflicted));
    assertThat(detect.isAlive()).as("labwatch detect after %d broker kills", KILLS).isTrue();
    assertThat(log("detect.log")).doesNotContain("the detection stopped");
  }

  /**
   * The same failure without luck: a detection that stalls (SIGSTOP, as a CPU-starved JVM does)
   * while its transaction is open, longer than the transaction timeout, finds on waking that the
   * broker aborted the transaction; Kafka 4.3 can answer that with InvalidTxnStateException, which
   * Kafka Streams treats as fatal (KAFKA-19690).
   */
  @Test
  void aDetectionStalledPastItsTransactionTimeoutRecoversAndFiresEveryConflictOnce()
      throws Exception {
    Pipeline pipeline = startPipeline("stall-");
    int port = pipeline.port();
    String bootstrap = pipeline.bootstrap();
    TestKafka kafka = pipeline.kafka();
    Topics topics = pipeline.topics();
    Process detect = pipeline.detect();
    Set<String> conflicted = new TreeSet<>();
    try (KafkaProducer<String, SensorEvent> producer = producer(bootstrap, topics)) {
      Instant t = Instant.now().minus(Duration.ofDays(1));
      for (int round = 0; round < 3; round++) {
        IpAddress ip = IpAddress.of("10.77.1." + (1 + round));
        for (int i = 0; i < 400; i++) {
          send(producer, topics, reply(IpAddress.of("10.77.100." + (1 + i % 5)), mac(i % 5), t));
          if (i % 40 == 0) {
            heartbeat(producer, topics, t);
          }
          if (i == 200) {
            send(producer, topics, reply(ip, SERVER, t));
            send(producer, topics, reply(ip, ROUTER, t.plusMillis(30)));
            conflicted.add(ip.toString());
          }
          t = t.plusMillis(100);
          if (i % 20 == 0) {
            producer.flush();
          }
          if (round == 1 && i == 100) {
            // records are flowing, so a transaction is open: freeze the detection past its
            // transaction timeout (10 s) and the broker's check for timed-out ones (every 1 s
            // on labwatch's broker)
            signal(detect, "STOP");
            Thread.sleep(15_000);
            signal(detect, "CONT");
          }
          Thread.sleep(2);
        }
      }
      heartbeat(producer, topics, t);
    }
    await()
        .atMost(Duration.ofSeconds(120))
        .untilAsserted(
            () ->
                assertThat(firingsByAddress(kafka, topics).keySet())
                    .as(
                        "addresses with an IP_CONFLICT; the detection's log:%n%s",
                        log("detect.log"))
                    .containsAll(conflicted));
    Map<String, List<AlertState>> byAddress = statesByAddress(kafka, topics);
    assertThat(byAddress.keySet()).isEqualTo(conflicted);
    byAddress.values().forEach(states -> assertThat(states).containsExactly(AlertState.FIRING));
    assertThat(detect.isAlive()).as("labwatch detect after a 15 s stall").isTrue();
    assertThat(log("detect.log")).doesNotContain("the detection stopped");
  }

  private static void signal(Process p, String signal) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start();
    assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(kill.exitValue()).isZero();
  }

  /** A broker process with labwatch's topics, and `labwatch detect` running against it. */
  private record Pipeline(
      int port, String bootstrap, TestKafka kafka, Topics topics, Process detect) {}

  private Pipeline startPipeline(String appIdPrefix) throws Exception {
    int port = PrometheusServer.freePort();
    String bootstrap = "127.0.0.1:" + port;
    startBroker(port);
    TestKafka kafka = TestKafka.at(bootstrap, "labwatch broker process");
    Topics topics = TestKafka.uniqueTopics();
    try (var admin = kafka.admin()) {
      new TopicManager(admin).ensure(topics.all(), -1);
    }
    Process detect = detect(bootstrap, topics, appIdPrefix + UUID.randomUUID());
    await()
        .atMost(Duration.ofSeconds(90))
        .until(() -> log("detect.log").contains("labwatch detect:"));
    return new Pipeline(port, bootstrap, kafka, topics, detect);
  }

  private void startBroker(int port) throws IOException {
    int n = processes.size();
    Path logFile = dir.resolve("broker-" + n + ".log");
    ProcessBuilder pb =
        new ProcessBuilder(
                java(),
                "-Xmx384m",
                "-jar",
                jar(),
                "broker",
                "--data-dir",
                dir.resolve("broker").toString(),
                "--port",
                Integer.toString(port))
            .redirectErrorStream(true)
            .redirectOutput(logFile.toFile());
    Process p = pb.start();
    processes.add(p);
    broker.set(p);
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> !p.isAlive() || Files.readString(logFile).contains("Kafka listening on"));
    assertThat(p.isAlive())
        .as("the broker started; its log:%n%s", Files.readString(logFile))
        .isTrue();
  }

  private Process detect(String bootstrap, Topics topics, String appId) throws IOException {
    ProcessBuilder pb =
        new ProcessBuilder(
                java(), "-jar", jar(), "detect", "-b", bootstrap, "--topic-prefix", topics.prefix())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("detect.log").toFile());
    pb.environment().put("LABWATCH_DATA_DIR", dir.resolve("detect").toString());
    pb.environment().put("LABWATCH_DETECTION_APPLICATION_ID", appId);
    pb.environment().put("LABWATCH_DETECTION_WALL_CLOCK_SILENCE", "false");
    Process p = pb.start();
    processes.add(p);
    return p;
  }

  /**
   * The warnings of every broker process, in order: a restart that ended transactions Kafka left
   * open says so there.
   */
  private String brokerWarnings() throws IOException {
    List<String> out = new ArrayList<>();
    for (int n = 0; n < processes.size(); n++) {
      Path f = dir.resolve("broker-" + n + ".log");
      if (Files.exists(f)) {
        for (String line : Files.readAllLines(f)) {
          if (line.contains(" WARN ") || line.contains(" ERROR ")) {
            out.add(f.getFileName() + ": " + line);
          }
        }
      }
    }
    return tail(String.join("\n", out));
  }

  private static String tail(String log) {
    List<String> lines = log.lines().toList();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
  }

  private String log(String name) throws IOException {
    Path p = dir.resolve(name);
    return Files.exists(p) ? Files.readString(p) : "";
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static String jar() {
    return Path.of("target", "labwatch.jar").toString();
  }

  private static KafkaProducer<String, SensorEvent> producer(String bootstrap, Topics topics) {
    Map<String, Object> props = new HashMap<>();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    // the broker is away for seconds at a time: wait for it rather than fail
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 300_000);
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 300_000);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    return new KafkaProducer<>(
        props, topics.arp().keySerde().serializer(), topics.arp().valueSerde().serializer());
  }

  private static MacAddress mac(int station) {
    return MacAddress.of(String.format("52:54:00:77:01:%02x", station + 1));
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
        IpAddress.of("10.77.0.21"),
        MacAddress.of("52:54:00:77:00:21"),
        mac);
  }

  private static void send(KafkaProducer<String, SensorEvent> p, Topics topics, ArpObservation o) {
    p.send(
        new ProducerRecord<>(
            topics.arp().name(), null, o.eventTime().toEpochMilli(), o.subjectIp().toString(), o));
  }

  private static void heartbeat(KafkaProducer<String, SensorEvent> p, Topics topics, Instant at) {
    Heartbeat h = new Heartbeat(at, "lab-sw1", 10_000, new Heartbeat.Capture(1, 0, 0));
    for (int partition = 0; partition < topics.arp().partitions(); partition++) {
      p.send(
          new ProducerRecord<>(topics.arp().name(), partition, at.toEpochMilli(), h.sensorId(), h));
    }
  }

  private static Map<String, List<Alert>> firingsByAddress(TestKafka kafka, Topics topics) {
    Map<String, List<Alert>> out = new TreeMap<>();
    for (ConsumerRecord<String, Alert> r : kafka.readAll(topics.alerts())) {
      Alert a = r.value();
      if (a.kind().equals("IP_CONFLICT") && a.state() == AlertState.FIRING) {
        out.computeIfAbsent(a.subject(), s -> new ArrayList<>()).add(a);
      }
    }
    return out;
  }

  private static Map<String, List<AlertState>> statesByAddress(TestKafka kafka, Topics topics) {
    Map<String, List<AlertState>> out = new LinkedHashMap<>();
    for (ConsumerRecord<String, Alert> r : kafka.readAll(topics.alerts())) {
      Alert a = r.value();
      if (a.kind().equals("IP_CONFLICT")) {
        out.computeIfAbsent(a.subject(), s -> new ArrayList<>()).add(a.state());
      }
    }
    return new TreeMap<>(out);
  }
}
