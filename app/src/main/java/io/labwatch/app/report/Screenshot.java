package io.labwatch.app.report;

import io.labwatch.events.LabwatchException;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A page opened by headless Chromium with the network off: its picture ({@code --screenshot}) or
 * its DOM after the scripts ran ({@code --dump-dom}).
 */
public final class Screenshot {

  private static final List<String> NAMES =
      List.of("chromium", "chromium-browser", "google-chrome", "google-chrome-stable");

  private Screenshot() {}

  /** The browser on the PATH, if any. */
  public static Optional<Path> browser() {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String name : NAMES) {
      for (String dir : path.split(File.pathSeparator)) {
        Path p = Path.of(dir, name);
        if (Files.isExecutable(p)) {
          return Optional.of(p);
        }
      }
    }
    return Optional.empty();
  }

  /**
   * The command line that opens {@code page} headless, offline (no proxy, every host name
   * unresolvable), with {@code action} ({@code --screenshot=FILE}, {@code --dump-dom}).
   */
  public static List<String> command(
      Path browser, Path page, int width, int height, String action) {
    List<String> cmd = new ArrayList<>();
    cmd.add(browser.toString());
    cmd.add("--headless");
    cmd.add("--no-sandbox"); // as root, Chromium refuses to start with its sandbox
    cmd.add("--disable-gpu");
    cmd.add("--no-first-run");
    cmd.add("--hide-scrollbars");
    cmd.add("--proxy-server=127.0.0.1:9");
    cmd.add("--host-resolver-rules=MAP * ~NOTFOUND");
    cmd.add("--virtual-time-budget=5000");
    cmd.add("--window-size=" + width + "," + height);
    cmd.add(action);
    cmd.add(page.toAbsolutePath().toUri().toString());
    return cmd;
  }

  /**
   * Writes a picture of {@code page} to {@code png}.
   *
   * @throws LabwatchException when there is no Chromium or it fails
   */
  public static void take(Path page, Path png) {
    Path browser =
        browser()
            .orElseThrow(
                () ->
                    new LabwatchException(
                        "--png needs Chromium, which is not on the PATH (Debian: apt-get install"
                            + " chromium); the HTML report was written"));
    Path out = png.toAbsolutePath();
    Path profile = null;
    try {
      profile = Files.createTempDirectory("labwatch-chromium");
      List<String> cmd = new ArrayList<>(command(browser, page, 1200, 1500, "--screenshot=" + out));
      cmd.add(1, "--user-data-dir=" + profile);
      Process p =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new LabwatchException("Chromium did not finish the picture within 60 s");
      }
      if (p.exitValue() != 0 || !Files.isRegularFile(out)) {
        throw new LabwatchException(
            "Chromium could not take the picture (exit " + p.exitValue() + ")");
      }
    } catch (IOException e) {
      throw new LabwatchException("could not run Chromium: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LabwatchException("interrupted while Chromium took the picture", e);
    } finally {
      // (the browser's profile, whether or not it made the picture)
      if (profile != null) {
        deleteTree(profile);
      }
    }
  }

  static void deleteTree(Path dir) {
    try (var walk = Files.walk(dir)) {
      walk.sorted(java.util.Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException ignored) {
                  // a temporary profile; the system cleans /tmp
                }
              });
    } catch (IOException ignored) {
      // as above
    }
  }
}
