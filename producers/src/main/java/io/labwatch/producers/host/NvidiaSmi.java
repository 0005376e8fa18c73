package io.labwatch.producers.host;

import io.labwatch.events.HostMetrics;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * NVIDIA GPUs, read with {@code nvidia-smi --query-gpu=... --format=csv,noheader,nounits} once per
 * sample. A host without the tool, or whose tool finds no GPU, has no GPU metrics and gets one info
 * line, never an error. The tool runs with a timeout and is killed when it overruns: a hung driver
 * makes {@code nvidia-smi} hang, and must not hang the sensor.
 */
final class NvidiaSmi {

  private static final Logger log = LoggerFactory.getLogger(NvidiaSmi.class);

  /** The fields asked for, in the order {@link #parse} reads them. */
  static final String QUERY =
      "index,name,uuid,utilization.gpu,memory.used,memory.total,temperature.gpu,power.draw,"
          + "ecc.errors.uncorrected.volatile.total";

  private static final int FIELDS = 9;
  private static final long MIB = 1024L * 1024;

  /** The most of its output read: a few lines per GPU. */
  private static final int MAX_OUTPUT = 256 * 1024;

  private final String command;
  private final Duration timeout;
  private boolean absent;
  private String said;

  NvidiaSmi(String command, Duration timeout) {
    this.command = command;
    this.timeout = timeout;
  }

  /** The command line run every sample. */
  List<String> commandLine() {
    return List.of(command, "--query-gpu=" + QUERY, "--format=csv,noheader,nounits");
  }

  /**
   * The GPUs now; empty when there are none, the tool is absent, fails or overruns (each said in
   * one line, once until it changes).
   */
  List<HostMetrics.Gpu> read() {
    if (absent) {
      return List.of();
    }
    Process p;
    try {
      p =
          new ProcessBuilder(commandLine())
              .redirectErrorStream(true)
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .start();
    } catch (IOException e) {
      // not installed (or not executable): no GPUs to read, and no use trying every sample
      absent = true;
      log.info(
          "host metrics: no GPU metrics ({} cannot be run: {}); NVIDIA GPUs are read with"
              + " nvidia-smi when it is installed",
          command,
          Skips.oneLine(e));
      return List.of();
    }
    // read on a thread of its own, so that a full pipe never blocks the tool while we wait
    FutureTask<byte[]> output = new FutureTask<>(() -> readAll(p));
    Thread reader = new Thread(output, "labwatch-nvidia-smi");
    reader.setDaemon(true);
    reader.start();
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        kill(p);
        say(
            "nvidia-smi did not answer within "
                + timeout.toMillis()
                + " ms and was killed (a hung GPU driver?); no GPU metrics while so");
        return List.of();
      }
      String text =
          new String(output.get(timeout.toMillis(), TimeUnit.MILLISECONDS), StandardCharsets.UTF_8);
      if (p.exitValue() != 0) {
        // e.g. 6 "No devices were found", 9 "couldn't communicate with the NVIDIA driver"
        say(
            "no GPU metrics: nvidia-smi exited with "
                + p.exitValue()
                + (text.isBlank() ? "" : " (" + firstLine(text) + ")"));
        return List.of();
      }
      List<HostMetrics.Gpu> gpus = parse(text);
      say(
          gpus.isEmpty()
              ? "no GPU metrics: nvidia-smi lists no GPU"
              : "reading "
                  + gpus.size()
                  + " NVIDIA GPU"
                  + (gpus.size() == 1 ? "" : "s")
                  + " with nvidia-smi");
      return gpus;
    } catch (InterruptedException e) {
      kill(p);
      Thread.currentThread().interrupt();
      return List.of();
    } catch (ExecutionException | TimeoutException e) {
      kill(p);
      say("no GPU metrics: nvidia-smi's output could not be read (" + Skips.oneLine(e) + ")");
      return List.of();
    }
  }

  /** One info line when what there is to say changes (not every sample). */
  private void say(String line) {
    if (!line.equals(said)) {
      said = line;
      log.info("host metrics: {}", line);
    }
  }

  private static void kill(Process p) {
    p.descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
  }

  private static byte[] readAll(Process p) {
    try (InputStream in = p.getInputStream()) {
      byte[] all = in.readNBytes(MAX_OUTPUT);
      in.transferTo(java.io.OutputStream.nullOutputStream()); // so that it never blocks writing
      return all;
    } catch (IOException e) {
      return new byte[0];
    }
  }

  /**
   * The GPUs in {@code nvidia-smi}'s CSV (no header, no units): one line per GPU. A field the
   * driver does not support ({@code [N/A]}, {@code [Not Supported]}, any other bracketed text) is
   * null; a line that is not a GPU is skipped.
   */
  static List<HostMetrics.Gpu> parse(String csv) {
    List<HostMetrics.Gpu> out = new ArrayList<>();
    for (String line : csv.split("\\R")) {
      if (line.isBlank()) {
        continue;
      }
      HostMetrics.Gpu gpu = parseLine(line);
      if (gpu != null) {
        out.add(gpu);
      } else {
        log.debug("nvidia-smi: not a GPU line: {}", line);
      }
    }
    return out;
  }

  private static HostMetrics.Gpu parseLine(String line) {
    String[] raw = line.split(",", -1);
    if (raw.length < FIELDS) {
      return null;
    }
    String[] f = new String[FIELDS];
    // a name with a comma in it: the fields after it are counted from the end
    int extra = raw.length - FIELDS;
    f[0] = raw[0].trim();
    f[1] = String.join(",", Arrays.copyOfRange(raw, 1, 2 + extra)).trim();
    for (int i = 2; i < FIELDS; i++) {
      f[i] = raw[i + extra].trim();
    }
    Long index = whole(f[0]);
    if (index == null || index < 0 || index > Integer.MAX_VALUE || f[1].isEmpty()) {
      return null;
    }
    Double percent = number(f[3]);
    Long usedMib = whole(f[4]);
    Long totalMib = whole(f[5]);
    Double temperature = number(f[6]);
    Double power = number(f[7]);
    Long ecc = whole(f[8]);
    try {
      return new HostMetrics.Gpu(
          index.intValue(),
          f[1],
          text(f[2]),
          percent == null || percent < 0 || percent > 100 ? null : percent / 100,
          usedMib == null || usedMib < 0 ? null : usedMib * MIB,
          totalMib == null || totalMib < 0 ? null : totalMib * MIB,
          temperature,
          power == null || power < 0 ? null : power,
          ecc == null || ecc < 0 ? null : ecc);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** Null for what nvidia-smi says instead of a value: {@code [N/A]}, {@code [Not Supported]}. */
  private static String text(String f) {
    return f.isEmpty() || f.startsWith("[") || f.equals("N/A") ? null : f;
  }

  private static Long whole(String f) {
    String t = text(f);
    if (t == null) {
      return null;
    }
    try {
      return Long.parseLong(t);
    } catch (NumberFormatException e) {
      Double d = number(t);
      return d == null || d != Math.rint(d) ? null : d.longValue();
    }
  }

  private static Double number(String f) {
    String t = text(f);
    if (t == null) {
      return null;
    }
    try {
      double d = Double.parseDouble(t);
      return Double.isFinite(d) ? d : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static String firstLine(String text) {
    String line = text.strip().lines().findFirst().orElse("");
    return line.length() > 200 ? line.substring(0, 200) + "…" : line;
  }
}
