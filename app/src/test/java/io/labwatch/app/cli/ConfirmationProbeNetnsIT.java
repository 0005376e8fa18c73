package io.labwatch.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.labwatch.app.testing.Cli;
import io.labwatch.app.testing.KafkaBrokerExtension;
import io.labwatch.app.testing.NetnsLab;
import io.labwatch.app.testing.TestKafka;
import io.labwatch.events.ArpObservation;
import io.labwatch.events.ArpProbe;
import io.labwatch.events.Heartbeat;
import io.labwatch.events.IpAddress;
import io.labwatch.events.MacAddress;
import io.labwatch.events.PacketClass;
import io.labwatch.events.ProbeRequest;
import io.labwatch.events.SensorEvent;
import io.labwatch.events.Topics;
import io.labwatch.producers.testing.Requirements;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The sensor's side of the confirmation loop on a real wire: two network namespaces on a bridge (in
 * a namespace of its own) hold the server's IP, one of them otherwise silent; {@code labwatch
 * sensor arp} captures on a port of that bridge; a {@link ProbeRequest} is written to a real
 * broker, and {@code labwatch.arp} must then hold the sensor's SENT, the REPLY of each box, and a
 * DONE that names both — or only the one left when the other's link is down. Nothing is sent
 * outside the lab's namespaces and links, which the test removes.
 */
@ExtendWith(KafkaBrokerExtension.class)
class ConfirmationProbeNetnsIT {

  static final MacAddress SERVER = MacAddress.of("3c:fd:fe:0a:00:10");
  static final MacAddress ROUTER = MacAddress.of("00:a0:de:0a:00:10");

  private NetnsLab lab;
  private final Shutdown sensorStop = new Shutdown();
  private CompletableFuture<Cli.Result> sensor;

  @BeforeEach
  void needsRootAndTools() {
    Requirements.root("the network-namespace lab");
    Requirements.command("ip", "iproute2");
    Requirements.command("tc", "iproute2");
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
  void aProbeRequestIsAnsweredByBothMacsOfAConflictAndByOneWhenTheOtherIsGone(TestKafka kafka)
      throws Exception {
    lab = NetnsLab.create();
    IpAddress serverIp = lab.ip(10);
    lab.host("srv", SERVER, serverIp);
    lab.host("rogue", ROUTER, serverIp); // silent: it only answers
    Topics topics = TestKafka.uniqueTopics();
    String iface = lab.probeInterface();
    MacAddress sensorMac = macOf(iface);
    startSensor(kafka, topics, iface);

    try (KafkaProducer<String, ProbeRequest> requests = kafka.producer(topics.probeRequests())) {
      // the sensor fixes its start at the topic's end once it has found it: ask until it answers
      ArpProbe sent = askUntilSent(kafka, topics, requests, serverIp);
      ArpProbe done = awaitDone(kafka, topics, serverIp, 1);

      assertThat(sent.sensorId()).isEqualTo("lab-sw1");
      assertThat(sent.iface()).isEqualTo(iface);
      assertThat(sent.proberMac()).isEqualTo(sensorMac);
      assertThat(done.requests()).isEqualTo(2);
      assertThat(done.answeredBy()).containsExactlyInAnyOrder(SERVER, ROUTER);
      // in one partition, in order: SENT, both boxes' replies, DONE
      List<SensorEvent> run = between(kafka, topics, serverIp, 1);
      assertThat(run.get(0)).isEqualTo(sent);
      assertThat(run.get(run.size() - 1)).isEqualTo(done);
      assertThat(run)
          .filteredOn(e -> e instanceof ArpObservation o && o.packetClass() == PacketClass.REPLY)
          .extracting(e -> ((ArpObservation) e).senderMac())
          .contains(SERVER, ROUTER);
      Duration took = Duration.between(sent.eventTime(), done.eventTime());
      assertThat(took).isBetween(Duration.ofMillis(1900), Duration.ofSeconds(4));

      // the rogue box goes away; after the per-IP interval a new request draws one answer
      assertThat(lab.exec("rogue", "ip", "link", "set", "eth0", "down")).isZero();
      Thread.sleep(1_100); // sensor.arp.confirm.perIpInterval is 1s here
      ask(requests, serverIp);
      ArpProbe second = awaitDone(kafka, topics, serverIp, 2);
      assertThat(second.answeredBy()).containsExactly(SERVER);

      // another network is not probed: decided before the next request, which is read after it
      IpAddress elsewhere = IpAddress.of("192.0.2.10");
      IpAddress nobody = lab.ip(99);
      ask(requests, elsewhere);
      ask(requests, nobody);
      ArpProbe unanswered = awaitDone(kafka, topics, nobody, 1);
      assertThat(unanswered.answeredBy()).isEmpty();
      assertThat(probes(kafka, topics)).noneMatch(p -> p.ip().equals(elsewhere));
    }

    // the sensor's own requests were captured on the way out but not published
    assertThat(observations(kafka, topics))
        .filteredOn(o -> o.ethSrc().equals(sensorMac))
        .filteredOn(
            o -> o.packetClass() == PacketClass.REQUEST || o.packetClass() == PacketClass.PROBE)
        .isEmpty();
    sensorStop.requestStop();
    Cli.Result result = sensor.get(30, TimeUnit.SECONDS);
    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.err()).contains("sends ARP requests to confirm suspected conflicts");
  }

  @Test
  void anInterfaceWithoutIpv4ProbesFromZeroAndItsOwnProbeIsNotPublished(TestKafka kafka)
      throws Exception {
    lab = NetnsLab.create();
    IpAddress serverIp = lab.ip(10);
    lab.host("srv", SERVER, serverIp);
    lab.host("rogue", ROUTER, serverIp);
    Topics topics = TestKafka.uniqueTopics();
    String iface = lab.unnumberedPort("u0");
    MacAddress sensorMac = macOf(iface);
    startSensor(kafka, topics, iface);

    try (KafkaProducer<String, ProbeRequest> requests = kafka.producer(topics.probeRequests())) {
      askUntilSent(kafka, topics, requests, serverIp);
      ArpProbe done = awaitDone(kafka, topics, serverIp, 1);
      assertThat(done.answeredBy()).containsExactlyInAnyOrder(SERVER, ROUTER);
    }

    // a probe from 0.0.0.0 would read as "a device probing for an address in use"
    assertThat(observations(kafka, topics))
        .filteredOn(o -> o.packetClass() == PacketClass.PROBE)
        .isEmpty();
    assertThat(observations(kafka, topics))
        .filteredOn(o -> o.packetClass() == PacketClass.REPLY && o.subjectIp().equals(serverIp))
        .extracting(ArpObservation::senderMac, ArpObservation::targetMac)
        .contains(
            org.assertj.core.groups.Tuple.tuple(SERVER, sensorMac),
            org.assertj.core.groups.Tuple.tuple(ROUTER, sensorMac));
  }

  private void startSensor(TestKafka kafka, Topics topics, String iface) {
    requestsTopic = topics.probeRequests().name();
    sensor =
        CompletableFuture.supplyAsync(
            () ->
                new Cli()
                    .env("LABWATCH_SENSOR_ARP_CONFIRM_PER_IP_INTERVAL", "1s")
                    .run(
                        sensorStop,
                        "sensor",
                        "arp",
                        "--iface",
                        iface,
                        "--sensor-id",
                        "lab-sw1",
                        "--heartbeat-interval",
                        "1s",
                        "-b",
                        kafka.bootstrapServers(),
                        "--topic-prefix",
                        topics.prefix()));
    await()
        .atMost(Duration.ofSeconds(30))
        .failFast(this::sensorStillRunning)
        .until(() -> heartbeatSeen(kafka, topics));
  }

  /** {@code labwatch.probe-requests} of this test's topics. */
  private String requestsTopic;

  private void ask(KafkaProducer<String, ProbeRequest> requests, IpAddress ip) throws Exception {
    ProbeRequest r = new ProbeRequest(ip, Instant.now(), List.of(SERVER, ROUTER), "test");
    requests.send(new ProducerRecord<>(requestsTopic, ip.toString(), r)).get(10, TimeUnit.SECONDS);
  }

  private ArpProbe askUntilSent(
      TestKafka kafka, Topics topics, KafkaProducer<String, ProbeRequest> requests, IpAddress ip) {
    return await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(700))
        .failFast(this::sensorStillRunning)
        .until(
            () -> {
              List<ArpProbe> sent =
                  probes(kafka, topics).stream()
                      .filter(p -> p.ip().equals(ip) && p.phase() == ArpProbe.Phase.SENT)
                      .toList();
              if (sent.isEmpty()) {
                ask(requests, ip);
                return null;
              }
              return sent.get(0);
            },
            p -> p != null);
  }

  /** The {@code n}th DONE for {@code ip}, waiting for it. */
  private ArpProbe awaitDone(TestKafka kafka, Topics topics, IpAddress ip, int n) {
    return await()
        .atMost(Duration.ofSeconds(30))
        .failFast(this::sensorStillRunning)
        .until(
            () -> {
              List<ArpProbe> done =
                  probes(kafka, topics).stream()
                      .filter(p -> p.ip().equals(ip) && p.phase() == ArpProbe.Phase.DONE)
                      .toList();
              return done.size() >= n ? done.get(n - 1) : null;
            },
            p -> p != null);
  }

  /** The records keyed by {@code ip} from its {@code n}th SENT to the DONE after it. */
  private static List<SensorEvent> between(TestKafka kafka, Topics topics, IpAddress ip, int n) {
    List<SensorEvent> keyed =
        kafka.readAll(topics.arp()).stream()
            .filter(r -> ip.toString().equals(r.key()))
            .sorted(java.util.Comparator.comparingLong(ConsumerRecord::offset))
            .map(ConsumerRecord::value)
            .toList();
    int seen = 0;
    int from = -1;
    for (int i = 0; i < keyed.size(); i++) {
      if (keyed.get(i) instanceof ArpProbe p && p.phase() == ArpProbe.Phase.SENT && ++seen == n) {
        from = i;
      } else if (from >= 0
          && keyed.get(i) instanceof ArpProbe p
          && p.phase() == ArpProbe.Phase.DONE) {
        return keyed.subList(from, i + 1);
      }
    }
    throw new AssertionError("no SENT #" + n + " followed by a DONE for " + ip + " in " + keyed);
  }

  private void sensorStillRunning() {
    if (sensor.isDone()) {
      throw new AssertionError("the sensor ended: " + sensor.join());
    }
  }

  private static MacAddress macOf(String iface) throws Exception {
    return MacAddress.of(
        Files.readString(Path.of("/sys/class/net", iface, "address"), StandardCharsets.US_ASCII)
            .trim());
  }

  private static List<ArpProbe> probes(TestKafka kafka, Topics topics) {
    return kafka.readAll(topics.arp()).stream()
        .map(ConsumerRecord::value)
        .filter(v -> v instanceof ArpProbe)
        .map(v -> (ArpProbe) v)
        .toList();
  }

  private static List<ArpObservation> observations(TestKafka kafka, Topics topics) {
    return kafka.readAll(topics.arp()).stream()
        .map(ConsumerRecord::value)
        .filter(v -> v instanceof ArpObservation)
        .map(v -> (ArpObservation) v)
        .toList();
  }

  private static boolean heartbeatSeen(TestKafka kafka, Topics topics) {
    try {
      return kafka.readAll(topics.arp()).stream().anyMatch(r -> r.value() instanceof Heartbeat);
    } catch (RuntimeException | AssertionError e) {
      return false; // the topic may not exist yet
    }
  }
}
