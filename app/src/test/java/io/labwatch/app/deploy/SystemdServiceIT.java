package io.labwatch.app.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.labwatch.app.deploy.DockerEngine.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19: labwatch installed as a lab admin installs it — {@code sudo deploy/systemd/install} —
 * on a Debian 12 machine that boots systemd, and the unit run by systemd itself: a container whose
 * PID 1 is systemd ({@code src/test/resources/systemd/Dockerfile}, FROM the debootstrap base), in a
 * network namespace of its own with a bridge and two hosts that claim one address ({@code lab}).
 * The service must run as the user {@code labwatch} with only CAP_NET_RAW and CAP_NET_ADMIN, read
 * its secrets file, capture without root and report the IP conflict in the journal at the priority
 * {@code journalctl -p crit} lists, log without a second time stamp, answer healthy, and stop on
 * {@code systemctl stop} as a success (SIGTERM's 143). {@code SystemdUnitIT} checks the unit file
 * with {@code systemd-analyze verify}.
 *
 * <p>Needs root, Docker and debootstrap (skipped with the reason otherwise, failed under {@code
 * CI=true}). The container gets every capability this host's root has (not {@code --privileged},
 * which asks for some that a nested root may not have) and the host's cgroup tree read-only, as
 * systemd in a container needs on cgroup v1 (this machine's); on cgroup v2 it gets its own
 * namespace instead (not tried here).
 */
@Tag(
    "serial") // (not beside another test: one Docker daemon, which it may start, for the deployment
// tests)
class SystemdServiceIT {

  static final Path IMAGE_DIR = Path.of("src", "test", "resources", "systemd").toAbsolutePath();
  static final String IMAGE = "labwatch-systemd:it";
  static final String IP = "10.99.0.10";
  static final String SERVER = "3c:fd:fe:0a:00:10"; // Intel
  static final String ROUTER = "00:a0:de:0a:00:10"; // YAMAHA
  static final String SECRET = "community-" + UUID.randomUUID();

  /** The log's own time stamp (yyyy-MM-dd HH:mm:ss.SSS), which the journal makes redundant. */
  static final Pattern LOG_TIME =
      Pattern.compile("^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} ");

  @TempDir Path dir;

  private DockerEngine engine;
  private String container;

  @AfterEach
  void tearDown() throws Exception {
    try {
      if (container != null) {
        engine.docker("rm", "--force", "--volumes", container);
      }
    } finally {
      if (engine != null) {
        engine.close();
      }
    }
  }

  @Test
  void installedWithItsInstallerTheServiceCapturesWithoutRootAndReportsTheConflictInTheJournal()
      throws Exception {
    Path jar = DockerEngine.ROOT.resolve("app/target/labwatch.jar");
    assertThat(jar).as("the packaged jar (mvn package builds it)").exists();
    engine = DockerEngine.start(dir, "the systemd service test");
    Result build =
        engine.docker(
            Duration.ofMinutes(10),
            "build",
            "--quiet",
            "--tag",
            IMAGE,
            "--build-arg",
            "BASE_IMAGE=" + DockerEngine.BASE,
            IMAGE_DIR.toString());
    assertThat(build.code()).as("the systemd image: %s", build.out()).isZero();

    // a machine booting systemd, in a network namespace of its own (no route out)
    container = "labwatch-systemd-it-" + ProcessHandle.current().pid();
    List<String> runArgs =
        new ArrayList<>(
            List.of(
                "run",
                "--detach",
                "--name",
                container,
                "--network",
                "none",
                "--cap-add",
                "ALL",
                "--cap-drop",
                "SYS_RESOURCE",
                "--security-opt",
                "seccomp=unconfined",
                "--tmpfs",
                "/run",
                "--tmpfs",
                "/run/lock"));
    if (Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers"))) {
      runArgs.addAll(List.of("--cgroupns", "private"));
    } else {
      runArgs.addAll(List.of("--volume", "/sys/fs/cgroup:/sys/fs/cgroup:ro"));
    }
    runArgs.add(IMAGE);
    Result run = engine.docker(runArgs.toArray(String[]::new));
    assertThat(run.code()).as("docker run: %s", run.out()).isZero();
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> exec("systemctl", "is-system-running").out().trim().matches("running|degraded"));
    assertThat(exec("lab", "up").code()).isZero();

    // the admin's secrets file, written before the install (which keeps it, mode 600)
    Result secrets =
        exec(
            "sh",
            "-c",
            "mkdir -p /etc/labwatch && printf 'LABWATCH_SENSOR_ARP_SENSOR_ID=lab-sw1\\n"
                + "LABWATCH_SENSOR_SNMP_COMMUNITY="
                + SECRET
                + "\\n' > /etc/labwatch/labwatch.env");
    assertThat(secrets.code()).as(secrets.out()).isZero();

    // sudo deploy/systemd/install, from a checkout with its jar built
    Path src = dir.resolve("src");
    for (String file :
        List.of(
            "labwatch",
            "README.md",
            "labwatch.example.yml",
            "deploy/systemd/install",
            "deploy/systemd/labwatch.service",
            "app/target/labwatch.jar")) {
      Path to = src.resolve(file);
      Files.createDirectories(to.getParent());
      Files.copy(DockerEngine.ROOT.resolve(file), to, StandardCopyOption.COPY_ATTRIBUTES);
    }
    assertThat(engine.docker("cp", src.toString(), container + ":/src").code()).isZero();
    Result install = exec("/src/deploy/systemd/install");
    assertThat(install.code()).as(install.out()).isZero();
    assertThat(install.out()).contains("labwatch is running as a service");
    assertThat(exec("stat", "-c", "%a %U", "/etc/labwatch/labwatch.env").out().trim())
        .isEqualTo("600 root");

    await()
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofSeconds(1))
        .failFast(
            "the service failed: " + journal(),
            () -> exec("systemctl", "is-failed", "labwatch").out().trim().equals("failed"))
        .until(() -> journal().contains("ready in"));
    String banner = journal();
    assertThat(banner).contains("capturing on br0 as lab-sw1");

    // the user labwatch, with exactly the two capabilities (CAP_NET_ADMIN 12, CAP_NET_RAW 13)
    String pid =
        exec("systemctl", "show", "--property", "MainPID", "--value", "labwatch").out().trim();
    assertThat(exec("stat", "-c", "%U", "/proc/" + pid).out().trim()).isEqualTo("labwatch");
    assertThat(exec("grep", "^CapEff:", "/proc/" + pid + "/status").out())
        .contains("0000000000003000");

    // the mission, under systemd: two MACs answer for one IP
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              exec("lab", "talk");
              return journal("--priority", "crit").contains("IP_CONFLICT firing");
            });
    String critical = journal("--priority", "crit");
    assertThat(critical)
        .contains("CRITICAL IP_CONFLICT firing: IP conflict on " + IP)
        .contains(SERVER, "Intel", ROUTER, "YAMAHA");
    assertThat(exec("curl", "-fsS", "http://127.0.0.1:9464/-/healthy").code()).isZero();
    assertThat(exec("curl", "-fsS", "http://127.0.0.1:9464/metrics").out())
        .contains("labwatch_part_up{part=\"arp_sensor\"} 1.0");

    // journald-friendly: the journal stamps each line, labwatch's log lines carry no time
    List<String> logLines =
        journal().lines().filter(l -> l.matches("^(INFO|WARN|ERROR|DEBUG) .*")).toList();
    assertThat(logLines).as("log lines").isNotEmpty();
    assertThat(journal().lines().filter(l -> LOG_TIME.matcher(l).find()).toList())
        .as("lines with a second time stamp")
        .isEmpty();

    // stopped by systemctl: SIGTERM, exit 143, a success
    assertThat(exec("systemctl", "stop", "labwatch").code()).isZero();
    assertThat(
            exec(
                    "systemctl",
                    "show",
                    "labwatch",
                    "--property",
                    "Result",
                    "--property",
                    "ExecMainStatus")
                .out())
        .contains("Result=success", "ExecMainStatus=143");
    assertThat(journal()).as("the secrets file's community").doesNotContain(SECRET);
  }

  private String journal(String... args) throws IOException, InterruptedException {
    List<String> command =
        new ArrayList<>(
            List.of("journalctl", "--unit", "labwatch", "--output", "cat", "--no-pager"));
    command.addAll(List.of(args));
    return exec(command.toArray(String[]::new)).out();
  }

  private Result exec(String... command) throws IOException, InterruptedException {
    List<String> args = new ArrayList<>(List.of("exec", container));
    args.addAll(List.of(command));
    return engine.docker(Duration.ofMinutes(2), args.toArray(String[]::new));
  }
}
