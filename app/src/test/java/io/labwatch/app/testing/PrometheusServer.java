package io.labwatch.app.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.labwatch.producers.testing.Requirements;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus server (Debian's {@code prometheus}) on loopback, with a temporary config and
 * storage, scraping given targets every second. Closing it stops the process this started.
 */
public final class PrometheusServer implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Process process;
  private final int port;
  private final Path log;
  private final HttpClient http = HttpClient.newHttpClient();

  private PrometheusServer(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /**
   * Starts Prometheus scraping {@code target} (host:port) as job {@code labwatch}, with these rule
   * files, evaluating rules every second; returns once it is ready.
   */
  public static PrometheusServer start(Path dir, String target, List<Path> ruleFiles)
      throws IOException, InterruptedException {
    Requirements.command("prometheus", "prometheus");
    int port = freePort();
    StringBuilder config =
        new StringBuilder(
            "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n");
    if (!ruleFiles.isEmpty()) {
      config.append("rule_files:\n");
      for (Path r : ruleFiles) {
        config.append("  - ").append(r.toAbsolutePath()).append('\n');
      }
    }
    config
        .append("scrape_configs:\n  - job_name: labwatch\n    static_configs:\n")
        .append("      - targets: [\"")
        .append(target)
        .append("\"]\n");
    Path file = Files.writeString(dir.resolve("prometheus.yml"), config);
    Path log = dir.resolve("prometheus.log");
    Process p =
        new ProcessBuilder(
                "prometheus",
                "--config.file=" + file,
                "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port,
                "--log.level=warn")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    PrometheusServer server = new PrometheusServer(p, port, log);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!server.ready()) {
      if (!p.isAlive() || System.nanoTime() > deadline) {
        server.close();
        throw new IllegalStateException("Prometheus did not start: " + Files.readString(log));
      }
      Thread.sleep(200);
    }
    return server;
  }

  private boolean ready() {
    try {
      return http.send(
                  HttpRequest.newBuilder(URI.create(url("/-/ready"))).build(),
                  HttpResponse.BodyHandlers.discarding())
              .statusCode()
          == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private String url(String path) {
    return "http://127.0.0.1:" + port + path;
  }

  /** An instant PromQL query; the whole answer ({@code status}, {@code data.result}, ...). */
  public JsonNode query(String promql) throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(
                        url(
                            "/api/v1/query?query="
                                + URLEncoder.encode(promql, StandardCharsets.UTF_8))))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(r.body());
  }

  /** The result vector of an instant query that must succeed. */
  public JsonNode vector(String promql) throws IOException, InterruptedException {
    JsonNode answer = query(promql);
    if (!"success".equals(answer.path("status").asText())) {
      throw new IllegalStateException(promql + ": " + answer);
    }
    return answer.path("data").path("result");
  }

  public String log() throws IOException {
    return Files.readString(log);
  }

  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /** Time allowed for a scrape and a rule evaluation to show a change. */
  public static final Duration SETTLE = Duration.ofSeconds(30);
}
