package io.labwatch.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.labwatch.app.testing.Cli;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code labwatch run} as a user starts it: the packaged jar in its own JVM, stopped with SIGTERM
 * like Ctrl-C or systemd would, and started again on the same data dir.
 */
class LabwatchProcessIT {

  private static final Path JAR = Path.of("target", "labwatch.jar");
  private static final Pattern BROKER = Pattern.compile("broker\\s+(127\\.0\\.0\\.1:\\d+)");

  @TempDir Path dir;
  private final List<Process> started = new ArrayList<>();

  @AfterEach
  void stopLeftovers() {
    started.forEach(Process::destroyForcibly);
  }

  private Process start(Path out, Path err, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(javaBinary(), "-jar", JAR.toString()));
    command.addAll(List.of(args));
    Process p =
        new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    started.add(p);
    return p;
  }

  private static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  @Test
  void runStartsABrokerAndTopicsStopsCleanlyOnSigtermAndKeepsItsHistory() throws Exception {
    assertThat(JAR).as("the packaged jar (mvn package builds it)").exists();
    Path data = dir.resolve("data");
    Path out = dir.resolve("out.txt");
    Path err = dir.resolve("err.txt");

    Process first =
        start(
            out,
            err,
            "run",
            "--data-dir",
            data.toString(),
            "--broker-port",
            "0",
            "--no-capture",
            "--metrics-listen",
            "127.0.0.1:0");
    String bootstrap = awaitReady(first, out, err);
    assertThat(Files.readString(out))
        .contains("labwatch.arp (new)", "labwatch.alerts (new)", "labwatch.dlq (new)")
        .contains("data in " + data.resolve("kafka"));
    // /metrics answers at the address the banner gives
    Matcher metrics =
        Pattern.compile("metrics  (http://127\\.0\\.0\\.1:\\d+/metrics)")
            .matcher(Files.readString(out));
    assertThat(metrics.find()).as(Files.readString(out)).isTrue();
    HttpResponse<String> scrape =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(metrics.group(1))).build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(scrape.statusCode()).isEqualTo(200);
    assertThat(scrape.body()).contains("labwatch_part_up{part=\"prometheus_sink\"} 1.0");

    Cli.Result topics = new Cli().run("topics", "-b", bootstrap);
    assertThat(topics.exitCode()).as(topics.err()).isZero();
    assertThat(topics.out()).contains("labwatch.alerts").doesNotContain("created now");
    Cli.Result tail =
        new Cli().run("tail", "labwatch.alerts", "--from-beginning", "-e", "-b", bootstrap);
    assertThat(tail.exitCode()).as(tail.err()).isZero();
    assertThat(tail.out()).isEmpty();

    first.destroy(); // SIGTERM
    assertThat(first.waitFor(60, TimeUnit.SECONDS)).as("stopped within 60 s of SIGTERM").isTrue();
    assertThat(Files.readString(err))
        .contains("stopping embedded Kafka broker")
        .doesNotContain("ERROR");

    Path out2 = dir.resolve("out2.txt");
    Process second =
        start(
            out2,
            dir.resolve("err2.txt"),
            "run",
            "--data-dir",
            data.toString(),
            "--broker-port",
            "0",
            "--no-capture",
            "--metrics-listen",
            "127.0.0.1:0");
    awaitReady(second, out2, dir.resolve("err2.txt"));
    assertThat(Files.readString(out2))
        .contains(
            "topics   labwatch.arp, labwatch.alerts, labwatch.dlq, labwatch.inventory, labwatch.slack-threads")
        .doesNotContain("(new)");
    second.destroy();
    assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();
  }

  private static String awaitReady(Process p, Path out, Path err) {
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(200))
        .failFast("labwatch exited", () -> !p.isAlive())
        .until(() -> Files.readString(out).contains("ready in"));
    try {
      Matcher m = BROKER.matcher(Files.readString(out));
      assertThat(m.find())
          .as("banner names the broker: " + Files.readString(out) + Files.readString(err))
          .isTrue();
      return m.group(1);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
