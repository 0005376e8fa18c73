package io.labwatch.app.testing;

import io.labwatch.events.JsonSerde;
import io.labwatch.events.ProbeResult;
import io.labwatch.events.SensorEvent;
import io.labwatch.producers.host.probe.ProbeSpec;
import io.labwatch.producers.host.probe.Probes;
import io.labwatch.producers.host.probe.internal.IcmpProber;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The two ends of a reachability test, each a JVM a test starts inside a network namespace (a JVM
 * cannot move into one): {@code listen IP PORT}, an ssh-like server that greets and closes every
 * connection; {@code probe SENSOR_ID}, the host sensor's probes ({@link Probes#system}; first a
 * line {@code ICMP how} saying how it sends ICMP echoes), one run per spec read from standard
 * input, its {@link ProbeResult} printed as {@code RESULT <json>} (or {@code ERROR <message>}). The
 * test's side is {@link #start}.
 */
public final class ProbeAgent implements AutoCloseable {

  private static final JsonSerde<SensorEvent> SERDE = JsonSerde.of(SensorEvent.class);

  private final Process process;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final Path stderr;

  private ProbeAgent(Process process, Path stderr) {
    this.process = process;
    this.stderr = stderr;
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  lines.add(line);
                }
              } catch (IOException e) {
                // the agent is gone
              }
            },
            "probe-agent-out");
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Starts {@code ProbeAgent ARGS} in a lab host's namespace; its stderr goes to {@code stderr}.
   */
  public static ProbeAgent start(NetnsLab lab, String host, Path stderr, String... args)
      throws IOException {
    List<String> java =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                ProbeAgent.class.getName()));
    java.addAll(List.of(args));
    Process p =
        new ProcessBuilder(lab.inNamespace(host, java.toArray(String[]::new)))
            .redirectError(stderr.toFile())
            .start();
    return new ProbeAgent(p, stderr);
  }

  /** Waits for the next line that starts with {@code prefix}. */
  public String await(String prefix, long seconds) throws InterruptedException, IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < deadline) {
      String line = lines.poll(100, TimeUnit.MILLISECONDS);
      if (line != null && (line.startsWith(prefix) || line.startsWith("ERROR "))) {
        if (line.startsWith("ERROR ")) {
          throw new AssertionError("the agent says: " + line + "\n" + stderr());
        }
        return line.substring(prefix.length());
      }
      if (line == null && !process.isAlive() && lines.isEmpty()) {
        throw new AssertionError(
            "the agent exited with "
                + process.exitValue()
                + " before '"
                + prefix
                + "'\n"
                + stderr());
      }
    }
    throw new AssertionError(
        "no '" + prefix + "' from the agent in " + seconds + " s\n" + stderr());
  }

  /** Runs one probe in the agent's namespace and returns its result. */
  public ProbeResult probe(String spec) throws IOException, InterruptedException {
    OutputStream in = process.getOutputStream();
    in.write((spec + "\n").getBytes(StandardCharsets.UTF_8));
    in.flush();
    String json = await("RESULT ", 30);
    return (ProbeResult) SERDE.deserialize("t", json.getBytes(StandardCharsets.UTF_8));
  }

  private String stderr() throws IOException {
    return "agent stderr:\n" + java.nio.file.Files.readString(stderr);
  }

  /** Ends the agent (SIGTERM: {@code ip netns exec} execs it, so this is the JVM's own PID). */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  public static void main(String[] args) throws IOException {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    switch (args[0]) {
      case "listen" -> listen(InetAddress.getByName(args[1]), Integer.parseInt(args[2]), out);
      case "probe" -> probe(args[1], out);
      default -> throw new IllegalArgumentException("listen IP PORT | probe SENSOR_ID");
    }
  }

  private static void listen(InetAddress ip, int port, PrintStream out) throws IOException {
    try (ServerSocket server = new ServerSocket()) {
      server.bind(new InetSocketAddress(ip, port), 50);
      out.println("LISTENING " + ip.getHostAddress() + ":" + port);
      while (true) {
        try (Socket s = server.accept()) {
          s.getOutputStream()
              .write("SSH-2.0-OpenSSH_9.2p1\r\n".getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
          // the prober closed first: as for sshd, nothing to do
        }
      }
    }
  }

  private static void probe(String sensorId, PrintStream out) throws IOException {
    Probes probes = Probes.system(sensorId);
    out.println("ICMP " + new IcmpProber().method());
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String spec;
    while ((spec = in.readLine()) != null) {
      try {
        ProbeResult r = probes.run(ProbeSpec.parse(spec));
        out.println("RESULT " + new String(SERDE.serialize("t", r), StandardCharsets.UTF_8));
      } catch (RuntimeException e) {
        out.println("ERROR " + e);
      }
    }
  }
}
