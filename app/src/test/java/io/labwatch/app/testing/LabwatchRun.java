package io.labwatch.app.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code labwatch run} as a user starts it: the packaged jar in its own JVM, its output in {@code
 * NAME.out} and {@code NAME.err} of the test's directory, none of the test JVM's {@code LABWATCH_*}
 * variables but the ones given. {@link #close()} ends it (SIGTERM, then SIGKILL after a minute):
 * the test started it, by this handle.
 */
public final class LabwatchRun implements AutoCloseable {

  /** The packaged jar, built by {@code mvn package} before the integration tests. */
  public static final Path JAR = Path.of("target", "labwatch.jar");

  private static final Pattern BROKER = Pattern.compile("broker\\s+(127\\.0\\.0\\.1:\\d+)");
  private static final Pattern METRICS =
      Pattern.compile("metrics\\s+(http://127\\.0\\.0\\.1:\\d+)/metrics");

  private final Process process;
  private final Path out;
  private final Path err;

  private LabwatchRun(Process process, Path out, Path err) {
    this.process = process;
    this.out = out;
    this.err = err;
  }

  /** Starts {@code labwatch run ARGS} with these environment variables; does not wait. */
  public static LabwatchRun start(Path dir, String name, Map<String, String> env, List<String> args)
      throws IOException {
    assertThat(JAR).as("the packaged jar (mvn package builds it)").exists();
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                JAR.toString(),
                "run"));
    command.addAll(args);
    Path out = dir.resolve(name + ".out");
    Path err = dir.resolve(name + ".err");
    ProcessBuilder pb =
        new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("LABWATCH_"));
    pb.environment().putAll(env);
    return new LabwatchRun(pb.start(), out, err);
  }

  /** Starts it and waits until it is ready (its banner's last line). */
  public static LabwatchRun ready(Path dir, Map<String, String> env, String... args)
      throws IOException {
    LabwatchRun run = start(dir, "run", env, List.of(args));
    run.awaitReady();
    return run;
  }

  /** Waits (90 s at most) for the banner's {@code ready in}; fails at once if labwatch exits. */
  public LabwatchRun awaitReady() {
    try {
      await()
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(200))
          .failFast("labwatch exited", () -> !process.isAlive())
          .until(() -> out().contains("ready in"));
    } catch (RuntimeException e) {
      throw new AssertionError(e.getMessage() + "; its output:\n" + this, e);
    }
    return this;
  }

  /** Its standard output so far (the banner, and alerts when no Slack is configured). */
  public String out() throws IOException {
    return Files.readString(out);
  }

  /** Its log so far (standard error). */
  public String err() throws IOException {
    return Files.readString(err);
  }

  /** Both, for failure messages. */
  public String log() throws IOException {
    return out() + err();
  }

  /** The embedded broker's address, from the banner. */
  public String broker() throws IOException {
    return group(BROKER);
  }

  /** The metrics endpoint's base URL ({@code http://127.0.0.1:PORT}), from the banner. */
  public String metrics() throws IOException {
    return group(METRICS);
  }

  private String group(Pattern p) throws IOException {
    Matcher m = p.matcher(out());
    assertThat(m.find()).as("%s in the banner of %s", p, log()).isTrue();
    return m.group(1);
  }

  public Process process() {
    return process;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Stops it as Ctrl-C would (SIGTERM) and waits for it; its exit code. */
  public int stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
    return process.exitValue();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      try {
        stop();
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public String toString() {
    try {
      return log();
    } catch (IOException e) {
      return "(its output cannot be read: " + e.getMessage() + ")";
    }
  }
}
