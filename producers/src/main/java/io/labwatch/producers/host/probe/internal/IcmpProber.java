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
 * An ICMP echo probe: one echo request from this process ({@link IcmpEcho}, an ICMP socket) for an
 * IPv4 target where the host allows it; otherwise — IPv6, or a user who may open neither an
 * unprivileged ICMP socket nor a raw one — {@code ping -n -c 1 -W <timeout> <ip>} (iputils), its
 * exit code and output read.
 *
 * <p>Why not Java: Java has no ICMP socket, and {@link java.net.InetAddress#isReachable} sends an
 * ICMP echo only with CAP_NET_RAW; without it, it tries a TCP connection to port 7 and calls a
 * refusal "reachable" — a TCP probe under another name, and which one the sensor did would depend
 * on how it was started. The socket is opened through libc (JNA, which the host sensor loads for
 * OSHI anyway): a {@code ping} process per probe cost about 0.6 % of a core per probe a second,
 * more than all of the host sensor's sampling. iputils' {@code ping} remains the fallback because
 * it sends a real echo as any user (its file capability) and is in every distribution's base
 * system.
 *
 * <p>The process is bounded: if it has not ended {@link #GRACE} after the timeout it is killed and
 * the probe is a TIMEOUT, so a hanging {@code ping} never holds a probe thread.
 */
public final class IcmpProber implements Prober {

  /** How long past the timeout a ping may take to start and end. */
  static final Duration GRACE = Duration.ofSeconds(1);

  private static final Pattern TIME = Pattern.compile("time[=<]([0-9]+(?:\\.[0-9]+)?) ?ms");

  private final List<String> ping;
  private final boolean inProcess;

  /** Echoes from this process where the host allows it, else {@code ping} from the PATH. */
  public IcmpProber() {
    this(List.of("ping"), true);
  }

  /** Always runs {@code command} (ping, or a test's stand-in) with ping's arguments appended. */
  public IcmpProber(List<String> command) {
    this(command, false);
  }

  private IcmpProber(List<String> command, boolean inProcess) {
    this.ping = List.copyOf(command);
    this.inProcess = inProcess;
  }

  /**
   * How this prober sends IPv4 echoes on this host: {@code "an ICMP datagram socket"}, {@code "a
   * raw ICMP socket"}, or {@code "ping (why)"}; IPv6 always runs ping.
   */
  public String method() {
    if (!inProcess) {
      return "ping";
    }
    return switch (IcmpEcho.mode()) {
      case DATAGRAM -> "an ICMP datagram socket";
      case RAW -> "a raw ICMP socket";
      case NONE -> "ping (" + IcmpEcho.whyUnavailable() + ")";
    };
  }

  @Override
  public Outcome probe(IpAddress ip, Integer port, Duration timeout) {
    if (inProcess && ip.isV4() && IcmpEcho.available()) {
      return IcmpEcho.echo(ip, timeout);
    }
    return runPing(ip, timeout);
  }

  private Outcome runPing(IpAddress ip, Duration timeout) {
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
