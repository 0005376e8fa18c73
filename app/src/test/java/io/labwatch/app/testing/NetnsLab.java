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
 * A small LAN of Linux network namespaces for tests: one namespace holds a bridge; each host is a
 * namespace with an {@code eth0} on it. Every bridge port's incoming frames are mirrored (tc
 * mirred) to {@link #monitorInterface()}, a veth in this (root) namespace — a switch's mirror port,
 * where a sensor sees unicast replies too. {@link #probeInterface()} is a plain bridge port in this
 * namespace, with an address, for sending.
 *
 * <p>{@link #isolated()} makes the bridge alone: no link or address in this namespace, no mirror;
 * every host, the prober included, is a namespace of its own.
 *
 * <p>The subnet is a free 10.213.N.0/24; nothing is sent outside it. {@link #close()} removes every
 * namespace and link it made, and a JVM shutdown hook does too if a test dies first.
 */
public final class NetnsLab implements AutoCloseable {

  private final String prefix;
  private final String subnet;
  private final List<String> namespaces = new ArrayList<>();
  private final List<String> rootLinks = new ArrayList<>();
  private final Thread cleanupHook = new Thread(this::cleanup, "netns-lab-cleanup");
  private final boolean mirrored;

  private NetnsLab(String prefix, String subnet, boolean mirrored) {
    this.prefix = prefix;
    this.subnet = subnet;
    this.mirrored = mirrored;
  }

  /** A bridge with its mirror port and probe port; hosts are added with {@link #host}. */
  public static NetnsLab create() throws IOException, InterruptedException {
    return create(true);
  }

  /**
   * A bridge in a namespace and nothing in this one: no mirror port, no probe port ({@link
   * #monitorInterface()} and {@link #probeInterface()} do not exist); hosts are added with {@link
   * #host}.
   */
  public static NetnsLab isolated() throws IOException, InterruptedException {
    return create(false);
  }

  private static NetnsLab create(boolean mirrored) throws IOException, InterruptedException {
    String prefix = "lw" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xFFFF));
    NetnsLab lab = new NetnsLab(prefix, freeSubnet(), mirrored);
    Runtime.getRuntime().addShutdownHook(lab.cleanupHook);
    try {
      lab.build();
    } catch (IOException | InterruptedException | RuntimeException e) {
      lab.close();
      throw e;
    }
    return lab;
  }

  private void build() throws IOException, InterruptedException {
    String br = ns("br");
    run("ip", "netns", "add", br);
    namespaces.add(br);
    run("ip", "-n", br, "link", "add", "br0", "type", "bridge");
    run("ip", "-n", br, "link", "set", "br0", "up");
    run("ip", "netns", "exec", br, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1");
    if (!mirrored) {
      return;
    }

    run(
        "ip",
        "link",
        "add",
        monitorInterface(),
        "type",
        "veth",
        "peer",
        "name",
        "mon",
        "netns",
        br);
    rootLinks.add(monitorInterface());
    run("ip", "-n", br, "link", "set", "mon", "up");
    run("sysctl", "-qw", "net.ipv6.conf." + monitorInterface() + ".disable_ipv6=1");
    run("ip", "link", "set", monitorInterface(), "up");

    run(
        "ip",
        "link",
        "add",
        probeInterface(),
        "type",
        "veth",
        "peer",
        "name",
        "probe",
        "netns",
        br);
    rootLinks.add(probeInterface());
    run("sysctl", "-qw", "net.ipv6.conf." + probeInterface() + ".disable_ipv6=1");
    run("ip", "-n", br, "link", "set", "probe", "master", "br0", "up");
    run("ip", "addr", "add", probeAddress() + "/24", "dev", probeInterface());
    run("ip", "link", "set", probeInterface(), "up");
  }

  /** 10.213.N.0/24 with no route of this host inside 10.213.N.0/24 already. */
  private static String freeSubnet() throws IOException {
    String routes = Files.readString(Path.of("/proc/net/route"), StandardCharsets.US_ASCII);
    for (int attempt = 0; attempt < 50; attempt++) {
      int n = ThreadLocalRandom.current().nextInt(1, 255);
      // /proc/net/route is little-endian hex: 10.213.n.0 -> 00nnD50A
      String hex = String.format(Locale.ROOT, "00%02XD50A", n);
      if (!routes.contains(hex)) {
        return "10.213." + n;
      }
    }
    throw new IllegalStateException("no free 10.213.N.0/24 for the test lab");
  }

  /** The root-namespace end of the mirror port. */
  public String monitorInterface() {
    return prefix + "-mon";
  }

  /** The root-namespace bridge port that has {@link #probeAddress()}. */
  public String probeInterface() {
    return prefix + "-p0";
  }

  public IpAddress probeAddress() {
    return ip(250);
  }

  /**
   * Adds a plain bridge port in this (root) namespace without any IPv4 address (and IPv6 off), as
   * on a sensor box whose capture interface is not numbered; returns its name.
   */
  public String unnumberedPort(String suffix) throws IOException, InterruptedException {
    String name = prefix + "-" + suffix;
    String peer = "u" + suffix;
    run("ip", "link", "add", name, "type", "veth", "peer", "name", peer, "netns", ns("br"));
    rootLinks.add(name);
    run("sysctl", "-qw", "net.ipv6.conf." + name + ".disable_ipv6=1");
    run("ip", "-n", ns("br"), "link", "set", peer, "master", "br0", "up");
    run("ip", "link", "set", name, "up");
    return name;
  }

  /** An address of the lab's subnet: {@code 10.213.N.host}. */
  public IpAddress ip(int host) {
    return IpAddress.of(subnet + "." + host);
  }

  /**
   * Adds a host: a namespace with eth0 (this MAC, this address/24) on the bridge, mirrored (unless
   * {@link #isolated()}), up.
   */
  public String host(String name, MacAddress mac, IpAddress address)
      throws IOException, InterruptedException {
    String ns = ns(name);
    String br = ns("br");
    run("ip", "netns", "add", ns);
    namespaces.add(ns);
    String tmp = prefix + "-t";
    run(
        "ip",
        "link",
        "add",
        tmp,
        "address",
        mac.toString(),
        "type",
        "veth",
        "peer",
        "name",
        name,
        "netns",
        br);
    run("ip", "link", "set", tmp, "netns", ns);
    run("ip", "-n", ns, "link", "set", tmp, "name", "eth0");
    run("ip", "-n", br, "link", "set", name, "master", "br0", "up");
    if (mirrored) {
      run("ip", "netns", "exec", br, "tc", "qdisc", "add", "dev", name, "clsact");
      run(
          "ip", "netns", "exec", br, "tc", "filter", "add", "dev", name, "ingress", "u32", "match",
          "u32", "0", "0", "action", "mirred", "egress", "mirror", "dev", "mon");
    }
    run("ip", "-n", ns, "addr", "add", address + "/24", "dev", "eth0");
    run("ip", "-n", ns, "link", "set", "lo", "up");
    run("ip", "-n", ns, "link", "set", "eth0", "up");
    return ns;
  }

  /** The command line that runs {@code command} inside a host's namespace. */
  public List<String> inNamespace(String host, String... command) {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns(host)));
    full.addAll(List.of(command));
    return full;
  }

  /** Runs a command inside a host's namespace; returns its exit code. */
  public int exec(String host, String... command) throws IOException, InterruptedException {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns(host)));
    full.addAll(List.of(command));
    return runQuietly(full);
  }

  /**
   * Starts a command inside a host's namespace and returns it running: its PID is the command's own
   * ({@code ip netns exec} execs it), so {@link Process#destroy()} sends it SIGTERM. The caller
   * ends it; the output is discarded.
   */
  public Process start(String host, String... command) throws IOException {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns(host)));
    full.addAll(List.of(command));
    return new ProcessBuilder(full)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
  }

  /** The host forgets its neighbours, so its next packet to one starts with an ARP request. */
  public void forgetNeighbours(String host) throws IOException, InterruptedException {
    run("ip", "-n", ns(host), "neigh", "flush", "dev", "eth0");
  }

  public void linkDown(String rootInterface) throws IOException, InterruptedException {
    run("ip", "link", "set", rootInterface, "down");
  }

  public void linkUp(String rootInterface) throws IOException, InterruptedException {
    run("ip", "link", "set", rootInterface, "up");
  }

  private String ns(String name) {
    return prefix + "-" + name;
  }

  private static void run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + out);
    }
  }

  private static int runQuietly(List<String> command) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return -1;
    }
    return p.exitValue();
  }

  private synchronized void cleanup() {
    for (String ns : namespaces) {
      runQuietlyIgnoring("ip", "netns", "del", ns);
    }
    for (String link : rootLinks) {
      runQuietlyIgnoring("ip", "link", "del", link);
    }
    namespaces.clear();
    rootLinks.clear();
  }

  private static void runQuietlyIgnoring(String... command) {
    try {
      runQuietly(List.of(command));
    } catch (IOException | InterruptedException e) {
      // best effort: the lab is going away
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
