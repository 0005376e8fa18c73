package io.labwatch.app.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.labwatch.app.testing.Cli;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** `labwatch analyze` on the committed captures of the sensor issue. */
class AnalyzeCommandTest {

  static final Path FIXTURES = Path.of("..", "producers", "src", "test", "resources", "pcap");

  @Test
  void theIpConflictCaptureGivesOneIpConflictNamingBothVendors() {
    Path file = FIXTURES.resolve("ip-conflict.pcapng");
    Cli.Result r = new Cli().run("analyze", file.toString(), "--sensor-id", "lab-sw1");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.outLines())
        .containsExactly(
            "2026-11-26 01:45:18Z CRITICAL IP_CONFLICT firing: IP conflict on 10.77.0.10:"
                + " 00:a0:de:0a:00:10 (YAMAHA CORPORATION) and 3c:fd:fe:0a:00:10 (Intel Corporate), 1 flip in 0 s");
    assertThat(r.errLines())
        .containsExactly(
            "read 15 packets from " + file + ": analysed 15 observations, skipped 0; 1 alert",
            "still firing at the end of the capture: IP_CONFLICT:10.77.0.10 — IP conflict on 10.77.0.10:"
                + " 00:a0:de:0a:00:10 (YAMAHA CORPORATION) and 3c:fd:fe:0a:00:10 (Intel Corporate), 1 flip in 0 s");
  }

  @Test
  void jsonLinesAreTheAlertsTopicsFormat() {
    Cli.Result r =
        new Cli().run("analyze", FIXTURES.resolve("ip-conflict.pcap").toString(), "--json");
    assertThat(r.exitCode()).isZero();
    assertThat(r.outLines()).hasSize(1);
    assertThat(r.out())
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
