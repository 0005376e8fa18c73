package io.labwatch.app.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.labwatch.app.testing.Cli;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** `labwatch analyze` on the committed captures of the sensor issue. */
class AnalyzeCommandTest {

  static final Path FIXTURES = Path.of("..", "producers", "src", "test", "resources", "pcap");

  @Test
  void theIpConflictCaptureGivesOneIpConflictNamingBothVendorsAndItsFinalCountsAtTheEnd() {
    Path file = FIXTURES.resolve("ip-conflict.pcapng");
    Cli.Result r = new Cli().run("analyze", file.toString(), "--sensor-id", "lab-sw1");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.outLines())
        .containsExactly(
            "2026-11-26 01:45:18Z CRITICAL IP_CONFLICT firing: IP conflict on 10.77.0.10: two devices"
                + " answer for it, 00:a0:de:0a:00:10 (YAMAHA CORPORATION) and 3c:fd:fe:0a:00:10 (Intel"
                + " Corporate); first double answer at 01:45:18 UTC");
    assertThat(r.errLines())
        .containsExactly(
            "read 15 packets from " + file + ": analysed 15 observations, skipped 0; 1 alert",
            "still firing when the capture ends (2026-11-26 01:45:20Z): IP_CONFLICT:10.77.0.10 — for"
                + " 1 s since 2026-11-26 01:45:18Z, 9 flips; 00:a0:de:0a:00:10 (YAMAHA CORPORATION) 5"
                + " packets, 3c:fd:fe:0a:00:10 (Intel Corporate) 5 packets");
  }

  @Test
  void aNicSwapShorterThanTheWindowIsListedAsWaitingForIt() {
    Path file = FIXTURES.resolve("nic-swap-short.pcap");
    Cli.Result r = new Cli().run("analyze", file.toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).isEmpty();
    assertThat(r.errLines())
        .last()
        .asString()
        .matches(
            "waiting when the capture ends: 10\\.77\\.0\\.30 moved from 00:e0:4c:0a:00:30 \\(REALTEK"
                + " SEMICONDUCTOR CORP\\.\\) to 3c:fd:fe:0a:00:30 \\(Intel Corporate\\) at (\\S+ \\S+); becomes"
                + " MAC_CHANGED unless 00:e0:4c:0a:00:30 reappears by \\S+ \\S+");

    Cli.Result json = new Cli().run("analyze", file.toString(), "--json");
    assertThat(json.outLines()).hasSize(1);
    assertThat(json.out())
        .contains(
            "\"state\":\"PENDING\"",
            "\"kind\":\"MAC_CHANGED\"",
            "\"subject\":\"10.77.0.30\"",
            "\"from\":\"00:e0:4c:0a:00:30\"",
            "\"to\":\"3c:fd:fe:0a:00:30\"");
  }

  @Test
  void arpspoofBetweenAClientAndTheGatewayIsOneArpPoisoningNamingAllThree() {
    Path file = FIXTURES.resolve("arpspoof-mitm.pcap");
    Cli.Result r = new Cli().run("analyze", file.toString(), "--json");
    assertThat(r.exitCode()).as(r.err()).isZero();
    List<String> lines = r.outLines();
    assertThat(lines).noneMatch(l -> l.contains("\"kind\":\"IP_CONFLICT\""));
    List<String> poisoning =
        lines.stream().filter(l -> l.contains("\"kind\":\"ARP_POISONING\"")).toList();
    assertThat(poisoning).isNotEmpty();
    assertThat(poisoning)
        .allMatch(l -> l.contains("\"fingerprint\":\"ARP_POISONING:08:00:27:0a:00:66\""))
        .allMatch(l -> l.contains("ARP_POISONING:08:00:27:0a:00:66@"));
    // the last word on it: still firing at the end, naming the impostor, the gateway, the client
    String end = poisoning.get(poisoning.size() - 1);
    assertThat(end)
        .contains(
            "\"state\":\"STILL_FIRING\"",
            "08:00:27:0a:00:66 (PCS Systemtechnik GmbH; 10.77.0.66) impersonates 10.77.0.1"
                + " (00:1b:21:0a:00:01 Intel Corporate) and 10.77.0.21 (52:54:00:0a:00:21 locally"
                + " administered) toward each other: a man in the middle (ARP poisoning)",
            "\"ownAddresses\":\"10.77.0.66\"",
            "\"victims\":\"10.77.0.1, 10.77.0.21\"");
  }

  @Test
  void jsonLinesAreTheAlertsTopicsFormat() {
    Cli.Result r =
        new Cli().run("analyze", FIXTURES.resolve("ip-conflict.pcap").toString(), "--json");
    assertThat(r.exitCode()).isZero();
    // the alert as raised, then what was still firing at the end, with its own state
    assertThat(r.outLines()).hasSize(2);
    assertThat(r.outLines().get(1))
        .startsWith("{\"state\":\"STILL_FIRING\"")
        .contains("\"flips\":9");
    assertThat(r.outLines().get(0))
        .contains(
            "\"fingerprint\":\"IP_CONFLICT:10.77.0.10\"",
            "\"state\":\"FIRING\"",
            "\"vendor\":\"YAMAHA CORPORATION\"");
  }

  @Test
  void capturesWithoutIncidentsGiveNoAlerts() {
    for (String f : new String[] {"arp-request-reply.pcap", "arp-vlan.pcap", "nd-ns-na.pcap"}) {
      Cli.Result r = new Cli().run("analyze", FIXTURES.resolve(f).toString());
      assertThat(r.exitCode()).isZero();
      assertThat(r.out()).as(f).isEmpty();
    }
  }

  @Test
  void aProbeForTheServersAddressIsTold() {
    Cli.Result r = new Cli().run("analyze", FIXTURES.resolve("arp-probe.pcap").toString());
    assertThat(r.exitCode()).isZero();
    // the probe comes before the server's reply: nothing known holds the address yet
    assertThat(r.out()).isEmpty();
  }

  @Test
  void aMissingCaptureIsOneLine() {
    Cli.Result r = new Cli().run("analyze", "no-such.pcap");
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.errLines())
        .containsExactly("labwatch: error: capture file no-such.pcap does not exist");
  }
}
