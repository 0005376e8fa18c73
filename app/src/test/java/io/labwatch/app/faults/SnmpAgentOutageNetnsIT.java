package io.labwatch.app.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.labwatch.app.testing.Cli;
import io.labwatch.app.testing.LabwatchRun;
import io.labwatch.app.testing.SnmpLab;
import io.labwatch.producers.testing.Requirements;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A router's SNMP agent stops and comes back while {@code labwatch run} (the packaged jar, its own
 * JVM) polls it and a switch: two network namespaces, each running Debian's real {@code snmpd} —
 * the router over v3 authPriv (SHA-256 + AES-256), the switch over v2c. The outage is one log line,
 * the cause in the router's heartbeats and in {@code /-/healthy}; the switch is polled all along;
 * the agent's return is one more line, and its restart is marked in what the sensor publishes.
 */
class SnmpAgentOutageNetnsIT {

  static final ObjectMapper JSON = new ObjectMapper();

  static final String COMMUNITY = "sw-ro-3b8e51";
  static final String AUTH = "router-auth-d7c2f9";
  static final String PRIV = "router-priv-61a0e4";

  static final String NO_ANSWER =
      "no answer within 500ms (2 tries): is the agent running, and are the privacy passphrase and protocol"
          + " right? (an agent ignores what it cannot decrypt)";

  @TempDir Path dir;
  private SnmpLab lab;
  private LabwatchRun labwatch;
  private final HttpClient http = HttpClient.newHttpClient();

  @AfterEach
  void stopEverything() throws Exception {
    if (labwatch != null) {
      labwatch.close();
    }
    if (lab != null) {
      lab.close();
    }
  }

  @Test
  void aStoppedAgentIsOneProblemInHeartbeatsAndHealthAndItsReturnOneMoreLine() throws Exception {
    Requirements.root("the network-namespace lab");
    Requirements.command("ip", "iproute2");
    Requirements.command("snmpd", "snmpd");
    lab = SnmpLab.create(dir);
    SnmpLab.Device rtr = lab.device("rtr");
    SnmpLab.Device sw = lab.device("sw");
    SnmpLab.Agent router = rtr.startAgent(161, routerConfig("lab-router-1"));
    sw.startAgent(1161, "rocommunity " + COMMUNITY + " default", "");

    Path config =
        Files.writeString(
            dir.resolve("labwatch.yml"),
            String.join(
                "\n",
                "sensor:",
                "  snmp:",
                "    interval: 2s",
                "    timeout: 500ms", // two tries: a device is "no answer" within a poll interval
                "    retries: 1",
                "    heartbeatInterval: 1s",
                "    devices:",
                "      - name: router",
                "        address: " + rtr.address(),
                "        version: v3",
                "        user: labwatch",
                "        authProtocol: SHA-256",
                "        privProtocol: AES-256",
                "      - name: switch",
                "        address: " + sw.address() + ":1161",
                ""));
    labwatch =
        LabwatchRun.start(
                dir,
                "run",
                Map.of(
                    "LABWATCH_SENSOR_SNMP_COMMUNITY", COMMUNITY,
                    "LABWATCH_SENSOR_SNMP_AUTH_PASSPHRASE", AUTH,
                    "LABWATCH_SENSOR_SNMP_PRIV_PASSPHRASE", PRIV),
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
    assertThat(out())
        .contains(
            "snmp     polling router ("
                + rtr.address()
                + ":161, v3 authPriv), switch ("
                + sw.address()
                + ":1161, v2c) every 2s");
    String bootstrap = labwatch.broker();
    String metrics = labwatch.metrics();

    // both devices answer; the router long enough that its restarted agent, polled within a
    // poll interval or two of its start, has a smaller sysUpTime than it had
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              assertThat(health(metrics)).startsWith("200 OK");
              assertThat(counters(bootstrap, "switch")).isNotEmpty();
              assertThat(counters(bootstrap, "router"))
                  .anyMatch(c -> c.path("sysUpTime").asLong() >= 500);
            });

    // the router's agent stops (what was logged before, while labwatch started, is not looked at:
    // a poll there may be slowed by the broker's and the detection's start)
    int logged = err().length();
    Instant stopped = Instant.now();
    router.stop();
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(health(metrics))
                    .startsWith("503 UNHEALTHY")
                    .contains("SNMP sensor: router: " + NO_ANSWER));
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(heartbeats(bootstrap, "router"))
                    .anyMatch(h -> NO_ANSWER.equals(problem(h))));
    // the switch goes on being polled meanwhile, and its heartbeats stay clean
    int switchPolls = counters(bootstrap, "switch").size();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> counters(bootstrap, "switch").size() >= switchPolls + 2 * 2);
    assertThat(health(metrics)).startsWith("503"); // still down while the switch was polled
    assertThat(heartbeats(bootstrap, "switch"))
        .filteredOn(h -> eventTime(h).isAfter(stopped))
        .isNotEmpty()
        .allMatch(h -> problem(h) == null);

    // the agent comes back, reset: with another engine ID, its engine boots and time from zero
    Instant restarted = Instant.now();
    router.restart(routerConfig("lab-router-2"));
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> assertThat(health(metrics)).startsWith("200 OK"));
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              List<JsonNode> beats = heartbeats(bootstrap, "router");
              assertThat(problem(beats.get(beats.size() - 1))).isNull();
              assertThat(err()).contains("SNMP router (" + rtr.address() + ":161) answers again");
            });

    // the restart is in what was published: sysUpTime went back, while Net-SNMP's counters (the
    // kernel's) carried on — a discontinuity, not a wrap
    List<JsonNode> mgmt =
        counters(bootstrap, "router").stream()
            .filter(c -> "mgmt0".equals(c.path("ifName").asText()))
            .toList();
    JsonNode lastBefore =
        mgmt.stream().filter(c -> eventTime(c).isBefore(stopped)).reduce((a, b) -> b).orElseThrow();
    JsonNode firstAfter =
        mgmt.stream().filter(c -> eventTime(c).isAfter(restarted)).findFirst().orElseThrow();
    assertThat(firstAfter.path("sysUpTime").asLong())
        .isLessThan(lastBefore.path("sysUpTime").asLong());
    assertThat(firstAfter.path("counters").path("inOctets").asLong())
        .isGreaterThan(lastBefore.path("counters").path("inOctets").asLong());
    assertThat(mgmt)
        .filteredOn(c -> eventTime(c).isAfter(stopped) && eventTime(c).isBefore(restarted))
        .as("nothing published of the router while it did not answer")
        .isEmpty();

    // one line when the problem started, one when it ended; nothing about the switch
    labwatch.stop();
    String since = err().substring(logged);
    assertThat(since.lines().filter(l -> l.contains("SNMP router")).toList())
        .satisfiesExactly(
            l ->
                assertThat(l)
                    .contains("WARN")
                    .endsWith("SNMP router (" + rtr.address() + ":161): " + NO_ANSWER),
            l ->
                assertThat(l)
                    .contains("INFO")
                    .endsWith("SNMP router (" + rtr.address() + ":161) answers again"));
    assertThat(since).doesNotContain("SNMP switch");
    for (String secret : List.of(COMMUNITY, AUTH, PRIV)) {
      assertThat(out()).doesNotContain(secret);
      assertThat(err()).doesNotContain(secret);
    }
  }

  /** The router's snmpd.conf: the v3 user, and the engine ID (text) it has. */
  private static String[] routerConfig(String engineId) {
    return new String[] {
      "engineID " + engineId,
      "createUser labwatch SHA-256 " + AUTH + " AES-256 " + PRIV,
      "rouser labwatch priv",
      ""
    };
  }

  private String out() throws IOException {
    return labwatch.out();
  }

  private String err() throws IOException {
    return labwatch.err();
  }

  /** {@code /-/healthy}'s status code and body, as {@code 200 OK\n...}. */
  private String health(String base) throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/-/healthy")).build(),
            HttpResponse.BodyHandlers.ofString());
    return r.statusCode() + " " + r.body();
  }

  /**
   * The values in labwatch.snmp (counters and heartbeats), as {@code labwatch tail} prints them.
   */
  private static List<JsonNode> snmpValues(String bootstrap) {
    Cli.Result tail =
        new Cli().run("tail", "labwatch.snmp", "--from-beginning", "-e", "-b", bootstrap);
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
        .sorted((a, b) -> eventTime(a).compareTo(eventTime(b)))
        .toList();
  }

  private static List<JsonNode> counters(String bootstrap, String device) {
    return snmpValues(bootstrap).stream()
        .filter(v -> "counters".equals(v.path("type").asText()))
        .filter(v -> device.equals(v.path("sensorId").asText()))
        .toList();
  }

  private static List<JsonNode> heartbeats(String bootstrap, String device) {
    return snmpValues(bootstrap).stream()
        .filter(v -> "heartbeat".equals(v.path("type").asText()))
        .filter(v -> device.equals(v.path("sensorId").asText()))
        .toList();
  }

  /** A heartbeat's problem; null when it has none. */
  private static String problem(JsonNode heartbeat) {
    return heartbeat.path("problem").asText(null);
  }

  private static Instant eventTime(JsonNode value) {
    return Instant.parse(value.path("eventTime").asText());
  }
}
