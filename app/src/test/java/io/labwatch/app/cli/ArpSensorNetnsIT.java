package io.labwatch.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.labwatch.app.testing.Cli;
import io.labwatch.app.testing.KafkaBrokerExtension;
import io.labwatch.app.testing.NetnsLab;
import io.labwatch.app.testing.TestKafka;
import io.labwatch.events.ArpObservation;
import io.labwatch.events.Heartbeat;
import io.labwatch.events.IpAddress;
import io.labwatch.events.MacAddress;
import io.labwatch.events.PacketClass;
import io.labwatch.events.SensorEvent;
import io.labwatch.events.Topics;
import io.labwatch.producers.testing.Requirements;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The seed incident on a real wire: a LAN of network namespaces on a bridge, a second box with the
 * server's IP and a YAMAHA MAC, and {@code labwatch sensor arp} capturing on the bridge's mirror
 * port and probing from a bridge port, publishing to a real broker.
 */
@ExtendWith(KafkaBrokerExtension.class)
class ArpSensorNetnsIT {

  static final MacAddress GATEWAY = MacAddress.of("00:1b:21:0a:00:01");
  static final MacAddress SERVER = MacAddress.of("3c:fd:fe:0a:00:10");
  static final MacAddress CLIENT = MacAddress.of("52:54:00:0a:00:21");
  static final MacAddress ROUTER = MacAddress.of("00:a0:de:0a:00:10");

  private NetnsLab lab;
  private final Shutdown sensorStop = new Shutdown();
  private CompletableFuture<Cli.Result> sensor;

  @BeforeEach
  void needsRootAndTools() {
    Requirements.root("the network-namespace lab");
    Requirements.command("ip", "iproute2");
    Requirements.command("tc", "iproute2");
    Requirements.command("ping", "iputils-ping");
    Requirements.libpcap();
  }

  @AfterEach
  void tearDown() throws Exception {
    sensorStop.requestStop();
    if (sensor != null) {
      sensor.get(30, TimeUnit.SECONDS);
    }
    if (lab != null) {
      lab.close();
    }
  }

  @Test
  void bothMacsAnsweringForTheServersIpArePublishedPassivelyAndByProbing(TestKafka kafka)
      throws Exception {
    lab = NetnsLab.create();
    IpAddress serverIp = lab.ip(10);
    lab.host("gw", GATEWAY, lab.ip(1));
    lab.host("srv", SERVER, serverIp);
    lab.host("cl", CLIENT, lab.ip(21));
    lab.host("rogue", ROUTER, serverIp); // the router in AP mode, on the server's address
    Topics topics = TestKafka.uniqueTopics();

    sensor =
        CompletableFuture.supplyAsync(
            () ->
                new Cli()
                    .run(
                        sensorStop,
                        "sensor",
                        "arp",
                        "--iface",
                        lab.probeInterface(),
                        "--iface",
                        lab.monitorInterface(),
                        "--sensor-id",
                        "lab-sw1",
                        "--probe",
                        serverIp.toString(),
                        "--probe-interval",
                        "2s",
                        "--heartbeat-interval",
                        "1s",
                        "-b",
                        kafka.bootstrapServers(),
                        "--topic-prefix",
                        topics.prefix()));

    String monitorSensor = "lab-sw1-" + lab.monitorInterface();
    String probeSensor = "lab-sw1-" + lab.probeInterface();
    await()
        .atMost(Duration.ofSeconds(30))
        .failFast(this::sensorStillRunning)
        .until(
            () -> heartbeatsFrom(kafka, topics).containsAll(List.of(monitorSensor, probeSensor)));

    // the clients keep talking to the server: each fresh lookup is answered by both boxes
    for (int i = 0; i < 4; i++) {
      lab.forgetNeighbours("cl");
      lab.exec("cl", "ping", "-c", "1", "-W", "1", serverIp.toString());
    }

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              List<ArpObservation> seen = observations(kafka, topics);
              assertThat(seen)
                  .filteredOn(o -> o.sensorId().equals(monitorSensor))
                  .filteredOn(
                      o -> o.packetClass() == PacketClass.REPLY && o.subjectIp().equals(serverIp))
                  .extracting(ArpObservation::senderMac)
                  .contains(SERVER, ROUTER);
              assertThat(seen)
                  .filteredOn(
                      o ->
                          o.sensorId().equals(monitorSensor)
                              && o.packetClass() == PacketClass.REQUEST)
                  .extracting(ArpObservation::senderMac)
                  .contains(CLIENT);
              // replies to the sensor's own probes, from both boxes
              assertThat(seen)
                  .filteredOn(o -> o.sensorId().equals(probeSensor))
                  .filteredOn(
                      o ->
                          o.packetClass() == PacketClass.REPLY
                              && o.targetIp().equals(lab.probeAddress()))
                  .extracting(ArpObservation::senderMac)
                  .contains(SERVER, ROUTER);
            });

    List<ConsumerRecord<String, SensorEvent>> records = kafka.readAll(topics.arp());
    assertThat(records)
        .filteredOn(r -> r.value() instanceof ArpObservation)
        .allSatisfy(
            r -> {
              ArpObservation o = (ArpObservation) r.value();
              assertThat(r.key()).isEqualTo(o.subjectIp().toString());
              assertThat(r.timestamp()).isEqualTo(o.eventTime().toEpochMilli());
            });
    // heartbeats reach every partition, so stream time moves everywhere
    assertThat(records)
        .filteredOn(r -> r.value() instanceof Heartbeat h && h.sensorId().equals(monitorSensor))
        .extracting(ConsumerRecord::partition)
        .containsOnly(0, 1, 2)
        .contains(0, 1, 2);

    sensorStop.requestStop();
    Cli.Result result = sensor.get(30, TimeUnit.SECONDS);
    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.err())
        .contains("capturing on " + lab.probeInterface() + ", " + lab.monitorInterface());
  }

  /**
   * Issue 20: two VLANs are two broadcast domains (two bridges here), each with a sensor on an
   * access port ({@code --segment vlan10}, {@code --segment vlan20}), and they reuse one subnet:
   * the same address is a different server in each. Each sensor publishes what it captures under
   * the address in its segment ({@code IP%vlan10}, {@code IP%vlan20}), so the two servers are two
   * keys — two states in the detection, never one address with two MACs.
   */
  @Test
  void sensorsInTwoVlansPublishTheSameAddressUnderTheKeyOfTheirSegment(TestKafka kafka)
      throws Exception {
    MacAddress serverA = MacAddress.of("3c:fd:fe:0a:10:10");
    MacAddress serverB = MacAddress.of("3c:fd:fe:0a:20:10");
    lab = NetnsLab.create();
    IpAddress shared = lab.ip(10);
    Topics topics = TestKafka.uniqueTopics();
    Shutdown stopB = new Shutdown();
    CompletableFuture<Cli.Result> sensorB = null;
    try (NetnsLab labB = NetnsLab.create()) {
      // VLAN 20 reuses VLAN 10's subnet
      lab.host("srv", serverA, shared);
      lab.host("cl", MacAddress.of("52:54:00:0a:10:21"), lab.ip(21));
      labB.host("srv", serverB, shared);
      labB.host("cl", MacAddress.of("52:54:00:0a:20:21"), lab.ip(22));
      sensor = sensorIn(lab, "vlan10", kafka, topics, sensorStop);
      sensorB = sensorIn(labB, "vlan20", kafka, topics, stopB);
      await()
          .atMost(Duration.ofSeconds(30))
          .failFast(this::sensorStillRunning)
          .until(() -> heartbeatsFrom(kafka, topics).size() == 2);

      for (int i = 0; i < 3; i++) {
        lab.forgetNeighbours("cl");
        lab.exec("cl", "ping", "-c", "1", "-W", "1", shared.toString());
        labB.forgetNeighbours("cl");
        labB.exec("cl", "ping", "-c", "1", "-W", "1", shared.toString());
      }

      String keyA = shared + "%vlan10";
      String keyB = shared + "%vlan20";
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                Map<String, Set<MacAddress>> repliesByKey = new TreeMap<>();
                for (ConsumerRecord<String, SensorEvent> r : kafka.readAll(topics.arp())) {
                  if (r.value() instanceof ArpObservation o
                      && o.packetClass() == PacketClass.REPLY
                      && o.subjectIp().equals(shared)) {
                    repliesByKey.computeIfAbsent(r.key(), k -> new TreeSet<>()).add(o.senderMac());
                  }
                }
                assertThat(repliesByKey)
                    .as("the shared address's replies, by record key")
                    .isEqualTo(Map.of(keyA, Set.of(serverA), keyB, Set.of(serverB)));
              });
      assertThat(kafka.readAll(topics.arp()))
          .filteredOn(r -> r.value() instanceof ArpObservation)
          .allSatisfy(
              r -> {
                ArpObservation o = (ArpObservation) r.value();
                assertThat(r.key()).isEqualTo(o.key());
                assertThat(o.vlan()).as("untagged on an access port").isNull();
                assertThat(o.segmentName()).isIn("vlan10", "vlan20");
              });
    } finally {
      stopB.requestStop();
      if (sensorB != null) {
        Cli.Result result = sensorB.get(30, TimeUnit.SECONDS);
        assertThat(result.exitCode()).as(result.err()).isZero();
      }
    }
  }

  private static CompletableFuture<Cli.Result> sensorIn(
      NetnsLab lab, String segment, TestKafka kafka, Topics topics, Shutdown stop) {
    return CompletableFuture.supplyAsync(
        () ->
            new Cli()
                .run(
                    stop,
                    "sensor",
                    "arp",
                    "--iface",
                    lab.monitorInterface(),
                    "--segment",
                    segment,
                    "--sensor-id",
                    "lab-" + segment,
                    "--no-confirm",
                    "--heartbeat-interval",
                    "1s",
                    "-b",
                    kafka.bootstrapServers(),
                    "--topic-prefix",
                    topics.prefix()));
  }

  @Test
  void anInterfaceThatGoesDownIsReportedInHeartbeatsAndCapturedAgainWhenItComesBack(TestKafka kafka)
      throws Exception {
    lab = NetnsLab.create();
    lab.host("srv", SERVER, lab.ip(10));
    lab.host("cl", CLIENT, lab.ip(21));
    Topics topics = TestKafka.uniqueTopics();
    sensor =
        CompletableFuture.supplyAsync(
            () ->
                new Cli()
                    .run(
                        sensorStop,
                        "sensor",
                        "arp",
                        "--iface",
                        lab.monitorInterface(),
                        "--sensor-id",
                        "mirror",
                        "--heartbeat-interval",
                        "500ms",
                        "-b",
                        kafka.bootstrapServers(),
                        "--topic-prefix",
                        topics.prefix()));
    await()
        .atMost(Duration.ofSeconds(30))
        .failFast(this::sensorStillRunning)
        .until(() -> heartbeatsFrom(kafka, topics).contains("mirror"));

    lab.linkDown(lab.monitorInterface());
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                heartbeats(kafka, topics).stream()
                    .anyMatch(
                        h ->
                            ("interface " + lab.monitorInterface() + " is down")
                                .equals(h.problem())));
    assertThat(sensor).isNotDone();

    lab.linkUp(lab.monitorInterface());
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              lab.forgetNeighbours("cl");
              lab.exec("cl", "ping", "-c", "1", "-W", "1", lab.ip(10).toString());
              assertThat(observations(kafka, topics))
                  .anyMatch(
                      o -> o.packetClass() == PacketClass.REPLY && o.senderMac().equals(SERVER));
            });
    List<Heartbeat> beats = heartbeats(kafka, topics);
    assertThat(beats.get(beats.size() - 1).problem()).isNull();
  }

  private void sensorStillRunning() {
    if (sensor.isDone()) {
      throw new AssertionError("the sensor ended: " + sensor.join());
    }
  }

  private static List<ArpObservation> observations(TestKafka kafka, Topics topics) {
    return kafka.readAll(topics.arp()).stream()
        .map(ConsumerRecord::value)
        .filter(v -> v instanceof ArpObservation)
        .map(v -> (ArpObservation) v)
        .toList();
  }

  private static List<Heartbeat> heartbeats(TestKafka kafka, Topics topics) {
    return kafka.readAll(topics.arp()).stream()
        .filter(r -> r.partition() == 0)
        .map(ConsumerRecord::value)
        .filter(v -> v instanceof Heartbeat)
        .map(v -> (Heartbeat) v)
        .sorted(java.util.Comparator.comparing(Heartbeat::eventTime))
        .toList();
  }

  private static List<String> heartbeatsFrom(TestKafka kafka, Topics topics) {
    try {
      return heartbeats(kafka, topics).stream().map(Heartbeat::sensorId).distinct().toList();
    } catch (RuntimeException | AssertionError e) {
      return List.of(); // the topic may not exist yet
    }
  }
}
