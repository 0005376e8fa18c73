package io.labwatch.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.withinPercentage;
import static org.awaitility.Awaitility.await;

import io.labwatch.app.testing.SnmpLab;
import io.labwatch.events.ArpObservation;
import io.labwatch.events.InterfaceCounters;
import io.labwatch.events.IpAddress;
import io.labwatch.events.JsonSerde;
import io.labwatch.events.MacAddress;
import io.labwatch.events.PacketClass;
import io.labwatch.events.SensorEvent;
import io.labwatch.producers.testing.Requirements;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code labwatch sensor snmp --once --stdout} (the packaged jar, its own JVM) against Debian's
 * real {@code snmpd} running in a network namespace that is the lab's router: the ARP table and the
 * interface counters it reads are that namespace's, over v2c and v3 authPriv; what it says when the
 * community or a v3 key is wrong; and that its counters count what crossed the router.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SnmpSensorNetnsIT {

  static final Path JAR = Path.of("target", "labwatch.jar");

  static final MacAddress SERVER = MacAddress.of("3c:fd:fe:0a:00:10"); // Intel
  static final MacAddress AP_ROUTER = MacAddress.of("00:a0:de:0a:00:50"); // YAMAHA

  static final String COMMUNITY = "lab-ro-5f2c9a";
  static final String AUTH_SHA = "auth-sha-7d41e0";
  static final String PRIV_SHA = "priv-aes-0b93c6";
  static final String AUTH_SHA256 = "auth-sha256-c28a17";
  static final String PRIV_SHA256 = "priv-aes-9e6d30";
  static final String AUTH_SHA512 = "auth-sha512-41f7b5";
  static final String PRIV_SHA512 = "priv-aes256-e07c82";
  static final List<String> SECRETS =
      List.of(COMMUNITY, AUTH_SHA, PRIV_SHA, AUTH_SHA256, PRIV_SHA256, AUTH_SHA512, PRIV_SHA512);

  /** An ICMP echo of {@code ping -s 1400} on Ethernet: 1400 + 8 (ICMP) + 20 (IPv4) + 14. */
  static final int ECHO_FRAME_BYTES = 1400 + 8 + 20 + 14;

  @TempDir static Path dir;

  private SnmpLab lab;
  private SnmpLab.Device router;
  private SnmpLab.Agent agent;
  private IpAddress serverIp;
  private IpAddress apIp;

  @BeforeAll
  void startTheRoutersAgent() throws Exception {
    Requirements.root("the network-namespace lab");
    Requirements.command("ip", "iproute2");
    Requirements.command("ping", "iputils-ping");
    Requirements.command("snmpd", "snmpd");
    assertThat(JAR).as("the packaged jar (mvn package builds it)").exists();
    lab = SnmpLab.create(dir);
    router = lab.device("rtr");
    serverIp = lab.lanIp(10);
    apIp = lab.lanIp(50);
    router.lan("srv", SERVER, serverIp);
    // the router learns the server by real traffic, and holds a static entry for the AP
    lab.exec("srv", "ping", "-c", "1", "-W", "2", lab.lanIp(1).toString());
    router.neighbour("lan0", apIp, AP_ROUTER, "permanent");
    agent =
        router.startAgent(
            161,
            "rocommunity " + COMMUNITY + " default",
            "createUser lw-sha SHA " + AUTH_SHA + " AES " + PRIV_SHA,
            "createUser lw-sha256 SHA-256 " + AUTH_SHA256 + " AES " + PRIV_SHA256,
            "createUser lw-sha512 SHA-512 " + AUTH_SHA512 + " AES-256 " + PRIV_SHA512,
            "rouser lw-sha priv",
            "rouser lw-sha256 priv",
            "rouser lw-sha512 priv",
            "sysName lab-router",
            "");
  }

  @AfterAll
  void removeTheLab() {
    if (lab != null) {
      lab.close();
    }
  }

  /** What one run of the packaged sensor did. */
  record Run(int exitCode, String out, String err) {
    List<String> errLines() {
      return err.lines().filter(l -> !l.isBlank()).toList();
    }

    List<SensorEvent> events() {
      JsonSerde<SensorEvent> serde = JsonSerde.of(SensorEvent.class);
      return out.lines()
          .filter(l -> !l.isBlank())
          .map(l -> serde.deserialize("stdout", l.getBytes(StandardCharsets.UTF_8)))
          .toList();
    }

    List<ArpObservation> observations() {
      return events().stream()
          .filter(e -> e instanceof ArpObservation)
          .map(e -> (ArpObservation) e)
          .toList();
    }

    List<InterfaceCounters> counters() {
      return events().stream()
          .filter(e -> e instanceof InterfaceCounters)
          .map(e -> (InterfaceCounters) e)
          .toList();
    }

    InterfaceCounters counters(String ifName) {
      return counters().stream()
          .filter(c -> ifName.equals(c.ifName()))
          .findFirst()
          .orElseThrow(() -> new AssertionError("no counters of " + ifName + " in " + out));
    }
  }

  /** Runs {@code labwatch sensor snmp --target <the router> --once --stdout ARGS} with this env. */
  private Run sensor(Map<String, String> env, String... args)
      throws IOException, InterruptedException {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                JAR.toString(),
                "sensor",
                "snmp",
                "--target",
                router.address().toString(),
                "--once",
                "--stdout"));
    command.addAll(List.of(args));
    Path out = Files.createTempFile(dir, "sensor", ".out");
    Path err = Files.createTempFile(dir, "sensor", ".err");
    ProcessBuilder pb =
        new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("LABWATCH_"));
    pb.environment().putAll(env);
    Process p = pb.start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("the sensor did not end within 60 s: " + Files.readString(err));
    }
    Run run = new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    // whatever happened, no secret is ever printed
    for (String secret : SECRETS) {
      assertThat(run.out()).doesNotContain(secret);
      assertThat(run.err()).doesNotContain(secret);
    }
    return run;
  }

  private Path secretFile(String secret) throws IOException {
    return Files.writeString(Files.createTempFile(dir, "secret", ""), secret + "\n");
  }

  @Test
  void v2cPollReadsTheRoutersArpTableAndInterfacesFromItsNamespace() throws Exception {
    Run run = sensor(Map.of(), "--community-file", secretFile(COMMUNITY).toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.errLines())
        .singleElement()
        .asString()
        .matches(
            "labwatch sensor snmp: "
                + router.address()
                + ": 3 ARP entries, 3 interfaces in \\d+ requests?, \\d+ ms");
    assertTheRoutersTables(run);
  }

  static Stream<Arguments> v3Users() {
    return Stream.of(
        Arguments.of("lw-sha", "SHA", AUTH_SHA, "AES", PRIV_SHA),
        Arguments.of("lw-sha256", "SHA-256", AUTH_SHA256, "AES", PRIV_SHA256),
        Arguments.of("lw-sha512", "SHA-512", AUTH_SHA512, "AES-256", PRIV_SHA512));
  }

  @ParameterizedTest(name = "{1} + {3}")
  @MethodSource("v3Users")
  void v3AuthPrivPollReadsTheSameTables(
      String user, String auth, String authPassphrase, String priv, String privPassphrase)
      throws Exception {
    Run run =
        sensor(
            Map.of(
                "LABWATCH_SENSOR_SNMP_AUTH_PASSPHRASE", authPassphrase,
                "LABWATCH_SENSOR_SNMP_PRIV_PASSPHRASE", privPassphrase),
            "--snmp-version",
            "v3",
            "--user",
            user,
            "--auth-protocol",
            auth,
            "--priv-protocol",
            priv);

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.errLines())
        .singleElement()
        .asString()
        .contains(router.address() + ": 3 ARP entries, 3 interfaces");
    assertTheRoutersTables(run);
  }

  private void assertTheRoutersTables(Run run) {
    // the namespace's neighbours, on the interface they are on: the server learned by its ping,
    // the AP's static entry, and this box (the sensor's own requests taught the router its MAC)
    assertThat(run.observations())
        .allSatisfy(
            o -> {
              assertThat(o.packetClass()).isEqualTo(PacketClass.ROUTER_TABLE);
              assertThat(o.sensorId()).isEqualTo(router.address().toString());
              assertThat(o.table()).isEqualTo(ArpObservation.TableEntry.HELD);
            })
        .extracting(ArpObservation::senderIp, ArpObservation::senderMac, ArpObservation::iface)
        .contains(tuple(serverIp, SERVER, "lan0"), tuple(apIp, AP_ROUTER, "lan0"))
        .hasSize(3);
    assertThat(run.counters())
        .extracting(InterfaceCounters::ifName)
        .containsExactlyInAnyOrder("lo", "mgmt0", "lan0");
    InterfaceCounters lan = run.counters("lan0");
    assertThat(lan.counterBits()).isEqualTo(64);
    assertThat(lan.operStatus()).isEqualTo(InterfaceCounters.OperStatus.UP);
    assertThat(lan.sysUpTime()).isPositive();
    assertThat(lan.discontinuityTime()).isZero();
    assertThat(lan.counters().inOctets()).isPositive(); // the server's ping
    assertThat(lan.counters().inUcastPkts()).isPositive();
  }

  /** A refused poll: the options and environment, and the one line it must print. */
  record Refusal(String name, Map<String, String> env, List<String> args, String line) {
    @Override
    public String toString() {
      return name;
    }
  }

  Stream<Refusal> refusals() {
    String v2c =
        "no answer within 500ms: is the agent running, and is the community right? (an"
            + " agent ignores a wrong community)";
    List<String> v3 =
        List.of("--snmp-version", "v3", "--auth-protocol", "SHA-256", "--priv-protocol", "AES");
    return Stream.of(
        new Refusal(
            "wrong community",
            Map.of("LABWATCH_SENSOR_SNMP_COMMUNITY", "not-" + COMMUNITY),
            List.of(),
            v2c),
        new Refusal(
            "wrong authentication passphrase",
            Map.of(
                "LABWATCH_SENSOR_SNMP_AUTH_PASSPHRASE",
                "not-" + AUTH_SHA256,
                "LABWATCH_SENSOR_SNMP_PRIV_PASSPHRASE",
                PRIV_SHA256),
            concat(v3, "--user", "lw-sha256"),
            "wrong authentication passphrase or protocol for user 'lw-sha256' (SHA-256;"
                + " usmStatsWrongDigests)"),
        new Refusal(
            "wrong privacy passphrase",
            Map.of(
                "LABWATCH_SENSOR_SNMP_AUTH_PASSPHRASE",
                AUTH_SHA256,
                "LABWATCH_SENSOR_SNMP_PRIV_PASSPHRASE",
                "not-" + PRIV_SHA256),
            concat(v3, "--user", "lw-sha256"),
            // Net-SNMP drops what it cannot decrypt, without a report
            "no answer within 500ms: is the agent running, and are the privacy passphrase and"
                + " protocol right? (an agent ignores what it cannot decrypt)"),
        new Refusal(
            "unknown user",
            Map.of(
                "LABWATCH_SENSOR_SNMP_AUTH_PASSPHRASE", AUTH_SHA256,
                "LABWATCH_SENSOR_SNMP_PRIV_PASSPHRASE", PRIV_SHA256),
            concat(v3, "--user", "lw-nobody"),
            "the agent does not know user 'lw-nobody' (usmStatsUnknownUserNames)"));
  }

  private static List<String> concat(List<String> a, String... b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(List.of(b));
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusals")
  void aRefusedPollIsOneLineNamingTheDeviceAndTheCause(Refusal refusal) throws Exception {
    List<String> args = concat(refusal.args(), "--timeout", "500ms", "--retries", "0");
    Run run = sensor(refusal.env(), args.toArray(String[]::new));

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out()).isEmpty();
    assertThat(run.errLines())
        .containsExactly("labwatch sensor snmp: " + router.address() + ": " + refusal.line());
    for (String secret : refusal.env().values()) {
      assertThat(run.err()).doesNotContain(secret);
    }
  }

  @Test
  void theRoutersInterfaceCountsThePingThatCrossedIt() throws Exception {
    Path community = secretFile(COMMUNITY);
    InterfaceCounters before =
        sensor(Map.of(), "--community-file", community.toString(), "--tables", "interfaces")
            .counters("lan0");

    int pings = 50;
    lab.exec(
        "srv",
        "ping",
        "-q",
        "-s",
        "1400",
        "-c",
        String.valueOf(pings),
        "-i",
        "0.01",
        lab.lanIp(1).toString());

    // snmpd caches its interface table for a few seconds: poll until it shows the ping
    List<InterfaceCounters> after = new ArrayList<>();
    await()
        .atMost(Duration.ofSeconds(60))
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              InterfaceCounters c =
                  sensor(
                          Map.of(),
                          "--community-file",
                          community.toString(),
                          "--tables",
                          "interfaces")
                      .counters("lan0");
              after.add(c);
              return !c.counters().inOctets().equals(before.counters().inOctets());
            });
    InterfaceCounters now = after.get(after.size() - 1);

    long expected = (long) pings * ECHO_FRAME_BYTES;
    assertThat(now.counters().inOctets() - before.counters().inOctets())
        .as("lan0 ifHCInOctets: the echo requests")
        .isCloseTo(expected, withinPercentage(3));
    assertThat(now.counters().outOctets() - before.counters().outOctets())
        .as("lan0 ifHCOutOctets: the echo replies")
        .isCloseTo(expected, withinPercentage(3));
    // plus the few ARP frames by which the two ends make sure of each other's MAC
    assertThat(now.counters().inUcastPkts() - before.counters().inUcastPkts())
        .as("lan0 ifHCInUcastPkts")
        .isBetween((long) pings, pings + 4L);
    assertThat(now.sysUpTime()).isGreaterThan(before.sysUpTime());
  }
}
