package io.labwatch.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.labwatch.app.testing.Cli;
import io.labwatch.events.HostMetrics;
import io.labwatch.events.JsonSerde;
import io.labwatch.events.ProbeResult;
import io.labwatch.events.SensorEvent;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@code labwatch sensor host --once --stdout} on this machine, without a broker: "what would this
 * server publish?"
 */
class SensorHostCliTest {

  private final Cli cli = new Cli();

  @Test
  void onceStdoutPrintsOneSampleOfThisHostAsAJsonLineAndASummaryOnStderr() throws Exception {
    assumeTrue(Files.isReadable(Path.of("/proc/stat")), "reads the kernel's /proc (Linux)");

    Cli.Result r = cli.run("sensor", "host", "--once", "--stdout", "--host-name", "yamato");

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.outLines()).hasSize(1);
    String line = r.outLines().get(0);
    JsonNode json = new ObjectMapper().readTree(line);
    assertThat(json.get("type").asText()).isEqualTo("host");
    assertThat(json.get("v").asInt()).isEqualTo(1);
    assertThat(json.get("sensorId").asText()).isEqualTo("yamato");
    assertThat(json.get("cpu").get("windowMs").asLong()).isPositive();
    assertThat(json.get("cpu").get("cores").size())
        .isEqualTo(
            (int)
                Files.readAllLines(Path.of("/proc/stat")).stream()
                    .filter(l -> l.matches("cpu\\d+ .*"))
                    .count());
    assertThat(json.get("memory").get("totalBytes").asLong()).isPositive();
    assertThat(json.get("interfaces").findValuesAsText("name")).contains("lo");
    // the contract's own reader takes it back
    SensorEvent event =
        JsonSerde.of(SensorEvent.class).deserialize("t", line.getBytes(StandardCharsets.UTF_8));
    assertThat(event).isInstanceOf(HostMetrics.class);
    assertThat(r.errLines())
        .last()
        .asString()
        .matches(
            "labwatch sensor host: yamato: cpu \\d+% busy \\(\\d+ cores\\), load [\\d.]+ [\\d.]+"
                + " [\\d.]+, memory .*, \\d+ disks?, \\d+ file systems?, \\d+ interfaces?, \\d+"
                + " GPUs?");
  }

  @Test
  void onceWithProbesPrintsEachResultAfterTheSampleOkOrHowItFailed() throws Exception {
    assumeTrue(Files.isReadable(Path.of("/proc/stat")), "reads the kernel's /proc (Linux)");
    try (ServerSocket listening = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      int closed;
      try (ServerSocket gone = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
        closed = gone.getLocalPort();
      }
      String up = "tcp://127.0.0.1:" + listening.getLocalPort();
      String down = "tcp://127.0.0.1:" + closed + "?timeout=1s";

      Cli.Result r =
          cli.run("sensor", "host", "--once", "--stdout", "--no-gpus", "--probe", up + "," + down);

      assertThat(r.exitCode()).as(r.err()).isZero();
      assertThat(r.outLines()).hasSize(3); // the sample, then one line a probe
      JsonSerde<SensorEvent> serde = JsonSerde.of(SensorEvent.class);
      ProbeResult ok =
          (ProbeResult)
              serde.deserialize("t", r.outLines().get(1).getBytes(StandardCharsets.UTF_8));
      ProbeResult refused =
          (ProbeResult)
              serde.deserialize("t", r.outLines().get(2).getBytes(StandardCharsets.UTF_8));
      assertThat(ok.target()).isEqualTo(up);
      assertThat(ok.ok()).isTrue();
      assertThat(refused.target()).isEqualTo(down);
      assertThat(refused.ok()).isFalse();
      assertThat(refused.error()).isEqualTo(ProbeResult.ErrorClass.REFUSED);
      assertThat(r.errLines())
          .anyMatch(l -> l.startsWith("labwatch sensor host: probe " + up + " ok in "))
          .anyMatch(l -> l.startsWith("labwatch sensor host: probe " + down + " REFUSED after "));
    }
  }

  @Test
  void aBadProbeIsOneLineNamingTheFlagAndTheProbe() {
    Cli.Result r = cli.run("sensor", "host", "--once", "--stdout", "--probe", "ssh://10.77.0.10");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.errLines()).hasSize(1);
    assertThat(r.err())
        .startsWith("labwatch: configuration error: sensor.host.probes")
        .contains("ssh://10.77.0.10")
        .contains("(from flag --probe)");
  }

  @Test
  void aBadIntervalIsOneLineNamingTheFlagsKey() {
    Cli.Result r = cli.run("sensor", "host", "--once", "--stdout", "--interval", "10ms");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.errLines())
        .containsExactly(
            "labwatch: configuration error: sensor.host.interval: must be between 1s and 1h, got"
                + " 0.01s (from flag --interval)");
  }

  @Test
  void theHelpSaysWhatIsPublishedAndWhereGpusComeFrom() {
    Cli.Result help = cli.run("sensor", "host", "--help");

    assertThat(help.exitCode()).isZero();
    assertThat(help.out())
        .contains("labwatch.host")
        .contains("nvidia-smi")
        .contains("--once")
        .contains("--host-name")
        .contains("--interval");
  }
}
