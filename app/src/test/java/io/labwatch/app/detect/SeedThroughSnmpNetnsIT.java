package io.labwatch.app.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.labwatch.app.testing.LabwatchRun;
import io.labwatch.app.testing.NetnsLab;
import io.labwatch.app.testing.SnmpLab;
import io.labwatch.events.Alert;
import io.labwatch.events.Evidence;
import io.labwatch.events.IpAddress;
import io.labwatch.events.JsonSerde;
import io.labwatch.events.MacAddress;
import io.labwatch.producers.testing.Requirements;
import io.labwatch.sinks.testing.FakeSlack;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14's seed incident seen through the router's ARP table: Debian's real {@code snmpd} runs in
 * the namespace of the lab's router, a server and a router in AP mode hold one address on its LAN,
 * and each of them speaking to the router flips the router's ARP entry for that address. {@code
 * labwatch run} (the packaged jar, its own JVM) polls the router by SNMP: with no capture at all it
 * raises one IP_CONFLICT naming both MACs and vendors, "seen in the router's ARP table"; with its
 * ARP sensor on as well, still one incident, and its evidence names both sources.
 */
class SeedThroughSnmpNetnsIT {

  static final MacAddress GATEWAY = MacAddress.of("00:1b:21:0b:00:01"); // Intel
  static final MacAddress SERVER = MacAddress.of("3c:fd:fe:0b:00:10"); // Intel
  static final MacAddress AP_ROUTER = MacAddress.of("00:a0:de:0b:00:10"); // YAMAHA

  static final int SNMP_PORT = 16161;
  static final String ROUTER_NAME = "lab-router";

  @TempDir Path dir;

  private NetnsLab lab;
  private FakeSlack slack;
  private Process snmpd;
  private LabwatchRun labwatch;

  @BeforeEach
  void buildTheLab() throws Exception {
    Requirements.root("the network-namespace lab");
    Requirements.command("ip", "iproute2");
    Requirements.command("tc", "iproute2");
    Requirements.command("ping", "iputils-ping");
    Requirements.command("snmpd", "snmpd");
    lab = NetnsLab.create();
    String router = lab.host("gw", GATEWAY, lab.ip(1));
    lab.host("srv", SERVER, lab.ip(10));
    lab.host("ap", AP_ROUTER, lab.ip(10));
    snmpd = startSnmpd(router);
    slack = new FakeSlack();
  }

  /** Debian's snmpd in the router's namespace: its tables are that namespace's. */
  private Process startSnmpd(String namespace) throws IOException, InterruptedException {
    Path home = Files.createDirectories(dir.resolve("snmpd"));
    Path conf =
        Files.writeString(
            home.resolve("snmpd.conf"), "rocommunity lab-community " + lab.probeAddress() + "\n");
    return SnmpLab.snmpd(
        namespace,
        "udp:" + lab.ip(1) + ":" + SNMP_PORT,
        conf,
        Files.createDirectories(home.resolve("state")),
        home.resolve("snmpd.log"));
  }

  @AfterEach
  void tearDown() throws Exception {
    if (labwatch != null) {
      labwatch.close();
    }
    if (snmpd != null) {
      snmpd.destroy();
      if (!snmpd.waitFor(10, TimeUnit.SECONDS)) {
        snmpd.destroyForcibly();
      }
    }
    if (slack != null) {
      slack.close();
    }
    if (lab != null) {
      lab.close();
    }
  }

  /** labwatch run polling the router every 2 s, with these extra arguments; returns its broker. */
  private String startLabwatch(String... args) throws Exception {
    Path config =
        Files.writeString(
            dir.resolve("labwatch.yml"),
            String.join(
                "\n",
                "sensor:",
                "  arp:",
                "    heartbeatInterval: 5s",
                "  snmp:",
                "    interval: 2s",
                "    devices:",
                "      - {address: '"
                    + lab.ip(1)
                    + ":"
                    + SNMP_PORT
                    + "', name: "
                    + ROUTER_NAME
                    + "}",
                "detection:",
                "  updateInterval: 2s",
                "slack:",
                "  webhookUrl: " + slack.webhookUrl(),
                ""));
    List<String> command =
        new ArrayList<>(
            List.of(
                "--config",
                config.toString(),
                "--data-dir",
                dir.resolve("data").toString(),
                "--broker-port",
                "0",
                "--metrics-listen",
                "127.0.0.1:0"));
    command.addAll(List.of(args));
    // the community as a user should give it: not on the command line, not in the file
    labwatch =
        LabwatchRun.start(
                dir, "run", Map.of("LABWATCH_SENSOR_SNMP_COMMUNITY", "lab-community"), command)
            .awaitReady();
    return labwatch.broker();
  }

  private String log() throws IOException {
    return labwatch.log();
  }

  /**
   * The host speaks to the router: it forgets its neighbours first, so it asks for the router's
   * MAC, and the router, which hears the question from the server's address, takes the host's MAC
   * for it (Linux updates a neighbour entry from the ARP requests it receives).
   */
  private void speaksToTheRouter(String host) throws IOException, InterruptedException {
    lab.forgetNeighbours(host);
    lab.exec(host, "ping", "-c", "1", "-W", "1", lab.ip(1).toString());
  }

  /** The two devices take turns speaking to the router until {@code done}. */
  private void takeTurnsUntil(java.util.concurrent.Callable<Boolean> done) throws Exception {
    for (int turn = 0; turn < 20 && !done.call(); turn++) {
      speaksToTheRouter(turn % 2 == 0 ? "srv" : "ap");
      // pacing: at least one SNMP poll (every 2 s) between turns, so that the router's table is
      // read once with each MAC; and past Linux's 1 s neighbour lock time
      Thread.sleep(3_000);
    }
  }

  private List<String> conflictTexts(IpAddress ip) {
    String firing = "CRITICAL IP_CONFLICT firing: IP conflict on " + ip + ":";
    return slack.requests().stream()
        .map(r -> r.body().path("text").asText())
        .filter(t -> t.startsWith(firing))
        .toList();
  }

  @Test
  void theRoutersArpTableAloneShowsTheSeedConflictNamingBothMacsAndVendors() throws Exception {
    IpAddress ip = lab.ip(10);
    startLabwatch("--no-capture");
    assertThat(labwatch.out()).contains(ROUTER_NAME);

    takeTurnsUntil(() -> !conflictTexts(ip).isEmpty());

    await()
        .atMost(Duration.ofSeconds(20))
        .failFast("labwatch exited", () -> !labwatch.isAlive())
        .untilAsserted(() -> assertThat(conflictTexts(ip)).as("%s", log()).hasSize(1));
    assertThat(conflictTexts(ip).get(0))
        .contains(SERVER.toString(), AP_ROUTER.toString(), "Intel", "YAMAHA")
        .contains("seen in " + ROUTER_NAME + "'s ARP table");
    assertThat(log()).doesNotContain("lab-community");
  }

  @Test
  void withTheArpSensorOnAsWellItIsStillOneIncidentWhoseEvidenceNamesBothSources()
      throws Exception {
    IpAddress ip = lab.ip(10);
    String bootstrap =
        startLabwatch("--iface", lab.probeInterface() + "," + lab.monitorInterface());

    String fingerprint = "IP_CONFLICT:" + ip;
    // (the wire tells first: the probe confirms the conflict; then the router's table flips)
    takeTurnsUntil(() -> bothSources(latest(bootstrap).get(fingerprint)));

    Map<String, Alert> latest = latest(bootstrap);
    Alert conflict = latest.get(fingerprint);
    assertThat(conflict).as("the conflict in labwatch.alerts; %s", log()).isNotNull();
    assertThat(bothSources(conflict)).as("%s", conflict.evidence()).isTrue();
    assertThat(conflict.evidence().facts())
        .containsEntry("routerTable", "seen in " + ROUTER_NAME + "'s ARP table");
    // one incident: one FIRING in Slack, no other conflict, and the table made no impostor
    assertThat(conflictTexts(ip)).hasSize(1);
    assertThat(latest.keySet())
        .filteredOn(k -> k.startsWith("IP_CONFLICT:") || k.startsWith("ARP_POISONING:"))
        .containsExactly(fingerprint);
  }

  /** The router's table told of the conflict, and an ARP sensor saw it too. */
  private static boolean bothSources(Alert a) {
    if (a == null || !a.evidence().facts().containsKey("routerTable")) {
      return false;
    }
    List<String> sources = new ArrayList<>();
    for (Evidence.MacEvidence m : a.evidence().macs()) {
      if (m.mac().equals(SERVER) || m.mac().equals(AP_ROUTER)) {
        sources.addAll(m.sensors());
      }
    }
    return sources.contains(ROUTER_NAME) && sources.stream().anyMatch(s -> !s.equals(ROUTER_NAME));
  }

  /** The latest alert of each fingerprint in labwatch.alerts, as committed. */
  private static Map<String, Alert> latest(String bootstrap) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    Map<String, Alert> out = new HashMap<>();
    try (KafkaConsumer<String, Alert> consumer =
        new KafkaConsumer<>(
            p, new StringDeserializer(), JsonSerde.of(Alert.class).deserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor("labwatch.alerts").stream()
              .map(i -> new TopicPartition(i.topic(), i.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))
          && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, Alert> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.value() != null) {
            out.put(r.key(), r.value());
          }
        }
      }
    }
    return out;
  }
}
