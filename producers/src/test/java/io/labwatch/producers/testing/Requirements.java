package io.labwatch.producers.testing;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What a test needs from the machine (root, libpcap, a command). Missing on a laptop: the test is
 * skipped, and says why on stderr. Missing in CI ({@code CI=true}): the test fails, because there
 * it must run.
 */
public final class Requirements {

  private Requirements() {}

  public static boolean inCi() {
    return "true".equalsIgnoreCase(System.getenv("CI"));
  }

  public static boolean isRoot() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Uid:")) {
          return line.split("\\s+")[1].equals("0");
        }
      }
    } catch (IOException e) {
      return false;
    }
    return false;
  }

  public static void root(String what) {
    require(
        isRoot(), what + " needs root (network namespaces, raw capture); run the tests as root");
  }

  public static void command(String name, String debianPackage) {
    require(onPath(name), name + " is missing: apt-get install " + debianPackage);
  }

  public static void libpcap() {
    boolean found =
        Files.exists(Path.of("/usr/lib/x86_64-linux-gnu/libpcap.so.0.8"))
            || Files.exists(Path.of("/usr/lib/aarch64-linux-gnu/libpcap.so.0.8"))
            || Files.exists(Path.of("/usr/lib/libpcap.so.0.8"))
            || Files.exists(Path.of("/usr/lib64/libpcap.so.1"));
    require(found, "libpcap is missing: apt-get install libpcap0.8");
  }

  /** {@code met}, or skipped (failed under {@code CI=true}) saying {@code why}. */
  public static void that(boolean met, String why) {
    require(met, why);
  }

  public static boolean onPath(String name) {
    String path = System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin";
    for (String dir : path.split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
        return true;
      }
    }
    return false;
  }

  private static void require(boolean met, String why) {
    if (met) {
      return;
    }
    if (inCi()) {
      fail("CI=true, so this test must run, but " + why);
    }
    System.err.println("SKIPPED (" + why.toLowerCase(Locale.ROOT) + ")");
    assumeTrue(false, why);
  }
}
