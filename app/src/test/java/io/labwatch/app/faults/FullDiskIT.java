package io.labwatch.app.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.labwatch.app.config.LabwatchConfig;
import io.labwatch.app.testing.PrometheusServer;
import io.labwatch.events.IpAddress;
import io.labwatch.events.MacAddress;
import io.labwatch.producers.testing.Requirements;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNetworkInterface.PromiscuousMode;
import org.pcap4j.core.Pcaps;

/**
 * Issue 12, item 2: a full disk must not end {@code labwatch run}. Its data dir is a small tmpfs;
 * its ARP sensor captures on one end of a veth pair, and the test puts ARP replies on the other
 * end, so observations go through labwatch's own publisher. A conflict fires, then a filler file
 * takes the disk: labwatch says so once, /-/healthy is 503 naming the disk, /metrics still shows
 * the firing incident, and the observations it cannot keep are counted. Freeing the space brings
 * everything back by itself. The same after the disk filled to its last byte, past the guard, so
 * that Kafka fails its log dir and asks to halt the JVM.
 */
class FullDiskIT {

  static final Path JAR = Path.of("target", "labwatch.jar");
  static final MacAddress SERVER = MacAddress.of("dc:9b:9c:77:00:10");
  static final MacAddress ROUTER = MacAddress.of("00:a0:de:77:00:10");
  static final MacAddress CLIENT = MacAddress.of("52:54:00:77:00:21");
  static final IpAddress CLIENT_IP = IpAddress.of("10.77.0.21");
  static final long MIB = 1024L * 1024;
  static final long RESERVE = LabwatchConfig.Broker.DEFAULT_DISK_RESERVE_MB * MIB;

  @TempDir Path dir;
  private final List<Path> mounts = new ArrayList<>();
  private final List<Process> started = new ArrayList<>();
  private String iface;
  private PcapHandle sender;

  @BeforeEach
  void needsRoot() {
    Requirements.root("the full-disk test's tmpfs and veth pair");
    Requirements.command("ip", "iproute2");
    Requirements.command("mount", "mount");
    Requirements.command("fallocate", "util-linux");
    Requirements.libpcap();
    assertThat(JAR).as("the packaged jar (mvn package builds it)").exists();
  }

  @AfterEach
  void cleanUp() throws Exception {
    Path err = dir.resolve("err");
    if (Files.exists(err)) { // the report's output keeps what labwatch said, for a failure's reader
      System.err.println("labwatch run's stderr:\n" + Files.readString(err));
    }
    for (Process p : started) {
      p.destroy();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
      }
    }
    if (sender != null) {
      sender.close();
    }
    if (iface != null) {
      run("ip", "link", "del", iface);
    }
    for (Path m : mounts) {
      run("umount", m.toString());
    }
  }

  @Test
  void aFullDiskIsSaidOnceCountsTheDroppedObservationsKeepsTheIncidentsAndRecoversByItself()
      throws Exception {
    Path data = tmpfs("data", 320);
    int metricsPort = PrometheusServer.freePort();
    Process labwatch = labwatch(data, metricsPort, Map.of());
    awaitReady(labwatch);
    conflict(IpAddress.of("10.77.0.10"));
    awaitFiring(metricsPort, "10.77.0.10");

    // another process takes the disk, down to half of labwatch's reserve
    Path filler = fill(data, Files.getFileStore(data).getUsableSpace() - RESERVE / 2);
    await().atMost(Duration.ofSeconds(30)).until(() -> healthy(metricsPort).startsWith("503"));
    assertThat(healthy(metricsPort))
        .contains("broker: the disk of " + data + " is full (")
        .contains("observations are dropped (");
    assertThat(scrape(metricsPort))
        .contains("labwatch_part_up{part=\"broker\"} 0.0")
        .containsPattern(firing("10.77.0.10"));

    int sent = 0;
    for (int i = 0; i < 20; i++) {
      send(reply(IpAddress.of("10.77.0.50"), CLIENT));
      sent++;
    }
    int sentMeanwhile = sent;
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> assertThat(dropped(metricsPort)).isGreaterThanOrEqualTo(sentMeanwhile));
    assertThat(labwatch.isAlive()).isTrue();
    await() // the console's health watch looks every 2 s
        .atMost(Duration.ofSeconds(10))
        .until(() -> !lines("err", "labwatch: broker: ").isEmpty());
    assertThat(lines("err", "labwatch: broker: "))
        .singleElement()
        .asString()
        .startsWith("labwatch: broker: the disk of " + data + " is full (")
        .contains("labwatch needs " + RESERVE / MIB + ")")
        .contains("until space is freed");

    Files.delete(filler);
    await().atMost(Duration.ofSeconds(30)).until(() -> healthy(metricsPort).startsWith("200"));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> !lines("err", "labwatch: broker works again").isEmpty());
    conflict(IpAddress.of("10.77.0.11"));
    awaitFiring(metricsPort, "10.77.0.11");
    assertThat(scrape(metricsPort)).containsPattern(firing("10.77.0.10"));
    assertThat(labwatch.isAlive()).isTrue();
  }

  @Test
  void aBrokerThatHitsTheFullDiskStopsAloneAndStartsAgainOnceSpaceIsFreed() throws Exception {
    Path data = tmpfs("data", 320);
    int metricsPort = PrometheusServer.freePort();
    // no reserve: nothing stops writing before Kafka's write fails
    Process labwatch = labwatch(data, metricsPort, Map.of("LABWATCH_BROKER_DISK_RESERVE_MB", "0"));
    awaitReady(labwatch);
    conflict(IpAddress.of("10.77.0.10"));
    awaitFiring(metricsPort, "10.77.0.10");

    Path filler = fillToTheLastBytes(data);
    // observations keep coming until the broker's next write finds the disk full
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              for (int i = 0; i < 50; i++) {
                send(reply(IpAddress.of("10.77.1." + (1 + i)), CLIENT));
              }
              return healthy(metricsPort).contains("broker: stopped (");
            });
    assertThat(labwatch.isAlive()).as("labwatch survived Kafka's halt").isTrue();
    assertThat(scrape(metricsPort))
        .contains("labwatch_part_up{part=\"broker\"} 0.0")
        .containsPattern(firing("10.77.0.10"));

    Files.delete(filler);
    await().atMost(Duration.ofSeconds(60)).until(() -> healthy(metricsPort).startsWith("200"));
    conflict(IpAddress.of("10.77.0.11"));
    awaitFiring(metricsPort, "10.77.0.11");
    assertThat(labwatch.isAlive()).isTrue();
    assertThat(lines("err", "labwatch: broker: "))
        .singleElement()
        .asString()
        .startsWith(
            "labwatch: broker: stopped (its log dir failed and Kafka asked to halt the JVM");
  }

  @Test
  void aStartOnAFullDiskIsOneClearLineAndExitStatusOne() throws Exception {
    Path data = tmpfs("full", 64);
    Process p =
        new ProcessBuilder(
                java(),
                "-jar",
                JAR.toString(),
                "run",
                "--data-dir",
                data.toString(),
                "--broker-port",
                "0",
                "--metrics-listen",
                "127.0.0.1:" + PrometheusServer.freePort(),
                "--no-capture")
            .redirectOutput(dir.resolve("out").toFile())
            .redirectError(dir.resolve("err").toFile())
            .start();
    started.add(p);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(1);
    assertThat(Files.readAllLines(dir.resolve("err")))
        .singleElement()
        .asString()
        .matches(
            Pattern.quote("labwatch: error: the disk of " + data + " has ")
                + "6[34]"
                + Pattern.quote(
                    " MiB free; the embedded broker needs at least "
                        + RESERVE / MIB
                        + " MiB: free some space (or point dataDir elsewhere)"));
    assertThat(Files.readString(dir.resolve("out"))).isEmpty();
  }

  private Path tmpfs(String name, int mib) throws Exception {
    Path mount = Files.createDirectory(dir.resolve(name));
    assertThat(run("mount", "-t", "tmpfs", "-o", "size=" + mib + "m", "tmpfs", mount.toString()))
        .as("mount a %d MiB tmpfs", mib)
        .isZero();
    mounts.add(mount);
    return mount;
  }

  /**
   * Takes all the free space but what labwatch writes meanwhile: the broker writes while this
   * measures, so a file of exactly the free space may no longer fit; a little less is tried then.
   */
  private static Path fillToTheLastBytes(Path data) throws Exception {
    Path filler = data.resolve("filler");
    for (int attempt = 0; attempt < 20; attempt++) {
      long bytes = Files.getFileStore(data).getUsableSpace() - attempt * 64L * 1024;
      if (bytes > 0 && run("fallocate", "-l", Long.toString(bytes), filler.toString()) == 0) {
        return filler;
      }
      Files.deleteIfExists(filler);
    }
    throw new AssertionError("could not fill " + data);
  }

  private static Path fill(Path data, long bytes) throws Exception {
    Path filler = data.resolve("filler");
    assertThat(run("fallocate", "-l", Long.toString(bytes), filler.toString())).isZero();
    return filler;
  }

  private Process labwatch(Path data, int metricsPort, Map<String, String> env) throws Exception {
    iface = "lwfd" + ThreadLocalRandom.current().nextInt(100_000);
    String peer = iface + "p";
    assertThat(run("ip", "link", "add", iface, "type", "veth", "peer", "name", peer)).isZero();
    for (String i : List.of(iface, peer)) {
      run("sysctl", "-qw", "net.ipv6.conf." + i + ".disable_ipv6=1");
      assertThat(run("ip", "link", "set", i, "up")).isZero();
    }
    sender = Pcaps.getDevByName(peer).openLive(65536, PromiscuousMode.NONPROMISCUOUS, 10);
    ProcessBuilder pb =
        new ProcessBuilder(
                java(),
                "-jar",
                JAR.toString(),
                "run",
                "--data-dir",
                data.toString(),
                "--broker-port",
                "0",
                "--iface",
                iface,
                "--metrics-listen",
                "127.0.0.1:" + metricsPort)
            .redirectOutput(dir.resolve("out").toFile())
            .redirectError(dir.resolve("err").toFile());
    pb.environment().putAll(env);
    Process p = pb.start();
    started.add(p);
    return p;
  }

  private void awaitReady(Process p) {
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(200))
        .failFast("labwatch exited", () -> !p.isAlive())
        .until(() -> Files.readString(dir.resolve("out")).contains("ready in"));
  }

  /** Two MACs answer for {@code ip}, back and forth. */
  private void conflict(IpAddress ip) throws Exception {
    for (int i = 0; i < 6; i++) {
      send(reply(ip, i % 2 == 0 ? SERVER : ROUTER));
      Thread.sleep(50); // replies a little apart, as two real hosts' are
    }
  }

  private void awaitFiring(int metricsPort, String ip) {
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () ->
                assertThat(scrape(metricsPort))
                    .as("labwatch's output:%n%s%n%s", tail("out"), tail("err"))
                    .containsPattern(firing(ip)));
  }

  /** The end of one of labwatch's output files, for a failure's message. */
  private String tail(String file) throws IOException {
    Path p = dir.resolve(file);
    if (!Files.exists(p)) {
      return "(no " + file + ")";
    }
    List<String> all = Files.readAllLines(p);
    return String.join("\n", all.subList(Math.max(0, all.size() - 60), all.size()));
  }

  private static Pattern firing(String ip) {
    return Pattern.compile(
        "labwatch_alert_firing\\{kind=\"IP_CONFLICT\",[^}]*subject=\"" + Pattern.quote(ip) + "\"");
  }

  private static long dropped(int metricsPort) throws Exception {
    Matcher m =
        Pattern.compile(
                "labwatch_arp_observations_dropped_total\\{reason=\"disk_full\"} ([0-9.E]+)")
            .matcher(scrape(metricsPort));
    return m.find() ? (long) Double.parseDouble(m.group(1)) : 0;
  }

  /** An ARP reply "ip is at mac", to the client. */
  private static byte[] reply(IpAddress ip, MacAddress mac) {
    byte[] f = new byte[60];
    byte[] sender = mac.toBytes();
    System.arraycopy(CLIENT.toBytes(), 0, f, 0, 6);
    System.arraycopy(sender, 0, f, 6, 6);
    f[12] = 0x08;
    f[13] = 0x06;
    f[15] = 1; // Ethernet
    f[16] = 0x08; // IPv4
    f[18] = 6;
    f[19] = 4;
    f[21] = 2; // reply
    System.arraycopy(sender, 0, f, 22, 6);
    System.arraycopy(ip.toBytes(), 0, f, 28, 4);
    System.arraycopy(CLIENT.toBytes(), 0, f, 32, 6);
    System.arraycopy(CLIENT_IP.toBytes(), 0, f, 38, 4);
    return f;
  }

  private void send(byte[] frame) throws Exception {
    sender.sendPacket(frame);
  }

  private List<String> lines(String file, String prefix) throws IOException {
    Path p = dir.resolve(file);
    return Files.exists(p)
        ? Files.readAllLines(p).stream().filter(l -> l.startsWith(prefix)).toList()
        : List.of();
  }

  private static String healthy(int port) throws Exception {
    HttpResponse<String> r = get(port, "/-/healthy");
    return r.statusCode() + " " + r.body();
  }

  private static String scrape(int port) throws Exception {
    return get(port, "/metrics").body();
  }

  private static HttpResponse<String> get(int port, String path) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  private static int run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return -1;
    }
    if (p.exitValue() != 0) {
      System.err.println(String.join(" ", command) + ": " + out.trim());
    }
    return p.exitValue();
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}
