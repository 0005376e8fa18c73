package io.labwatch.app.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.labwatch.app.testing.LabwatchRun;
import io.labwatch.app.testing.NetnsLab;
import io.labwatch.events.IpAddress;
import io.labwatch.events.MacAddress;
import io.labwatch.producers.testing.Requirements;
import io.labwatch.sinks.testing.FakeSlack;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13 on a real wire: {@code labwatch run} (the packaged jar, its own JVM, the shipped
 * windows: a 5-minute conflict window) captures on a bridge of network namespaces — on the bridge's
 * mirror port, and on a plain port with an address, from which its sensor sends the confirmation
 * probes — and posts to a Slack stand-in. What the passive rules could only settle after the
 * window, the probe settles in seconds; a real {@code arpspoof} is one ARP_POISONING.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConfirmationLoopNetnsIT {

  static final MacAddress GATEWAY = MacAddress.of("00:1b:21:0a:00:01"); // Intel
  static final MacAddress CLIENT = MacAddress.of("52:54:00:0a:00:21"); // QEMU
  static final MacAddress MITM = MacAddress.of("08:00:27:0a:00:66"); // VirtualBox
  static final MacAddress SERVER = MacAddress.of("3c:fd:fe:0a:00:10"); // Intel
  static final MacAddress ROUTER = MacAddress.of("00:a0:de:0a:00:10"); // YAMAHA
  static final MacAddress OLD_NIC = MacAddress.of("00:e0:4c:0a:00:30"); // Realtek
  static final MacAddress NEW_NIC = MacAddress.of("3c:fd:fe:0a:00:30"); // Intel

  @TempDir static Path dir;

  private NetnsLab lab;
  private FakeSlack slack;
  private LabwatchRun labwatch;
  private final List<Process> started = new ArrayList<>();

  @BeforeAll
  void startLabwatchOnALab() throws Exception {
    Requirements.root("the network-namespace lab");
    Requirements.command("ip", "iproute2");
    Requirements.command("tc", "iproute2");
    Requirements.command("ping", "iputils-ping");
    Requirements.command("arpspoof", "dsniff");
    Requirements.libpcap();
    lab = NetnsLab.create();
    lab.host("gw", GATEWAY, lab.ip(1));
    lab.host("cl", CLIENT, lab.ip(21));
    lab.host("mitm", MITM, lab.ip(66));
    lab.host("srv", SERVER, lab.ip(10));
    lab.host("rogue", ROUTER, lab.ip(10));
    lab.host("ws", OLD_NIC, lab.ip(30));
    lab.host("newbox", NEW_NIC, lab.ip(30));
    for (String down : List.of("rogue", "newbox", "mitm")) {
      lab.exec(down, "ip", "link", "set", "eth0", "down");
    }
    slack = new FakeSlack();
    Path config =
        Files.writeString(
            dir.resolve("labwatch.yml"),
            String.join(
                "\n",
                "sensor:",
                "  arp:",
                "    heartbeatInterval: 5s",
                "slack:",
                "  webhookUrl: " + slack.webhookUrl(),
                ""));
    labwatch =
        LabwatchRun.ready(
            dir,
            java.util.Map.of(),
            "--config",
            config.toString(),
            "--data-dir",
            dir.resolve("data").toString(),
            "--broker-port",
            "0",
            "--iface",
            lab.probeInterface() + "," + lab.monitorInterface(),
            "--metrics-listen",
            "127.0.0.1:0");
    assertThat(labwatch.out()).contains("confirms suspected conflicts by ARP requests");
  }

  @AfterEach
  void stopWhatTheTestStarted() throws InterruptedException {
    for (Process p : started) {
      p.destroy();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
    started.clear();
  }

  @AfterAll
  void stopLabwatch() throws Exception {
    if (labwatch != null) {
      labwatch.close();
    }
    if (slack != null) {
      slack.close();
    }
    if (lab != null) {
      lab.close();
    }
  }

  private List<String> texts() {
    return slack.requests().stream().map(r -> r.body().path("text").asText()).toList();
  }

  private List<String> textsAbout(String prefix, IpAddress ip) {
    return texts().stream().filter(t -> t.startsWith(prefix) && t.contains(ip + ":")).toList();
  }

  /** The host says something: it asks for the sensor box's address. */
  private void speaks(String host) throws IOException, InterruptedException {
    lab.exec(host, "ping", "-c", "1", "-W", "1", lab.probeAddress().toString());
  }

  private String log() throws IOException {
    return labwatch.log();
  }

  @Test
  void aSecondDeviceOnTheAddressOfASilentServerIsAConflictThatTheProbeConfirmsInSeconds()
      throws Exception {
    IpAddress ip = lab.ip(10);
    speaks("srv"); // and silent from then on
    Thread.sleep(2_000); // pacing: the router comes up a while after the server last spoke

    // the router comes up in AP mode with the server's address, and asks something from it
    lab.exec("rogue", "ip", "link", "set", "eth0", "up");
    speaks("rogue");

    // the window rules alone would call this a MAC_CHANGED in 5 minutes; the probe asks both
    String firing = "CRITICAL IP_CONFLICT firing: IP conflict on " + ip + ":";
    await()
        .atMost(Duration.ofSeconds(30))
        .failFast("labwatch exited", () -> !labwatch.isAlive())
        .untilAsserted(() -> assertThat(textsAbout(firing, ip)).as("%s", log()).hasSize(1));
    assertThat(textsAbout(firing, ip).get(0))
        .contains(SERVER.toString(), ROUTER.toString(), "YAMAHA", "both answered a probe at");
    assertThat(textsAbout("WARNING MAC_CHANGED", ip)).isEmpty();
  }

  @Test
  void aNewDeviceOnTheAddressOfOneThatIsGoneIsAMacChangedInSecondsNotAfterTheWindow()
      throws Exception {
    IpAddress ip = lab.ip(30);
    speaks("ws");
    // the workstation goes away; another box takes its address
    lab.exec("ws", "ip", "link", "set", "eth0", "down");
    lab.exec("newbox", "ip", "link", "set", "eth0", "up");
    speaks("newbox");

    String changed = "WARNING MAC_CHANGED: " + ip + " moved from " + OLD_NIC;
    await()
        .atMost(Duration.ofSeconds(30))
        .failFast("labwatch exited", () -> !labwatch.isAlive())
        .untilAsserted(
            () ->
                assertThat(texts().stream().filter(t -> t.startsWith(changed)))
                    .as("%s", log())
                    .hasSize(1));
    assertThat(texts().stream().filter(t -> t.startsWith(changed)).findFirst().orElseThrow())
        .contains("only " + NEW_NIC + " answered a probe at");
    assertThat(textsAbout("CRITICAL IP_CONFLICT", ip)).isEmpty();
  }

  @Test
  void arpspoofBetweenAClientAndTheGatewayIsOneArpPoisoningNamingTheImpostorTheGatewayAndTheVictim()
      throws Exception {
    IpAddress gateway = lab.ip(1);
    IpAddress client = lab.ip(21);
    IpAddress impostor = lab.ip(66);
    // the client and the gateway talk
    started.add(lab.start("cl", "ping", "-q", "-i", "0.5", gateway.toString()));
    started.add(lab.start("gw", "ping", "-q", "-i", "0.7", client.toString()));
    lab.exec("mitm", "ip", "link", "set", "eth0", "up");
    lab.exec("mitm", "sysctl", "-qw", "net.ipv4.ip_forward=1");
    Thread.sleep(3_000); // pacing: they have asked for each other before the attack

    // arpspoof -r: tells each of them that the other's address is at its MAC, every 2 s
    Process arpspoof =
        lab.start(
            "mitm", "arpspoof", "-i", "eth0", "-t", client.toString(), "-r", gateway.toString());
    started.add(arpspoof);

    String told = "CRITICAL ARP_POISONING "; // its FIRING, or the update when the second lie joins
    await()
        .atMost(Duration.ofSeconds(30))
        .failFast("arpspoof exited", () -> !arpspoof.isAlive())
        .failFast("labwatch exited", () -> !labwatch.isAlive())
        .untilAsserted(
            () ->
                assertThat(texts())
                    .as("%s", log())
                    .anyMatch(t -> t.startsWith(told) && t.contains("toward each other")));
    List<String> poisoning = texts().stream().filter(t -> t.contains("ARP_POISONING")).toList();
    assertThat(poisoning.get(poisoning.size() - 1))
        .contains(
            MITM + " (PCS Systemtechnik GmbH; " + impostor + ") impersonates",
            gateway + " (" + GATEWAY + " Intel Corporate)",
            client + " (" + CLIENT + " locally administered)",
            "a man in the middle (ARP poisoning)");
    // one incident, and the conflicts it explains are not told besides, while it goes on
    await()
        .during(Duration.ofSeconds(5))
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              assertThat(texts().stream().filter(t -> t.startsWith(told)).count())
                  .as("%s", texts())
                  .isBetween(1L, 2L); // the FIRING, and its update when the second lie joins
              assertThat(texts())
                  .noneMatch(t -> t.contains("IP_CONFLICT") && t.contains(gateway + ":"))
                  .noneMatch(t -> t.contains("IP_CONFLICT") && t.contains(client + ":"));
            });
  }
}
