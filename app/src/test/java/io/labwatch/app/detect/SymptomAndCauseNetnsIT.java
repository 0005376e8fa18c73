package io.labwatch.app.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.labwatch.app.testing.LabwatchRun;
import io.labwatch.app.testing.NetnsLab;
import io.labwatch.app.testing.ProbeAgent;
import io.labwatch.events.IpAddress;
import io.labwatch.events.MacAddress;
import io.labwatch.producers.testing.Requirements;
import io.labwatch.sinks.testing.FakeSlack;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16's seed, end to end on a real wire: a GPU server with an ssh-like listener and a router
 * in AP mode that takes the server's address, two network namespaces on a bridge; {@code labwatch
 * run} (the packaged jar, its own JVM) in this namespace with its ARP sensor on the bridge's mirror
 * and probe ports and its host sensor probing the server's ssh every second. The two devices take
 * turns speaking to this box, so its neighbour entry for the address — and with it where the probes
 * go — flips between them, as the lab's did. Slack (a stand-in on loopback) gets one
 * SERVICE_UNREACHABLE message that says the symptom and its cause, and one IP_CONFLICT.
 */
@Tag("serial") // (not beside another test: its host sensor judges the box's load: another test
// beside it would make it the cause)
class SymptomAndCauseNetnsIT {

  static final MacAddress SERVER = MacAddress.of("3c:fd:fe:0c:00:10"); // Intel
  static final MacAddress AP_ROUTER = MacAddress.of("00:a0:de:0c:00:10"); // YAMAHA

  @TempDir Path dir;

  private NetnsLab lab;
  private FakeSlack slack;
  private ProbeAgent sshd;
  private LabwatchRun labwatch;

  @BeforeEach
  void buildTheLab() throws Exception {
    Requirements.root("the network-namespace lab");
    Requirements.command("ip", "iproute2");
    Requirements.command("tc", "iproute2");
    Requirements.command("ping", "iputils-ping");
    Requirements.libpcap();
    lab = NetnsLab.create();
    lab.host("srv", SERVER, lab.ip(10));
    lab.host("ap", AP_ROUTER, lab.ip(10));
    assertThat(lab.exec("ap", "ip", "link", "set", "eth0", "down")).isZero(); // not yet
    sshd =
        ProbeAgent.start(
            lab,
            "srv",
            Files.createTempFile(dir, "sshd", ".err"),
            "listen",
            lab.ip(10).toString(),
            "22");
    sshd.await("LISTENING ", 30);
    slack = new FakeSlack();
  }

  @AfterEach
  void tearDown() throws Exception {
    if (labwatch != null) {
      labwatch.close();
    }
    if (sshd != null) {
      sshd.close();
    }
    if (slack != null) {
      slack.close();
    }
    if (lab != null) {
      lab.close();
    }
  }

  @Test
  void sshFailingWheneverTheAddressGoesToTheRouterIsOneSlackMessageWithSymptomAndCause()
      throws Exception {
    IpAddress ip = lab.ip(10);
    Path config =
        Files.writeString(
            dir.resolve("labwatch.yml"),
            String.join(
                "\n",
                "sensor:",
                "  arp:",
                "    heartbeatInterval: 5s",
                "  host:",
                "    interval: 2s",
                "    probes: ['tcp://" + ip + ":22?interval=1s&timeout=500ms']",
                "detection:",
                "  updateInterval: 5s",
                "  health:",
                "    warmUp: 0s",
                "slack:",
                "  webhookUrl: " + slack.webhookUrl(),
                ""));
    labwatch =
        LabwatchRun.start(
                dir,
                "run",
                Map.of(),
                List.of(
                    "--config",
                    config.toString(),
                    "--data-dir",
                    dir.resolve("data").toString(),
                    "--broker-port",
                    "0",
                    "--metrics-listen",
                    "127.0.0.1:0",
                    "--iface",
                    lab.probeInterface() + "," + lab.monitorInterface()))
            .awaitReady();

    // a healthy lab for a few probes: nothing to say
    Thread.sleep(5_000);
    assertThat(texts("SERVICE_UNREACHABLE")).as("%s", labwatch.log()).isEmpty();

    // the router goes to AP mode with the server's address; the two take turns speaking to this
    // box, and its entry for the address follows whoever spoke last
    assertThat(lab.exec("ap", "ip", "link", "set", "eth0", "up")).isZero();
    for (int turn = 0; turn < 24 && texts("SERVICE_UNREACHABLE firing").isEmpty(); turn++) {
      speaksToThisBox(turn % 2 == 0 ? "ap" : "srv");
      Thread.sleep(2_500); // two probes a turn
    }

    await()
        .atMost(Duration.ofSeconds(20))
        .failFast("labwatch exited", () -> !labwatch.isAlive())
        .untilAsserted(
            () -> assertThat(texts("SERVICE_UNREACHABLE firing")).as("%s", log()).hasSize(1));
    String message = texts("SERVICE_UNREACHABLE firing").get(0);
    assertThat(message)
        .matches(
            "(WARNING|CRITICAL) SERVICE_UNREACHABLE firing: ssh to "
                + ip.toString().replace(".", "\\.")
                + " fails.*")
        .contains("every failure went to " + AP_ROUTER + " (YAMAHA")
        .contains("Cause: IP conflict on " + ip + " between ")
        .contains(SERVER.toString());
    // the conflict: one incident, one firing message
    assertThat(texts("IP_CONFLICT firing")).hasSize(1);
  }

  /**
   * The device speaks to this box first thing: it forgets its neighbours, so its ping starts with
   * an ARP request for the probe port's address from the shared address — and this box's kernel
   * takes the asker's MAC for that address.
   */
  private void speaksToThisBox(String device) throws IOException, InterruptedException {
    lab.forgetNeighbours(device);
    lab.exec(device, "ping", "-c", "1", "-W", "1", lab.probeAddress().toString());
  }

  private List<String> texts(String what) {
    return slack.texts(what);
  }

  private String log() throws IOException {
    return labwatch.log() + "\nslack: " + String.join("\n  ", slack.texts());
  }
}
