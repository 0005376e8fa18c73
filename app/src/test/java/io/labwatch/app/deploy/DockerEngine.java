package io.labwatch.app.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.labwatch.producers.testing.Requirements;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Docker for the deployment tests (compose, the systemd service): Debian's {@code dockerd}, started
 * by the test when none runs and ended by it afterwards, and the Debian base image every test image
 * builds FROM ({@code deploy/docker/base-image}: debootstrap, since no registry is reachable here;
 * made once and kept). Needs root, Docker and debootstrap: the caller is skipped with the reason
 * otherwise ({@link Requirements}), failed instead under {@code CI=true}.
 */
final class DockerEngine implements AutoCloseable {

  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  static final String BASE = "labwatch-base:bookworm";
  static final String DOCKER =
      Files.isExecutable(Path.of("/usr/bin/docker")) ? "/usr/bin/docker" : "docker";

  record Result(int code, String out) {}

  private final Path dir;
  private Process dockerd;

  private DockerEngine(Path dir) {
    this.dir = dir;
  }

  /** A running engine with the base image; {@code dir} keeps the commands' output. */
  static DockerEngine start(Path dir, String what) throws IOException, InterruptedException {
    Requirements.command("docker", "docker.io");
    Requirements.root(what + " (a Docker daemon, debootstrap for the base image)");
    Requirements.command("debootstrap", "debootstrap");
    DockerEngine engine = new DockerEngine(dir);
    try {
      if (engine.docker("info").code != 0) {
        engine.startDockerd();
      }
      Result base =
          engine.run(
              List.of(ROOT.resolve("deploy/docker/base-image").toString()),
              Map.of("LABWATCH_BASE_IMAGE", BASE),
              Duration.ofMinutes(10));
      assertThat(base.code).as("deploy/docker/base-image: %s", base.out).isZero();
      return engine;
    } catch (IOException | InterruptedException | RuntimeException | Error e) {
      engine.close();
      throw e;
    }
  }

  Result docker(String... args) throws IOException, InterruptedException {
    return docker(Duration.ofMinutes(1), args);
  }

  Result docker(Duration limit, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(DOCKER));
    command.addAll(List.of(args));
    return run(command, Map.of(), limit);
  }

  /** {@code command} in the repository's root, standard error with its output. */
  Result run(List<String> command, Map<String, String> extraEnv, Duration limit)
      throws IOException, InterruptedException {
    File out = Files.createTempFile(dir, "out", ".txt").toFile();
    ProcessBuilder pb =
        new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true);
    pb.redirectOutput(out);
    pb.environment().putAll(extraEnv);
    Process p = pb.start();
    if (!p.waitFor(limit.toSeconds(), TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(
          String.join(" ", command)
              + " took over "
              + limit
              + ": "
              + Files.readString(out.toPath()));
    }
    return new Result(p.exitValue(), Files.readString(out.toPath()));
  }

  /** Debian's dockerd, started (and ended by {@link #close}) when none runs. */
  private void startDockerd() throws IOException {
    Requirements.command("dockerd", "docker.io");
    dockerd =
        new ProcessBuilder("dockerd")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("dockerd.log").toFile())
            .start();
    try {
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(500))
          .failFast("dockerd exited", () -> !dockerd.isAlive())
          .until(() -> docker("info").code == 0);
    } catch (RuntimeException e) {
      throw new AssertionError(
          "dockerd did not start: " + Files.readString(dir.resolve("dockerd.log")), e);
    }
  }

  @Override
  public void close() {
    if (dockerd != null) {
      dockerd.destroy();
      try {
        if (!dockerd.waitFor(30, TimeUnit.SECONDS)) {
          dockerd.destroyForcibly();
        }
      } catch (InterruptedException e) {
        dockerd.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }
}
