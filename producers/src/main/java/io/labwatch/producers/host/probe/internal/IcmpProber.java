package io.labwatch.producers.host.probe.internal;

import io.labwatch.events.IpAddress;
import io.labwatch.events.ProbeResult.ErrorClass;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An ICMP echo probe: runs {@code ping -n -c 1 -W <timeout> <ip>} (iputils) and reads its exit code
 * and output.
 *
 * <p>Why a process and not Java: Java has no ICMP socket, and {@link
 * java.net.InetAddress#isReachable} sends an ICMP echo only with CAP_NET_RAW; without it, it tries
 * a TCP connection to port 7 and calls a refusal "reachable" — a TCP probe under another name, and
 * which one the sensor did would depend on how it was started. iputils' {@code ping} sends a real
 * echo request as any user (an unprivileged ICMP socket where {@code net.ipv4.ping_group_range}
 * allows it, else its file capability), measures the round trip itself, and is in every
 * distribution's base system. A fork per probe every few seconds costs about a millisecond of CPU.
 *
 * <p>The process is bounded: if it has not ended {@link #GRACE} after the timeout it is killed and
 * the probe is a TIMEOUT, so a hanging {@code ping} never holds a probe thread.
 */
public final class IcmpProber implements Prober {

  /** How long past the timeout a ping may take to start and end. */
  static final Duration GRACE = Duration.ofSeconds(1);

  private static final Pattern TIME = Pattern.compile("time[=<]([0-9]+(?:\\.[0-9]+)?) ?ms");

  private final List<String> ping;

  /** Runs {@code ping} from the PATH. */
  public IcmpProber() {
    this(List.of("ping"));
  }

  /** Runs {@code command} (a test's stand-in for ping) with ping's arguments appended. */
  public IcmpProber(List<String> command) {
    this.ping = List.copyOf(command);
  }

  @Override
  public Outcome probe(IpAddress ip, Integer port, Duration timeout) {
    List<String> command = new ArrayList<>(ping);
    command.addAll(
        List.of(
            ip.isV4() ? "-4" : "-6",
            "-n",
            "-c",
            "1",
            "-W",
            String.format(Locale.ROOT, "%.3f", timeout.toMillis() / 1000.0),
            ip.toString()));
    long start = System.nanoTime();
    Process p;
    try {
      p = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new ProbeUnavailable(
          "ICMP probes run ping, which cannot be started ("
              + Outcome.oneLine(e.getMessage())
              + "): apt-get install iputils-ping",
          e);
    }
    try {
      p.getOutputStream().close();
      if (!p.waitFor(timeout.plus(GRACE).toMillis(), TimeUnit.MILLISECONDS)) {
        return Outcome.failed(
            Outcome.microsSince(start),
            ErrorClass.TIMEOUT,
            "ping did not end within " + timeout.plus(GRACE).toMillis() + "ms; killed");
      }
      long us = Outcome.microsSince(start);
      String out = read(p.getInputStream());
      return interpret(p.exitValue(), out, us, timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Outcome.failed(Outcome.microsSince(start), ErrorClass.ERROR, "interrupted");
    } catch (IOException e) {
      return Outcome.failed(Outcome.microsSince(start), ErrorClass.ERROR, e.getMessage());
    } finally {
      p.destroyForcibly();
    }
  }

  /**
   * What a ping's exit code and output say: 0 an echo reply (its {@code time=} as the latency, else
   * {@code elapsedUs}); 1 no reply — UNREACHABLE when a router or the kernel said "Unreachable",
   * else TIMEOUT; anything else an error of ping's (UNREACHABLE for "Network is unreachable"; a
   * permission problem makes the probe unavailable on this host).
   */
  static Outcome interpret(int exit, String output, long elapsedUs, Duration timeout) {
    if (exit == 0) {
      Matcher m = TIME.matcher(output);
      long us = m.find() ? Math.round(Double.parseDouble(m.group(1)) * 1000) : elapsedUs;
      return Outcome.answered(us);
    }
    String lower = output.toLowerCase(Locale.ROOT);
    String unreachable = lineWith(output, "unreachable");
    if (unreachable != null) {
      return Outcome.failed(elapsedUs, ErrorClass.UNREACHABLE, unreachable.strip());
    }
    if (exit == 1) {
      return Outcome.failed(
          elapsedUs, ErrorClass.TIMEOUT, "no echo reply within " + timeout.toMillis() + "ms");
    }
    if (lower.contains("operation not permitted") || lower.contains("permission denied")) {
      throw new ProbeUnavailable(
          "ping may not send ICMP here ("
              + Outcome.oneLine(output)
              + "): allow it with sysctl net.ipv4.ping_group_range, or give ping cap_net_raw");
    }
    return Outcome.failed(
        elapsedUs,
        ErrorClass.ERROR,
        output.isBlank() ? "ping exited with " + exit : Outcome.oneLine(output));
  }

  private static String lineWith(String output, String word) {
    return output
        .lines()
        .filter(l -> l.toLowerCase(Locale.ROOT).contains(word))
        .findFirst()
        .orElse(null);
  }

  private static String read(InputStream in) throws IOException {
    byte[] bytes = in.readNBytes(16 * 1024);
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
