package io.labwatch.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.labwatch.app.testing.Cli;
import io.labwatch.producers.testing.Requirements;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code labwatch sensor arp} without a broker: capture files and the errors a user meets. */
class SensorArpCliTest {

  static final Path FIXTURES = Path.of("..", "producers", "src", "test", "resources", "pcap");

  private final Cli cli = new Cli();

  @Test
  void aCaptureFileToStdoutIsOneJsonObservationPerLineAndASummary() throws Exception {
    Path file = FIXTURES.resolve("ip-conflict.pcapng");
    Cli.Result r =
        cli.run("sensor", "arp", "--pcap", file.toString(), "--stdout", "--sensor-id", "lab-sw1");

    assertThat(r.exitCode()).as(r.err()).isZero();
    List<JsonNode> lines = r.outLines().stream().map(SensorArpCliTest::json).toList();
    assertThat(lines).hasSize(15);
    assertThat(lines).allSatisfy(l -> assertThat(l.get("type").asText()).isEqualTo("arp"));
    assertThat(lines).allSatisfy(l -> assertThat(l.get("sensorId").asText()).isEqualTo("lab-sw1"));
    assertThat(lines.get(1).get("senderMac").asText()).isEqualTo("00:a0:de:0a:00:10");
    assertThat(lines.get(1).get("eventTime").asText()).isEqualTo("2026-11-26T01:45:18.802917Z");
    assertThat(r.errLines())
        .containsExactly("read 15 packets from " + file + ": printed 15 observations, skipped 0");
  }

  @Test
  void probingCannotGoWithACaptureFile() {
    Cli.Result r =
        cli.run(
            "sensor",
            "arp",
            "--pcap",
            FIXTURES.resolve("arp-probe.pcap").toString(),
            "--stdout",
            "--probe",
            "10.77.0.10");
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.errLines())
        .containsExactly(
            "labwatch: error: --probe sends packets on a live interface; it cannot go with --pcap");
  }

  @Test
  void anInterfaceThatDoesNotExistIsOneLineListingThoseThatDo() {
    Requirements.libpcap();
    Cli.Result r = cli.run("sensor", "arp", "--iface", "nosuch0", "--stdout");
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.errLines()).hasSize(1);
    assertThat(r.err())
        .startsWith("labwatch: error: interface nosuch0 does not exist; this host has: ")
        .contains("lo");
  }

  @Test
  void aBadProbeTargetIsAConfigurationError() {
    Cli.Result r = cli.run("sensor", "arp", "--iface", "lo", "--stdout", "--probe", "10.1.2");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.errLines())
        .containsExactly(
            "labwatch: configuration error: sensor.arp.probe.targets: not an IP address: '10.1.2' (from flag --probe)");
  }

  private static JsonNode json(String line) {
    try {
      return new ObjectMapper().readTree(line);
    } catch (Exception e) {
      throw new AssertionError("not JSON: " + line, e);
    }
  }
}
