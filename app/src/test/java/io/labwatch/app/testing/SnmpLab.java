package io.labwatch.app.testing;

import io.labwatch.events.IpAddress;
import io.labwatch.events.MacAddress;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Network devices for SNMP tests: each device is a Linux network namespace running Debian's real
 * {@code snmpd}, so the agent's IF-MIB and ARP tables are the namespace's own. A device has a
 * management link {@code mgmt0} to this (root) namespace, 10.214.N.(4k+1)/30 with this side at
 * .(4k+2), over which the sensor polls it; {@link Device#lan} gives it a LAN port {@code lan0} to a
 * host namespace (10.215.N.0/24, the device at .1). IPv6 is off on every link, so nothing but what
 * a test sends crosses them.
 *
 * <p>{@code snmpd} runs with {@code -C -c} (no configuration but the test's) and its persistent
 * state in the test's directory, never {@code /etc/snmp} or {@code /var/lib/snmp}. {@link #close()}
 * stops every agent this started (by its PID) and removes every namespace and link, and a JVM
 * shutdown hook does too if a test dies first. Names start with {@code lwsn-}.
 */
public final class SnmpLab implements AutoCloseable {

  /** Where Debian's snmpd is. */
  public static final String SNMPD = "/usr/sbin/snmpd";

  private final String prefix;
  private final int subnet;
  private final Path dir;
  private final List<String> namespaces = new ArrayList<>();
  private final List<String> rootLinks = new ArrayList<>();
  private final List<Agent> agents = new ArrayList<>();
  private final Thread cleanupHook = new Thread(this::cleanup, "snmp-lab-cleanup");
  private int devices;

  private SnmpLab(String prefix, int subnet, Path dir) {
    this.prefix = prefix;
    this.subnet = subnet;
    this.dir = dir;
  }

  /** An empty lab; agents' configuration, state and logs go under {@code dir}. */
  public static SnmpLab create(Path dir) throws IOException {
    String prefix =
        "lwsn-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xFFFF));
    SnmpLab lab = new SnmpLab(prefix, freeSubnet(), dir);
    Runtime.getRuntime().addShutdownHook(lab.cleanupHook);
    return lab;
  }

  /** N with no route of this host into 10.214.N.0/24 or 10.215.N.0/24. */
  private static int freeSubnet() throws IOException {
    String routes = Files.readString(Path.of("/proc/net/route"), StandardCharsets.US_ASCII);
    for (int attempt = 0; attempt < 50; attempt++) {
      int n = ThreadLocalRandom.current().nextInt(1, 255);
      // /proc/net/route is little-endian hex: 10.214.n.x -> ..nnD60A
      String mgmt = String.format(Locale.ROOT, "%02XD60A\t", n);
      String lan = String.format(Locale.ROOT, "%02XD70A\t", n);
      if (!routes.contains(mgmt) && !routes.contains(lan)) {
        return n;
      }
    }
    throw new IllegalStateException("no free 10.214.N.0/24 for the SNMP lab");
  }

  /** A device: a namespace with {@code lo} and its management link up. */
  public Device device(String name) throws IOException, InterruptedException {
    int k = devices++;
    String ns = prefix + "-" + name;
    run("ip", "netns", "add", ns);
    namespaces.add(ns);
    noIpv6(ns, "default");
    String root = ns; // the root end is named like the namespace (at most 15 characters)
    run("ip", "link", "add", root, "type", "veth", "peer", "name", "mgmt0", "netns", ns);
    rootLinks.add(root);
    run("sysctl", "-qw", "net.ipv6.conf." + root + ".disable_ipv6=1");
    noIpv6(ns, "mgmt0");
    IpAddress address = IpAddress.of("10.214." + subnet + "." + (4 * k + 1));
    IpAddress rootAddress = IpAddress.of("10.214." + subnet + "." + (4 * k + 2));
    run("ip", "addr", "add", rootAddress + "/30", "dev", root);
    run("ip", "link", "set", root, "up");
    run("ip", "-n", ns, "addr", "add", address + "/30", "dev", "mgmt0");
    run("ip", "-n", ns, "link", "set", "lo", "up");
    run("ip", "-n", ns, "link", "set", "mgmt0", "up");
    return new Device(name, ns, address);
  }

  /** An address of the LAN behind a device: {@code 10.215.N.host}. */
  public IpAddress lanIp(int host) {
    return IpAddress.of("10.215." + subnet + "." + host);
  }

  /** One device of the lab. */
  public final class Device {
    private final String name;
    private final String ns;
    private final IpAddress address;

    private Device(String name, String ns, IpAddress address) {
      this.name = name;
      this.ns = ns;
      this.address = address;
    }

    /** Its management address, where its agent listens. */
    public IpAddress address() {
      return address;
    }

    public String name() {
      return name;
    }

    /**
     * Gives the device a LAN port {@code lan0} (at {@link #lanIp lanIp(1)}) to a new host namespace
     * whose {@code eth0} has {@code mac} and {@code ip}/24; returns the host's name for {@link
     * #exec}.
     */
    public String lan(String host, MacAddress mac, IpAddress ip)
        throws IOException, InterruptedException {
      String hostNs = prefix + "-" + host;
      run("ip", "netns", "add", hostNs);
      namespaces.add(hostNs);
      noIpv6(hostNs, "default");
      run(
          "ip",
          "-n",
          ns,
          "link",
          "add",
          "lan0",
          "type",
          "veth",
          "peer",
          "name",
          "eth0",
          "address",
          mac.toString(),
          "netns",
          hostNs);
      noIpv6(ns, "lan0");
      noIpv6(hostNs, "eth0");
      run("ip", "-n", ns, "addr", "add", lanIp(1) + "/24", "dev", "lan0");
      run("ip", "-n", ns, "link", "set", "lan0", "up");
      run("ip", "-n", hostNs, "addr", "add", ip + "/24", "dev", "eth0");
      run("ip", "-n", hostNs, "link", "set", "lo", "up");
      run("ip", "-n", hostNs, "link", "set", "eth0", "up");
      return host;
    }

    /** Puts an entry into the device's ARP table: {@code ip neigh replace ... nud STATE}. */
    public void neighbour(String dev, IpAddress ip, MacAddress mac, String nud)
        throws IOException, InterruptedException {
      run(
          "ip",
          "-n",
          ns,
          "neigh",
          "replace",
          ip.toString(),
          "lladdr",
          mac.toString(),
          "dev",
          dev,
          "nud",
          nud);
    }

    /**
     * Starts {@code snmpd} in the device's namespace on {@code udp:ADDRESS:port} with these
     * snmpd.conf lines (and its persistent state in a directory of its own, kept across restarts:
     * its engine ID stays, its engine boots count up, as a real device's do); returns once it
     * answers.
     */
    public Agent startAgent(int port, String... configLines)
        throws IOException, InterruptedException {
      Path home = Files.createDirectories(dir.resolve("snmpd-" + name));
      Path conf = Files.writeString(home.resolve("snmpd.conf"), String.join("\n", configLines));
      Path state = Files.createDirectories(home.resolve("state"));
      Agent agent = new Agent(this, port, home, conf, state);
      agent.start();
      return agent;
    }
  }

  /** A running (or stopped) snmpd of a device. */
  public final class Agent {
    private final Device device;
    private final int port;
    private final Path home;
    private final Path conf;
    private final Path state;
    private Process process;
    private int starts;

    private Agent(Device device, int port, Path home, Path conf, Path state) {
      this.device = device;
      this.port = port;
      this.home = home;
      this.conf = conf;
      this.state = state;
      synchronized (SnmpLab.this) {
        agents.add(this);
      }
    }

    /** {@code HOST:PORT}, as the sensor's {@code --target} takes it. */
    public String target() {
      return device.address + ":" + port;
    }

    /** The PID of the snmpd running now. */
    public long pid() {
      return process.pid();
    }

    /** What snmpd said while it ran (its log, every start). */
    public String log() throws IOException {
      StringBuilder sb = new StringBuilder();
      for (int i = 1; i <= starts; i++) {
        sb.append(Files.readString(home.resolve("snmpd-" + i + ".log")));
      }
      return sb.toString();
    }

    private void start() throws IOException, InterruptedException {
      starts++;
      Path log = home.resolve("snmpd-" + starts + ".log");
      try {
        process = snmpd(device.ns, "udp:" + device.address + ":" + port, conf, state, log);
      } catch (IllegalStateException e) {
        process = null;
        throw e;
      }
    }

    /** Stops this snmpd (SIGTERM to its PID; SIGKILL if it lingers) and waits for it to end. */
    public void stop() throws InterruptedException {
      if (process == null || !process.isAlive()) {
        return;
      }
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    }

    /** Starts snmpd again with the same configuration and state, as after a reboot. */
    public void restart() throws IOException, InterruptedException {
      stop();
      start();
    }

    /** Starts snmpd again with these snmpd.conf lines instead, as after a reset. */
    public void restart(String... configLines) throws IOException, InterruptedException {
      stop();
      Files.writeString(conf, String.join("\n", configLines));
      start();
    }
  }

  /**
   * Starts Debian's snmpd inside {@code namespace}, listening on {@code listen} ({@code
   * udp:IP:PORT}), with the snmpd.conf {@code conf} only (never /etc/snmp), its persistent state
   * (engine ID, boots, users' keys) in {@code state} (never /var/lib/snmp), no MIB files, and its
   * log in {@code log}; returns it once it serves requests. Its PID is snmpd's own ({@code ip netns
   * exec} execs it). Any namespace: a device of this lab, or a host of a {@link NetnsLab}.
   */
  public static Process snmpd(String namespace, String listen, Path conf, Path state, Path log)
      throws IOException, InterruptedException {
    ProcessBuilder pb =
        new ProcessBuilder(
                "ip",
                "netns",
                "exec",
                namespace,
                SNMPD,
                "-f", // in the foreground: the process started here is snmpd itself
                "-Lo", // log to stdout: the log file
                "-C", // no configuration files but -c's (never /etc/snmp)
                "-c",
                conf.toString(),
                "-p",
                state.resolveSibling(state.getFileName() + ".pid").toString(),
                listen)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    // persistent state here, not in /var/lib/snmp; and no MIB files: the agent needs none, and
    // without them it prints hundreds of lines of complaints
    pb.environment().put("SNMP_PERSISTENT_DIR", state.toString());
    pb.environment().put("MIBS", "");
    pb.environment().put("MIBDIRS", state.resolveSibling("no-mibs").toString());
    Process process = pb.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    // snmpd logs its version once it has opened its port and serves requests
    while (!Files.readString(log).contains("NET-SNMP version")) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
        throw new IllegalStateException(
            "snmpd did not start in " + namespace + ": " + Files.readString(log));
      }
      Thread.sleep(20); // polling the log for the line above; nothing to wait on instead
    }
    return process;
  }

  /** Runs a command inside a namespace of the lab (a host's, by its name); returns its output. */
  public String exec(String name, String... command) throws IOException, InterruptedException {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", prefix + "-" + name));
    full.addAll(List.of(command));
    return run(full.toArray(String[]::new));
  }

  private static void noIpv6(String ns, String dev) throws IOException, InterruptedException {
    run("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf." + dev + ".disable_ipv6=1");
  }

  private static String run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IOException(String.join(" ", command) + " failed: " + out);
    }
    return out;
  }

  private synchronized void cleanup() {
    for (Agent a : agents) {
      try {
        a.stop();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    agents.clear();
    for (String ns : namespaces) {
      runIgnoring("ip", "netns", "del", ns);
    }
    for (String link : rootLinks) {
      runIgnoring("ip", "link", "del", link); // gone with its namespace's end already, normally
    }
    namespaces.clear();
    rootLinks.clear();
  }

  private static void runIgnoring(String... command) {
    try {
      Process p =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    } catch (IOException e) {
      // best effort: the lab is going away
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    cleanup();
    try {
      Runtime.getRuntime().removeShutdownHook(cleanupHook);
    } catch (IllegalStateException e) {
      // the JVM is already shutting down and runs the hook
    }
  }
}
