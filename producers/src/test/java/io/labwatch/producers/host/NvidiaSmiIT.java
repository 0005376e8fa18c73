package io.labwatch.producers.host;

import static org.assertj.core.api.Assertions.assertThat;

import io.labwatch.events.HostMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link NvidiaSmi} running a real process: stand-ins for {@code nvidia-smi} (shell scripts) that
 * answer with a recorded output, fail as a driver-less box does, or hang as a hung driver does.
 */
class NvidiaSmiIT {

  @TempDir Path dir;

  private Path script(String name, String body) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
    return file;
  }

  @Test
  void theToolsAnswerIsReadAsGpus() throws IOException {
    Path csv = Files.writeString(dir.resolve("out.csv"), NvidiaSmiTest.fixture("two-gpus.csv"));
    Path tool = script("nvidia-smi", "cat '" + csv + "'");

    List<HostMetrics.Gpu> gpus = new NvidiaSmi(tool.toString(), Duration.ofSeconds(10)).read();

    assertThat(gpus).extracting(HostMetrics.Gpu::index).containsExactly(0, 1);
    assertThat(gpus.get(0).utilization()).isEqualTo(0.97);
    assertThat(gpus.get(1).powerW()).isNull();
  }

  @Test
  void theArgumentsAreTheQuery() throws IOException {
    Path args = dir.resolve("args");
    Path tool = script("nvidia-smi", "printf '%s\\n' \"$@\" > '" + args + "'");
    NvidiaSmi smi = new NvidiaSmi(tool.toString(), Duration.ofSeconds(10));

    assertThat(smi.read()).isEmpty();

    assertThat(Files.readAllLines(args)).isEqualTo(smi.commandLine().subList(1, 3));
  }

  @Test
  void aDriverlessToolIsNoGpuAndTriedAgainNextSample() throws IOException {
    Path calls = dir.resolve("calls");
    Path tool =
        script(
            "nvidia-smi",
            "echo x >> '"
                + calls
                + "'\n"
                + "echo \"NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA"
                + " driver.\"\nexit 9");
    NvidiaSmi smi = new NvidiaSmi(tool.toString(), Duration.ofSeconds(10));

    assertThat(smi.read()).isEmpty();
    assertThat(smi.read()).isEmpty();

    assertThat(Files.readAllLines(calls)).hasSize(2);
  }

  @Test
  void aHungToolIsKilledAtItsTimeoutAndTheSampleGoesOnWithoutGpus() throws Exception {
    Path pidFile = dir.resolve("pid");
    Path tool = script("nvidia-smi", "echo $$ > '" + pidFile + "'\nexec sleep 600");
    NvidiaSmi smi = new NvidiaSmi(tool.toString(), Duration.ofMillis(500));

    assertThat(smi.read()).isEmpty();

    long pid = Long.parseLong(Files.readString(pidFile).trim());
    ProcessHandle.of(pid)
        .ifPresent(p -> assertThat(p.onExit()).succeedsWithin(Duration.ofSeconds(10)));
  }
}
