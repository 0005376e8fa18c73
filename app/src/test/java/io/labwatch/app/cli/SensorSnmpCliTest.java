package io.labwatch.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.labwatch.app.testing.Cli;
import io.labwatch.events.IpAddress;
import io.labwatch.events.MacAddress;
import io.labwatch.producers.testing.FakeSnmpAgent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code labwatch sensor snmp --once --stdout} against fake agents on loopback, without a broker:
 * "does my router answer, and what does its ARP table say?" — and the lines a user meets when it
 * does not.
 */
class SensorSnmpCliTest {

  static final String COMMUNITY = "lab-s3cret";

  @TempDir Path dir;

  private final Cli cli = new Cli();
  private FakeSnmpAgent agent;

  @AfterEach
  void stop() {
    if (agent != null) {
      agent.close();
    }
  }

  private static JsonNode json(String line) {
    try {
      return new ObjectMapper().readTree(line);
    } catch (Exception e) {
      throw new AssertionError("not JSON: " + line, e);
    }
  }

  @Test
  void aRoutersArpTableAndCountersAreJsonLinesAndItsPollOneLine() throws Exception {
    agent =
        FakeSnmpAgent.start(COMMUNITY)
            .ifEntry(2, "eth1", 0, 0)
            .ifXEntry(2, "eth1", 123_456, 654_321)
            .arp(2, IpAddress.of("10.77.0.10"), MacAddress.of("00:a0:de:77:00:10"));
    Path community = Files.writeString(dir.resolve("community"), COMMUNITY + "\n");

    Cli.Result r =
        cli.run(
            "sensor",
            "snmp",
            "--target",
            agent.address(),
            "--community-file",
            community.toString(),
            "--once",
            "--stdout");

    assertThat(r.exitCode()).as(r.err()).isZero();
    List<JsonNode> lines = r.outLines().stream().map(SensorSnmpCliTest::json).toList();
    assertThat(lines).hasSize(2);
    JsonNode entry = lines.get(0);
    assertThat(entry.get("type").asText()).isEqualTo("arp");
    assertThat(entry.get("class").asText()).isEqualTo("ROUTER_TABLE");
    assertThat(entry.get("sensorId").asText()).isEqualTo(agent.address());
    assertThat(entry.get("interface").asText()).isEqualTo("eth1");
    assertThat(entry.get("senderIp").asText()).isEqualTo("10.77.0.10");
    assertThat(entry.get("senderMac").asText()).isEqualTo("00:a0:de:77:00:10");
    JsonNode counters = lines.get(1);
    assertThat(counters.get("type").asText()).isEqualTo("counters");
    assertThat(counters.get("ifName").asText()).isEqualTo("eth1");
    assertThat(counters.get("counters").get("inOctets").asLong()).isEqualTo(123_456);
    assertThat(r.errLines())
        .singleElement()
        .asString()
        .matches(
            "labwatch sensor snmp: \\Q"
                + agent.address()
                + "\\E: 1 ARP entry, 1 interface in 2 requests, \\d+ ms");
  }

  @Test
  void aDeviceThatDoesNotAnswerIsOneLineAndExitOneAndTheCommunityIsNeverShown() throws Exception {
    agent = FakeSnmpAgent.start("another-community");

    Cli.Result r =
        new Cli()
            .env("LABWATCH_SENSOR_SNMP_COMMUNITY", COMMUNITY)
            .run(
                "sensor",
                "snmp",
                "--target",
                agent.address(),
                "--timeout",
                "200ms",
                "--once",
                "--stdout");

    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.errLines())
        .containsExactly(
            "labwatch sensor snmp: "
                + agent.address()
                + ": no answer within 200ms (2 tries): is the agent running, and is the community"
                + " right? (an agent ignores a wrong community)");
    assertThat(r.out() + r.err()).doesNotContain(COMMUNITY);
  }

  @Test
  void withoutADeviceItSaysHowToGiveOne() {
    Cli.Result r = cli.run("sensor", "snmp", "--stdout");
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.errLines())
        .containsExactly(
            "labwatch: error: no SNMP devices to poll: give one with --target HOST[:PORT], or list"
                + " them under sensor.snmp.devices");
  }

  @Test
  void aCommunityFileThatIsNotThereIsOneLine() {
    Cli.Result r =
        cli.run(
            "sensor",
            "snmp",
            "--target",
            "127.0.0.1:1161",
            "--community-file",
            dir.resolve("nope").toString(),
            "--once");
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.errLines())
        .containsExactly("labwatch: error: cannot read " + dir.resolve("nope") + " (no such file)");
  }

  @Test
  void aCommunityOnTheCommandLineIsNotRepeatedInAConfigurationError() {
    Cli.Result r =
        cli.run(
            "sensor",
            "snmp",
            "--target",
            "127.0.0.1:1161",
            "--community",
            COMMUNITY,
            "--snmp-version",
            "v4",
            "--once");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err())
        .contains("sensor.snmp.version: must be v2c or v3, got v4 (from flag --snmp-version)")
        .doesNotContain(COMMUNITY);
  }
}
