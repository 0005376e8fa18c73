package io.labwatch.app.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.labwatch.producers.testing.Requirements;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19: deploy/systemd/labwatch.service as systemd reads it. {@code systemd-analyze verify}
 * must pass without a single warning (an unknown or misspelt key is only a warning to systemd, and
 * a hardening line that is ignored is a hole). Its ExecStart points at the installed launcher; here
 * at the repository's, which is the same script. What the unit grants is run for real by
 * AcceptanceIT (an unprivileged user with its ambient capabilities captures).
 */
class SystemdUnitIT {

  static final Path UNIT = Path.of("..", "deploy", "systemd", "labwatch.service");

  @TempDir Path dir;

  @Test
  void theUnitVerifiesCleanAndRunsTheServiceAsAnUnprivilegedUserWithTwoCapabilities()
      throws Exception {
    Requirements.command("systemd-analyze", "systemd");
    String unit = Files.readString(UNIT);
    assertThat(unit)
        .contains("ExecStart=/opt/labwatch/labwatch run --config /etc/labwatch/labwatch.yml")
        .contains("User=labwatch")
        .contains("AmbientCapabilities=CAP_NET_RAW CAP_NET_ADMIN")
        .contains("CapabilityBoundingSet=CAP_NET_RAW CAP_NET_ADMIN")
        .contains("SuccessExitStatus=143")
        .contains("NoNewPrivileges=true", "ProtectSystem=strict", "PrivateTmp=true")
        .contains("EnvironmentFile=-/etc/labwatch/labwatch.env")
        .contains("Restart=on-failure");
    Path launcher = Path.of("..", "labwatch").toRealPath();
    Path copy =
        Files.writeString(
            dir.resolve("labwatch.service"),
            unit.replace("/opt/labwatch/labwatch ", launcher + " "));
    Process p =
        new ProcessBuilder("systemd-analyze", "verify", copy.toString())
            .redirectErrorStream(true)
            .start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(said).isZero();
    assertThat(said.lines().filter(l -> !l.isBlank()).toList()).as("warnings").isEqualTo(List.of());
  }
}
