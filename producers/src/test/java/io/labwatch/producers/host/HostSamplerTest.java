package io.labwatch.producers.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.labwatch.events.HostMetrics;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The sampler on this machine, each value against an independent reading of the kernel's own files
 * (/proc, /sys) taken just before and just after the sample: a counter must lie between the two, a
 * gauge near them.
 */
class HostSamplerTest {

  private static final Path PROC = Path.of("/proc");

  @TempDir Path dir;

  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Logger skipsLog = (Logger) LoggerFactory.getLogger(Skips.class);

  @BeforeAll
  static void linuxOnly() {
    assumeTrue(Files.isReadable(PROC.resolve("stat")), "reads the kernel's /proc (Linux)");
  }

  @BeforeEach
  void captureLogs() {
    logs.start();
    skipsLog.addAppender(logs);
  }

  @AfterEach
  void stopCapturing() {
    skipsLog.detachAppender(logs);
  }

  private static HostSampler sampler(Skips skips) {
    return new HostSampler("lab-host", null, skips);
  }

  @Test
  void countersLieBetweenTheKernelsOwnReadingsBeforeAndAfter() throws IOException {
    HostSampler sampler = sampler(new Skips());
    sampler.sample(Instant.now()); // the second sample updates the devices OSHI listed in the first
    Map<String, long[]> disksBefore = diskstats();
    Map<String, Map<String, Long>> netBefore = netStatistics();
    Map<String, Long> tcpBefore = snmpTcp();
    Map<String, Long> extBefore = HostSampler.section(read("net/netstat"), "TcpExt");
    double uptimeBefore = Double.parseDouble(read("uptime").split("\\s+")[0]);

    HostMetrics m = sampler.sample(Instant.now());

    Map<String, long[]> disksAfter = diskstats();
    Map<String, Map<String, Long>> netAfter = netStatistics();
    Map<String, Long> tcpAfter = snmpTcp();
    Map<String, Long> extAfter = HostSampler.section(read("net/netstat"), "TcpExt");
    double uptimeAfter = Double.parseDouble(read("uptime").split("\\s+")[0]);

    assertThat(m.sensorId()).isEqualTo("lab-host");
    assertThat(m.uptimeSeconds()).isBetween((long) uptimeBefore - 1, (long) uptimeAfter + 1);

    assertThat(m.disks()).as("block devices").isNotEmpty();
    for (HostMetrics.Disk d : m.disks()) {
      String name = d.name().replaceFirst("^/dev/", "");
      long[] b = disksBefore.get(name);
      long[] a = disksAfter.get(name);
      assertThat(b).as("%s in /proc/diskstats", name).isNotNull();
      assertThat(d.reads()).as(name + " reads").isBetween(b[3], a[3]);
      assertThat(d.readBytes()).as(name + " read bytes").isBetween(b[5] * 512, a[5] * 512);
      assertThat(d.writes()).as(name + " writes").isBetween(b[7], a[7]);
      assertThat(d.writeBytes()).as(name + " written bytes").isBetween(b[9] * 512, a[9] * 512);
      assertThat(d.busyMs()).as(name + " io_ticks").isBetween(b[12], a[12]);
    }

    assertThat(m.interfaces()).extracting(HostMetrics.NetInterface::name).contains("lo");
    for (HostMetrics.NetInterface n : m.interfaces()) {
      Map<String, Long> b = netBefore.get(n.name());
      Map<String, Long> a = netAfter.get(n.name());
      assertThat(b).as("/sys/class/net/%s/statistics", n.name()).isNotNull();
      assertThat(n.rxBytes())
          .as(n.name() + " rx_bytes")
          .isBetween(b.get("rx_bytes"), a.get("rx_bytes"));
      assertThat(n.txBytes())
          .as(n.name() + " tx_bytes")
          .isBetween(b.get("tx_bytes"), a.get("tx_bytes"));
      assertThat(n.rxPackets()).isBetween(b.get("rx_packets"), a.get("rx_packets"));
      assertThat(n.txPackets()).isBetween(b.get("tx_packets"), a.get("tx_packets"));
      assertThat(n.rxErrors()).isBetween(b.get("rx_errors"), a.get("rx_errors"));
      assertThat(n.txErrors()).isBetween(b.get("tx_errors"), a.get("tx_errors"));
      assertThat(n.rxDrops()).isBetween(b.get("rx_dropped"), a.get("rx_dropped"));
      assertThat(n.txDrops()).isBetween(b.get("tx_dropped"), a.get("tx_dropped"));
    }

    HostMetrics.Tcp tcp = m.tcp();
    assertThat(tcp).isNotNull();
    assertThat(tcp.segmentsRetransmitted())
        .isBetween(tcpBefore.get("RetransSegs"), tcpAfter.get("RetransSegs"));
    assertThat(tcp.segmentsSent()).isBetween(tcpBefore.get("OutSegs"), tcpAfter.get("OutSegs"));
    assertThat(tcp.listenOverflows())
        .isBetween(extBefore.get("ListenOverflows"), extAfter.get("ListenOverflows"));
    assertThat(tcp.listenDrops())
        .isBetween(extBefore.get("ListenDrops"), extAfter.get("ListenDrops"));
    assertThat(skipsSaid()).as("nothing left out on this machine but what it lacks").isEmpty();
  }

  @Test
  void gaugesAgreeWithProcLoadavgMeminfoAndStatvfs() throws IOException {
    HostSampler sampler = sampler(new Skips());
    String[] loadBefore = read("loadavg").split("\\s+");
    long procsBefore = processCount();

    HostMetrics m = sampler.sample(Instant.now());

    String[] loadAfter = read("loadavg").split("\\s+");
    long procsAfter = processCount();
    Map<String, Long> meminfo = meminfo();

    // the kernel updates the load averages every 5 s: the sample is one of the two readings
    assertThat(m.load().one())
        .isBetween(lower(loadBefore[0], loadAfter[0]), upper(loadBefore[0], loadAfter[0]));
    assertThat(m.load().five())
        .isBetween(lower(loadBefore[1], loadAfter[1]), upper(loadBefore[1], loadAfter[1]));
    assertThat(m.load().fifteen())
        .isBetween(lower(loadBefore[2], loadAfter[2]), upper(loadBefore[2], loadAfter[2]));

    long total = meminfo.get("MemTotal");
    assertThat(m.memory().totalBytes()).isEqualTo(total);
    assertThat(m.memory().swapTotalBytes()).isEqualTo(meminfo.get("SwapTotal"));
    // memory moves while builds run beside the test: within 5 % of the box
    assertThat(m.memory().availableBytes())
        .isCloseTo(meminfo.get("MemAvailable"), within(total / 20));
    assertThat(m.memory().swapUsedBytes())
        .isCloseTo(meminfo.get("SwapTotal") - meminfo.get("SwapFree"), within(total / 20));

    assertThat(m.processes())
        .isBetween(
            (int) Math.min(procsBefore, procsAfter) * 9 / 10 - 10,
            (int) Math.max(procsBefore, procsAfter) * 11 / 10 + 10);

    HostMetrics.FileSystem root =
        m.fileSystems().stream().filter(f -> f.mount().equals("/")).findFirst().orElseThrow();
    assertThat(root.totalBytes()).isEqualTo(Files.getFileStore(Path.of("/")).getTotalSpace());
    assertThat(root.freeBytes()).isLessThanOrEqualTo(root.totalBytes());
    assertThat(m.fileSystems())
        .extracting(HostMetrics.FileSystem::type)
        .doesNotContain("tmpfs", "proc", "sysfs");

    // the next samples read the sizes of the same file systems with statvfs, not OSHI's listing
    HostMetrics next = sampler.sample(Instant.now());
    assertThat(next.fileSystems())
        .extracting(HostMetrics.FileSystem::mount, HostMetrics.FileSystem::device)
        .containsExactlyElementsOf(
            m.fileSystems().stream().map(f -> tuple(f.mount(), f.device())).toList());
    HostMetrics.FileSystem rootAgain =
        next.fileSystems().stream().filter(f -> f.mount().equals("/")).findFirst().orElseThrow();
    FileStore store = Files.getFileStore(Path.of("/"));
    assertThat(rootAgain.totalBytes()).isEqualTo(store.getTotalSpace());
    assertThat(rootAgain.type()).isEqualTo(root.type());
    assertThat(rootAgain.totalInodes()).isEqualTo(root.totalInodes());
    // builds write beside the test: within 1 % of the disk
    assertThat(rootAgain.usableBytes())
        .isCloseTo(store.getUsableSpace(), within(store.getTotalSpace() / 100));
    assertThat(rootAgain.freeBytes())
        .isCloseTo(store.getUnallocatedSpace(), within(store.getTotalSpace() / 100));
  }

  @Test
  void cpuBurnersShowAsUserTimeInTheUtilisationAndItAgreesWithProcStat() throws Exception {
    HostSampler sampler = sampler(new Skips());
    int cores = cpuLines();
    long[] statBefore = procStatCpu();
    sampler.prime();

    // two threads that each burn a second of CPU time (measured by the JVM, not by the clock)
    int burners = Math.min(2, cores);
    AtomicLong burnedNanos = new AtomicLong();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < burners; i++) {
      Thread t = new Thread(() -> burnedNanos.addAndGet(burn(1_000_000_000L)), "burner-" + i);
      t.start();
      threads.add(t);
    }
    for (Thread t : threads) {
      t.join();
    }
    HostMetrics m = sampler.sample(Instant.now());
    long[] statAfter = procStatCpu();

    HostMetrics.Cpu cpu = m.cpu();
    assertThat(cpu).as("the second reading gives utilisation").isNotNull();
    assertThat(cpu.cores()).hasSize(cores);
    // the burners' CPU time is user time: at least that share of all the cores' time in the
    // window (whatever else ran beside them only adds to it); jiffies make it approximate
    double burnedShare = burnedNanos.get() / 1e6 / (cores * (double) cpu.windowMs());
    assertThat(cpu.total().user()).isGreaterThanOrEqualTo(burnedShare * 0.8);
    assertThat(cpu.total().busy()).isGreaterThanOrEqualTo(cpu.total().user() - 1e-9);
    // and the kernel's own /proc/stat over (nearly) the same window says the same
    assertThat(cpu.total().busy()).isCloseTo(busyShare(statBefore, statAfter), within(0.1));
    for (HostMetrics.Usage core : cpu.cores()) {
      assertThat(core.user() + core.system() + core.iowait() + core.steal())
          .isLessThanOrEqualTo(1.0 + 1e-9);
    }
  }

  @Test
  void theFirstSampleHasNoCpuWindowAndTheSecondHasOne() {
    HostSampler sampler = sampler(new Skips());

    assertThat(sampler.sample(Instant.now()).cpu()).isNull();
    burn(500_000_000L); // more than OSHI keeps a tick reading (its memoizer's 300 ms)
    assertThat(sampler.sample(Instant.now()).cpu()).isNotNull();
    assertThat(skipsSaid()).isEmpty();
  }

  @Test
  void missingListenQueueCountersAreLeftOutAndSaidOnceWhileOshisTcpCountersStay()
      throws IOException {
    Path netstat = Files.writeString(dir.resolve("netstat"), "IpExt: InOctets\nIpExt: 12\n");
    HostSampler sampler =
        new HostSampler("lab-host", null, new Skips(), netstat, Path.of("/sys/class/net"));

    HostMetrics first = sampler.sample(Instant.now());
    HostMetrics second = sampler.sample(Instant.now());

    assertThat(first.tcp().listenOverflows()).isNull();
    assertThat(second.tcp().listenDrops()).isNull();
    assertThat(second.tcp().segmentsSent()).isPositive();
    assertThat(skipsSaid())
        .singleElement()
        .asString()
        .contains("tcp listen-queue counters left out")
        .contains("has no TcpExt: ListenOverflows / ListenDrops");
  }

  @Test
  void aMissingProcFileAndAMissingSysDirAreEachOneLineNeverAFailure() {
    HostSampler sampler =
        new HostSampler(
            "lab-host", null, new Skips(), dir.resolve("no-netstat"), dir.resolve("no-sys"));

    for (int i = 0; i < 3; i++) {
      HostMetrics m = sampler.sample(Instant.now());
      assertThat(m.interfaces()).isNotEmpty().allSatisfy(n -> assertThat(n.txDrops()).isNull());
    }

    List<String> said = skipsSaid();
    assertThat(said).filteredOn(s -> s.contains("tcp listen-queue counters")).hasSize(1);
    assertThat(said).filteredOn(s -> s.contains("interfaces' send drops")).hasSize(1);
    assertThat(said).allMatch(s -> s.contains("said once"));
  }

  @Test
  void aPartThatThrowsIsLeftOutWithOneLine() {
    Skips skips = new Skips();

    for (int i = 0; i < 3; i++) {
      assertThat(
              skips.<Object>read(
                  "sensors",
                  () -> {
                    throw new UnsupportedOperationException("not on this kernel");
                  }))
          .isNull();
    }

    assertThat(skipsSaid())
        .containsExactly(
            "host metrics: sensors left out (UnsupportedOperationException: not on this kernel);"
                + " said once");
  }

  @Test
  void sectionsOfProcNetFilesAreReadByName() {
    String text =
        "TcpExt: SyncookiesSent ListenOverflows ListenDrops\n"
            + "TcpExt: 0 17 23\n"
            + "IpExt: InNoRoutes\n"
            + "IpExt: 5\n";

    assertThat(HostSampler.section(text, "TcpExt"))
        .containsEntry("ListenOverflows", 17L)
        .containsEntry("ListenDrops", 23L)
        .doesNotContainKey("InNoRoutes");
    assertThat(HostSampler.section(text, "Tcp")).isEmpty();
  }

  @Test
  void utilisationIsTheShareOfEachKindOfTick() {
    // user nice system idle iowait irq softirq steal
    long[] before = {100, 0, 50, 1000, 10, 0, 0, 0};
    long[] after = {160, 20, 70, 1060, 30, 5, 5, 10};

    HostMetrics.Usage u = HostSampler.usage(before, after);

    // 200 ticks: 80 user+nice, 30 system+irq+softirq, 60 idle, 20 iowait, 10 steal
    assertThat(u).isEqualTo(new HostMetrics.Usage(0.6, 0.4, 0.15, 0.1, 0.05));
    assertThat(HostSampler.usage(after, after)).as("no time passed").isNull();
  }

  // ---- independent readings

  private List<String> skipsSaid() {
    return logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
  }

  private static long burn(long cpuNanos) {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    long start = mx.getCurrentThreadCpuTime();
    long x = 0;
    while (mx.getCurrentThreadCpuTime() - start < cpuNanos) {
      for (int i = 0; i < 100_000; i++) {
        x += i * 31L ^ x;
      }
    }
    if (x == 42) {
      System.err.print(""); // keeps the loop from being optimised away
    }
    return mx.getCurrentThreadCpuTime() - start;
  }

  private static double lower(String a, String b) {
    return Math.min(Double.parseDouble(a), Double.parseDouble(b)) - 0.01;
  }

  private static double upper(String a, String b) {
    return Math.max(Double.parseDouble(a), Double.parseDouble(b)) + 0.01;
  }

  private static String read(String procFile) throws IOException {
    return Files.readString(PROC.resolve(procFile), StandardCharsets.US_ASCII);
  }

  /** /proc/diskstats by device name: the fields as the kernel gives them (name at 2). */
  private static Map<String, long[]> diskstats() throws IOException {
    Map<String, long[]> out = new HashMap<>();
    for (String line : read("diskstats").split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length < 14) {
        continue;
      }
      long[] v = new long[f.length];
      for (int i = 3; i < f.length; i++) {
        v[i] = Long.parseLong(f[i]);
      }
      out.put(f[2], v);
    }
    return out;
  }

  private static Map<String, Map<String, Long>> netStatistics() throws IOException {
    Map<String, Map<String, Long>> out = new HashMap<>();
    try (Stream<Path> ifaces = Files.list(Path.of("/sys/class/net"))) {
      for (Path iface : ifaces.toList()) {
        Map<String, Long> stats = new HashMap<>();
        for (String s :
            List.of(
                "rx_bytes",
                "tx_bytes",
                "rx_packets",
                "tx_packets",
                "rx_errors",
                "tx_errors",
                "rx_dropped",
                "tx_dropped")) {
          stats.put(
              s, Long.parseLong(Files.readString(iface.resolve("statistics").resolve(s)).trim()));
        }
        out.put(iface.getFileName().toString(), stats);
      }
    }
    return out;
  }

  private static Map<String, Long> snmpTcp() throws IOException {
    return HostSampler.section(read("net/snmp"), "Tcp");
  }

  private static Map<String, Long> meminfo() throws IOException {
    Map<String, Long> out = new HashMap<>();
    for (String line : read("meminfo").split("\n")) {
      String[] f = line.split(":\\s+|\\s+");
      if (f.length >= 2) {
        long v = Long.parseLong(f[1]);
        out.put(f[0], line.endsWith("kB") ? v * 1024 : v);
      }
    }
    return out;
  }

  private static long processCount() throws IOException {
    try (Stream<Path> entries = Files.list(PROC)) {
      return entries.filter(p -> p.getFileName().toString().matches("\\d+")).count();
    }
  }

  private static int cpuLines() throws IOException {
    return (int) read("stat").lines().filter(l -> l.matches("cpu\\d+ .*")).count();
  }

  /** /proc/stat's "cpu" line: user nice system idle iowait irq softirq steal. */
  private static long[] procStatCpu() throws IOException {
    String line = read("stat").lines().filter(l -> l.startsWith("cpu ")).findFirst().orElseThrow();
    String[] f = line.trim().split("\\s+");
    long[] v = new long[8];
    for (int i = 0; i < 8; i++) {
      v[i] = Long.parseLong(f[i + 1]);
    }
    return v;
  }

  private static double busyShare(long[] before, long[] after) {
    long total = 0;
    long[] d = new long[8];
    for (int i = 0; i < 8; i++) {
      d[i] = after[i] - before[i];
      total += d[i];
    }
    return (double) (total - d[3] - d[4]) / total;
  }
}
