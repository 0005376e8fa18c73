package io.labwatch.app.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.labwatch.app.deploy.DockerEngine.Result;
import io.labwatch.app.testing.Captures;
import io.labwatch.app.testing.Cli;
import io.labwatch.producers.testing.Requirements;
import io.labwatch.sinks.testing.FakeSlack;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.DockerComposeContainer;
import org.testcontainers.containers.wait.strategy.Wait;

/**
 * Issue 18: the top-level {@code docker-compose.yml} on a real Docker engine, as a lab admin runs
 * it — Testcontainers' {@link DockerComposeContainer} with Debian's {@code docker-compose} 1.29
 * builds labwatch's and Prometheus' images (FROM the debootstrap base, {@code
 * deploy/docker/base-image}: no registry is reachable here) and brings up kafka, labwatch and
 * prometheus, waiting on their health checks. The seed's capture goes through a sensor container;
 * the IP conflict reaches Slack (a stand-in on loopback: labwatch is in the host's network) and
 * Prometheus (over its HTTP API); a {@code restart} mid-incident posts no second FIRING; {@code
 * down} then {@code up} keeps the history (the volumes). Grafana is not started: it has no Debian
 * package and no registry is reachable ({@code PrometheusDeployFilesTest} checks its provisioning
 * files).
 *
 * <p>Needs root (the daemon, debootstrap) and Docker; skipped with the reason otherwise, failed
 * instead under {@code CI=true}.
 */
@Tag(
    "serial") // (not beside another test: one Docker daemon, which it may start, for the deployment
// tests)
class DockerComposeIT {

  static final Path ROOT = DockerEngine.ROOT;
  static final Path OVERRIDE =
      Path.of("src", "test", "resources", "compose", "docker-compose.it.yml").toAbsolutePath();
  static final Path FIXTURE =
      ROOT.resolve(Path.of("producers", "src", "test", "resources", "pcap", "ip-conflict.pcap"));
  static final String BASE = DockerEngine.BASE;
  static final String SERVER_IP = "10.77.0.10";
  static final String SERVER = "3c:fd:fe:0a:00:10"; // Intel
  static final String ROUTER = "00:a0:de:0a:00:10"; // YAMAHA
  static final String FIRING = "CRITICAL IP_CONFLICT firing: IP conflict on " + SERVER_IP + ":";
  static final String SERIES =
      "labwatch_alert_firing{kind=\"IP_CONFLICT\",subject=\"" + SERVER_IP + "\"}";
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private DockerEngine engine;
  private FakeSlack slack;
  private DockerComposeContainer<?> stack;
  private String project;
  private final Map<String, String> env = new HashMap<>();
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void dockerAndTheBaseImage() throws Exception {
    Requirements.command("docker-compose", "docker-compose");
    assertThat(ROOT.resolve("app/target/labwatch.jar"))
        .as("the packaged jar (mvn package builds it)")
        .exists();
    engine = DockerEngine.start(dir, "the compose test");
  }

  @AfterEach
  void tearDown() throws Exception {
    try {
      if (project != null) {
        // down -v: the test's volumes go with it
        compose("down", "-v", "--timeout", "10");
      } else if (stack != null) {
        stack.stop(); // (a start that failed half-way)
      }
      // the images each run's new jar left untagged (labwatch's own only: its label)
      docker("image", "prune", "--force", "--filter", "label=io.labwatch.image");
    } finally {
      if (slack != null) {
        slack.close();
      }
      if (engine != null) {
        engine.close();
      }
    }
  }

  @Test
  void theLabBoxInComposeFiresOnceToSlackAndPrometheusThroughARestartAndADownUp() throws Exception {
    slack = new FakeSlack();
    env.put("LABWATCH_VERSION", "it");
    env.put("LABWATCH_BUILD_IMAGE", BASE);
    env.put("LABWATCH_BASE_IMAGE", BASE);
    env.put("LABWATCH_PROMETHEUS_BASE_IMAGE", BASE);
    env.put("LABWATCH_PREBUILT_JAR", "1");
    env.put("LABWATCH_SLACK_WEBHOOK_URL", slack.webhookUrl());
    stack =
        new DockerComposeContainer<>(
                "labwatchit",
                List.of(ROOT.resolve("docker-compose.yml").toFile(), OVERRIDE.toFile()))
            .withEnv(env)
            .withBuild(true)
            .withPull(false)
            .withServices("kafka", "labwatch", "prometheus")
            .waitingFor("kafka", Wait.forHealthcheck())
            .waitingFor("labwatch", Wait.forHealthcheck())
            .waitingFor("prometheus", Wait.forHealthcheck())
            .withStartupTimeout(Duration.ofMinutes(8));
    Instant up = Instant.now();
    stack.start();
    project =
        stack
            .getContainerByServiceName("kafka_1")
            .or(() -> stack.getContainerByServiceName("kafka"))
            .orElseThrow()
            .getContainerInfo()
            .getConfig()
            .getLabels()
            .get("com.docker.compose.project");
    System.err.println(
        "compose up (images built) to healthy: "
            + Duration.between(up, Instant.now()).toSeconds()
            + " s");

    // 1. the seed's capture through a sensor container, in the host's network like labwatch
    Files.createDirectories(dir.resolve("seed"));
    Captures.redated(FIXTURE, dir.resolve("seed/seed.pcap"), 1, Instant.now());
    dir.resolve("seed").toFile().setReadable(true, false);
    dir.resolve("seed").toFile().setExecutable(true, false);
    dir.resolve("seed/seed.pcap").toFile().setReadable(true, false);
    dir.toFile().setExecutable(true, false);
    // (docker run, not docker-compose run: Compose 1.29 links a one-off container to its
    // service's dependencies, which a container in the host's network cannot have)
    Result sensor =
        docker(
            "run",
            "--rm",
            "--network",
            "host",
            "-v",
            dir.resolve("seed") + ":/seed:ro",
            "labwatch:it",
            "sensor",
            "arp",
            "--pcap",
            "/seed/seed.pcap",
            "--bootstrap-servers",
            "127.0.0.1:9092");
    assertThat(sensor.code()).as("the sensor container: %s", sensor.out()).isZero();

    // 2. one FIRING on Slack, naming both MACs with their vendors
    await().atMost(Duration.ofSeconds(60)).until(() -> count(FIRING) == 1);
    assertThat(firingPost()).contains(SERVER, "Intel", ROUTER, "YAMAHA");
    // ... and on Prometheus (scraping labwatch on the host every 15 s)
    await().atMost(Duration.ofSeconds(90)).until(() -> value(SERIES, null).equals("1"));
    Instant seen = Instant.now();
    grafanasProvisioningOnThisStack();

    // 3. restarted mid-incident: healthy again, the incident still firing, no second FIRING
    Result restart = compose("restart", "labwatch");
    assertThat(restart.code()).as(restart.out()).isZero();
    awaitHealthy("labwatch");
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> status().out().contains("incidents firing: 1"));
    assertThat(count(FIRING)).as("no second FIRING after the restart: %s", texts()).isEqualTo(1);

    // 4. down, then up: the volumes keep the topics, the detection's state and Prometheus' history
    Result down = compose("down", "--timeout", "10");
    assertThat(down.code()).as(down.out()).isZero();
    assertThat(compose("ps", "-q").out().trim()).as("no container after down").isEmpty();
    Result again = compose("up", "-d", "kafka", "labwatch", "prometheus");
    assertThat(again.code()).as(again.out()).isZero();
    for (String service : List.of("kafka", "labwatch", "prometheus")) {
      awaitHealthy(service);
    }
    Cli.Result status = status();
    assertThat(status.exitCode()).as(status.err()).isEqualTo(3);
    assertThat(status.out()).contains("incidents firing: 1", "IP conflict on " + SERVER_IP);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> value("up{job=\"labwatch\"}", null).equals("1"));
    assertThat(value(SERIES, seen))
        .as(
            "Prometheus' history from before the down: %s; %s",
            raw(
                "/api/v1/query_range?query="
                    + URLEncoder.encode(SERIES, StandardCharsets.UTF_8)
                    + "&start="
                    + (seen.getEpochSecond() - 600)
                    + "&end="
                    + Instant.now().getEpochSecond()
                    + "&step=15"),
            compose("logs", "prometheus").out())
        .isEqualTo("1");
    assertThat(count(FIRING)).as("no second FIRING after down/up: %s", texts()).isEqualTo(1);
  }

  /**
   * Grafana cannot run here (no Debian package, no registry): its provisioning is checked by other
   * means. ComposeFilesTest checks the files: the datasource points at the compose file's
   * Prometheus service, and the dashboard, as the grafana service's entrypoint rewrites it, starts
   * on that datasource and lands where the dashboard provider reads. Here every panel's query, with
   * {@code $job} and {@code $instance} at their "All" values, is valid PromQL on this stack's
   * Prometheus, the incident panels showing the IP conflict.
   */
  private void grafanasProvisioningOnThisStack() throws Exception {
    JsonNode board = ComposeFilesTest.provisionedDashboard();
    Map<String, String> firstValues = new HashMap<>();
    for (JsonNode panel : board.path("panels")) {
      for (JsonNode target : panel.path("targets")) {
        String expr = ComposeFilesTest.atAll(target.path("expr").asText());
        JsonNode answer = JSON.readTree(raw("/api/v1/query?query=" + encode(expr)));
        assertThat(answer.path("status").asText())
            .as("panel %s: %s", panel.path("title").asText(), answer)
            .isEqualTo("success");
        JsonNode result = answer.path("data").path("result");
        firstValues.put(panel.path("title").asText(), result.isEmpty() ? "" : result.toString());
      }
    }
    assertThat(firstValues.get("Firing incidents")).contains("IP_CONFLICT", SERVER_IP);
    assertThat(firstValues.get("Incidents firing")).contains("\"1\"");
    assertThat(firstValues.get("labwatch parts")).contains("detect");
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  // --- Slack, Prometheus, labwatch status ---

  private List<String> texts() {
    return slack.requests().stream().map(r -> r.body().path("text").asText()).toList();
  }

  private long count(String prefix) {
    return texts().stream().filter(t -> t.startsWith(prefix)).count();
  }

  private String firingPost() {
    return slack.requests().stream()
        .filter(r -> r.body().path("text").asText().startsWith(FIRING))
        .findFirst()
        .orElseThrow()
        .body()
        .toString();
  }

  /** The first sample of an instant query on the stack's Prometheus ("" when none). */
  private String value(String promql, Instant at) throws IOException, InterruptedException {
    String query =
        "/api/v1/query?query="
            + encode(promql)
            // (to the millisecond: a query at a whole second can fall before the sample it saw)
            + (at == null
                ? ""
                : String.format(
                    Locale.ROOT, "&time=%d.%03d", at.getEpochSecond(), at.getNano() / 1_000_000));
    JsonNode result = JSON.readTree(raw(query)).path("data").path("result");
    return result.isEmpty() ? "" : result.get(0).path("value").get(1).asText();
  }

  private String raw(String path) throws IOException, InterruptedException {
    return http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:9090" + path))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  private Cli.Result status() {
    return new Cli().run("status", "--bootstrap-servers", "127.0.0.1:9092");
  }

  // --- Docker ---

  private void awaitHealthy(String service) {
    await()
        .atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () -> {
              String id = compose("ps", "-q", service).out().trim();
              return !id.isEmpty()
                  && docker("inspect", "-f", "{{.State.Health.Status}}", id)
                      .out()
                      .trim()
                      .equals("healthy");
            });
  }

  private Result compose(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.addAll(
        List.of(
            "docker-compose",
            "--project-name",
            project,
            "-f",
            ROOT.resolve("docker-compose.yml").toString(),
            "-f",
            OVERRIDE.toString()));
    command.addAll(List.of(args));
    return run(command, env, Duration.ofMinutes(5));
  }

  private Result docker(String... args) throws IOException, InterruptedException {
    return engine.docker(args);
  }

  private Result run(List<String> command, Map<String, String> extraEnv, Duration limit)
      throws IOException, InterruptedException {
    return engine.run(command, extraEnv, limit);
  }
}
