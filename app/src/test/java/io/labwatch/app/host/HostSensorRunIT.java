package io.labwatch.app.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.labwatch.app.testing.Cli;
import io.labwatch.app.testing.LabwatchRun;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code labwatch run} with its host sensor, as a user looks at it: the box's own samples and the
 * configured probes' results in {@code labwatch tail labwatch.host}, and the host sensor's health
 * in {@code labwatch status}. Probes go to a listening and a closed port on loopback only.
 */
@Tag("serial") // (not beside another test: it samples the box itself (load, CPU, memory))
class HostSensorRunIT {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private LabwatchRun labwatch;
  private ServerSocket sshd;

  @AfterEach
  void tearDown() throws IOException {
    if (labwatch != null) {
      labwatch.close();
    }
    if (sshd != null) {
      sshd.close();
    }
  }

  @Test
  void samplesAndProbeResultsAreInTheHostTopicAndTheSensorsHealthInStatus() throws Exception {
    sshd = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor =
        new Thread(
            () -> {
              while (!sshd.isClosed()) {
                try (Socket s = sshd.accept()) {
                  s.getOutputStream().write("SSH-2.0-OpenSSH_9.2p1\r\n".getBytes());
                } catch (IOException e) {
                  // closed, or the prober left first
                }
              }
            },
            "sshd");
    acceptor.setDaemon(true);
    acceptor.start();
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    String up = "tcp://127.0.0.1:" + sshd.getLocalPort() + "?interval=1s&timeout=1s";
    String down = "tcp://127.0.0.1:" + closed + "?interval=1s&timeout=1s";
    Path config =
        Files.writeString(
            dir.resolve("labwatch.yml"),
            String.join(
                "\n",
                "sensor:",
                "  host:",
                "    hostName: yamato",
                "    interval: 1s",
                "    heartbeatInterval: 1s",
                "    gpus: false",
                "    probes:",
                "      - " + up,
                "      - " + down,
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
                    "--no-capture",
                    "--metrics-listen",
                    "127.0.0.1:0"))
            .awaitReady();
    assertThat(labwatch.out()).contains("host     ");
    String bootstrap = labwatch.broker();

    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofSeconds(1))
        .untilAsserted(
            () -> {
              List<JsonNode> values = hostValues(bootstrap);
              assertThat(values)
                  .filteredOn(v -> "host".equals(v.path("type").asText()))
                  .isNotEmpty()
                  .allSatisfy(v -> assertThat(v.path("sensorId").asText()).isEqualTo("yamato"));
              assertThat(values)
                  .filteredOn(v -> "probe-result".equals(v.path("type").asText()))
                  .extracting(v -> v.path("target").asText() + " " + v.path("ok").asBoolean())
                  .contains(up + " true", down + " false");
              assertThat(values)
                  .filteredOn(
                      v -> down.equals(v.path("target").asText()) && !v.path("ok").asBoolean())
                  .allSatisfy(v -> assertThat(v.path("error").asText()).isEqualTo("REFUSED"));
            });
    JsonNode sample =
        hostValues(bootstrap).stream()
            .filter(v -> "host".equals(v.path("type").asText()))
            .reduce((a, b) -> b)
            .orElseThrow();
    assertThat(sample.path("memory").path("totalBytes").asLong()).isPositive();
    assertThat(sample.path("load").isObject()).as(sample.toString()).isTrue();

    Cli.Result status = new Cli().run("status", "-b", bootstrap);
    assertThat(status.out())
        .as(status.err())
        .containsPattern("host sensors \\(heard from in the last 5 min\\)\\n  yamato +ok +last");
  }

  /** The values in labwatch.host, as {@code labwatch tail} prints them. */
  private static List<JsonNode> hostValues(String bootstrap) {
    Cli.Result tail =
        new Cli().run("tail", "labwatch.host", "--from-beginning", "-e", "-b", bootstrap);
    assertThat(tail.exitCode()).as(tail.err()).isZero();
    return tail.outLines().stream()
        .map(
            l -> {
              try {
                return JSON.readTree(l).path("value");
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            })
        .toList();
  }
}
