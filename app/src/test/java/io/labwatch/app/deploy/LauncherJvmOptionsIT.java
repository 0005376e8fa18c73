package io.labwatch.app.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code labwatch} launcher's JVM options for the sensors, {@code analyze}, {@code run} and
 * {@code broker}, which BENCHMARKS.md measured: it is run with a stand-in {@code java} first on the
 * PATH that answers the launcher's version check and prints the command line it was given. (An IT:
 * the launcher builds the jar when it is missing or older than the sources; after {@code package}
 * it is neither.)
 */
class LauncherJvmOptionsIT {

  @TempDir Path dir;

  @Test
  void theSnmpSensorRunsInASmallSerialCollectedHeapThatExitsWhenItIsFull() throws Exception {
    List<String> args = launch(null, "sensor", "snmp", "--once");
    assertThat(args)
        .containsSubsequence("-XX:-UsePerfData", "-Xmx256m", "-XX:+ExitOnOutOfMemoryError")
        .contains("-XX:+UseSerialGC")
        .doesNotContain("-XX:TieredStopAtLevel=1")
        .endsWith("-jar", jar(), "sensor", "snmp", "--once");
  }

  @Test
  void theHostAgentRunsInASmallerHeapWithTheFirstJitTierOnly() throws Exception {
    assertThat(launch(null, "sensor", "host"))
        .contains(
            "-XX:-UsePerfData",
            "-XX:TieredStopAtLevel=1",
            "-XX:CompileThresholdScaling=0.1",
            "-Xmx96m",
            "-XX:+UseSerialGC",
            "-XX:+ExitOnOutOfMemoryError");
  }

  @Test
  void optionsGivenInTheEnvironmentComeLastAndAnotherCollectorReplacesTheSerialOne()
      throws Exception {
    List<String> args = launch("-XX:+UseG1GC -Xmx1g", "sensor", "snmp");
    assertThat(args).doesNotContain("-XX:+UseSerialGC");
    assertThat(args).containsSubsequence("-Xmx256m", "-XX:+UseG1GC", "-Xmx1g", "-jar");
  }

  @Test
  void analyzeRunsWithTheFirstJitTierOnlyAndASerialCollectorWithALargeYoungGeneration()
      throws Exception {
    String archive = archive("analyze");
    assertThat(launch(null, "analyze", "x.pcap"))
        .contains(
            "-XX:TieredStopAtLevel=1",
            "-Xmn128m",
            "-XX:-UsePerfData",
            "-XX:+UseSerialGC",
            "-Xlog:cds*=off")
        .anyMatch(
            a ->
                a.equals("-XX:ArchiveClassesAtExit=" + archive)
                    || a.equals("-XX:SharedArchiveFile=" + archive))
        .endsWith("-jar", jar(), "analyze", "x.pcap");
    assertThat(launch("-XX:+UseParallelGC", "analyze", "x.pcap"))
        .doesNotContain("-XX:+UseSerialGC")
        .containsSubsequence("-Xmn128m", "-XX:+UseParallelGC", "-jar");
  }

  @Test
  void runAndTheBrokerRunInASmallSerialCollectedHeapWithTwoMallocArenasAndAClassArchive()
      throws Exception {
    for (String command : List.of("run", "broker")) {
      List<String> args = launch(null, command);
      assertThat(args)
          .contains(
              "MALLOC_ARENA_MAX=2",
              "-Xms32m",
              "-Xmx512m",
              "-XX:NewRatio=4",
              "-XX:-UsePerfData",
              "-XX:+UseSerialGC",
              "-XX:+ExitOnOutOfMemoryError",
              "-Xlog:cds*=off")
          .doesNotContain("-XX:TieredStopAtLevel=1")
          .endsWith("-jar", jar(), command);
      // (the archive: written when this start stops, or used if a start since the build wrote
      // it — a clean clone has none; its life is the test below)
      String archive = archive(command);
      assertThat(args)
          .anyMatch(
              a ->
                  a.equals("-XX:ArchiveClassesAtExit=" + archive)
                      || a.equals("-XX:SharedArchiveFile=" + archive));
    }
    assertThat(launch("-XX:+UseG1GC", "run"))
        .doesNotContain("-XX:+UseSerialGC")
        .containsSubsequence("-Xmx512m", "-XX:+UseG1GC", "-jar");
  }

  /**
   * The class archive next to the jar (here a copy of the launcher beside a jar of its own):
   * written by the first start after a build, used by the later ones; one that is older than the
   * jar, or was cut short while it was written (the JVM writes its header, with the magic number,
   * last), is written again — the JVM would ignore it at every start.
   */
  @Test
  void theClassArchiveIsWrittenOnceUsedAfterwardsAndWrittenAgainWhenStaleOrCutShort()
      throws Exception {
    Path home = Files.createDirectories(dir.resolve("home"));
    Files.copy(Path.of("..", "labwatch"), home.resolve("labwatch"));
    Path jar = Files.createDirectories(home.resolve("app/target")).resolve("labwatch.jar");
    Files.write(jar, new byte[] {'P', 'K'});
    Files.setLastModifiedTime(jar, java.nio.file.attribute.FileTime.fromMillis(1_000_000_000L));
    Path archive = home.resolve("app/target/labwatch-analyze.jsa");
    String write = "-XX:ArchiveClassesAtExit=" + archive;
    String use = "-XX:SharedArchiveFile=" + archive;

    assertThat(launchCopy(home.resolve("labwatch"), null, "analyze", "x.pcap"))
        .contains(write)
        .doesNotContain(use);

    // as the JVM leaves it: the dynamic archive's magic number first (0xf00baba8, little-endian)
    Files.write(archive, new byte[] {(byte) 0xa8, (byte) 0xab, 0x0b, (byte) 0xf0, 0, 0, 0, 0});
    assertThat(launchCopy(home.resolve("labwatch"), null, "analyze", "x.pcap"))
        .contains(use)
        .doesNotContain(write);

    Files.setLastModifiedTime(archive, java.nio.file.attribute.FileTime.fromMillis(1_000L));
    assertThat(launchCopy(home.resolve("labwatch"), null, "analyze", "x.pcap"))
        .contains(write)
        .doesNotContain(use);

    Files.write(archive, new byte[64]); // a kill while it was written: no header yet
    assertThat(launchCopy(home.resolve("labwatch"), null, "analyze", "x.pcap"))
        .contains(write)
        .doesNotContain(use);
    assertThat(archive).doesNotExist(); // (the JVM writes it anew when this start stops)
  }

  @Test
  void theOtherCommandsGetTheJvmsDefaults() throws Exception {
    assertThat(launch(null, "status")).containsExactly("-jar", jar(), "status");
  }

  private String jar() throws Exception {
    return Path.of("target", "labwatch.jar").toRealPath().toString();
  }

  private String archive(String command) throws Exception {
    return jar().replace(".jar", "-" + command + ".jsa");
  }

  private List<String> launch(String javaOpts, String... command) throws Exception {
    return launchCopy(Path.of("..", "labwatch").toRealPath(), javaOpts, command);
  }

  private List<String> launchCopy(Path launcher, String javaOpts, String... command)
      throws Exception {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path java = bin.resolve("java");
    Files.writeString(
        java,
        "#!/bin/sh\n"
            + "case \"$*\" in *-XShowSettings*|*-XshowSettings*)"
            + " echo '    java.specification.version = 17' >&2; exit 0;; esac\n"
            + "[ -z \"$MALLOC_ARENA_MAX\" ] || echo \"MALLOC_ARENA_MAX=$MALLOC_ARENA_MAX\"\n"
            + "for a in \"$@\"; do echo \"$a\"; done\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    ProcessBuilder pb = new ProcessBuilder();
    List<String> line = new ArrayList<>(List.of(launcher.toString()));
    line.addAll(List.of(command));
    pb.command(line);
    pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
    pb.environment().remove("LABWATCH_JAVA_OPTS");
    pb.environment().remove("MALLOC_ARENA_MAX");
    if (javaOpts != null) {
      pb.environment().put("LABWATCH_JAVA_OPTS", javaOpts);
    }
    pb.redirectErrorStream(true);
    Process p = pb.start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(out).isZero();
    return out.lines().toList();
  }
}
