package io.labwatch.producers.host;

import com.sun.jna.LastErrorException;
import com.sun.jna.platform.linux.LibC;
import io.labwatch.events.HostMetrics;
import io.labwatch.events.IpAddress;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import oshi.SystemInfo;
import oshi.driver.linux.proc.DiskStats;
import oshi.hardware.CentralProcessor;
import oshi.hardware.CentralProcessor.TickType;
import oshi.hardware.GlobalMemory;
import oshi.hardware.HWDiskStore;
import oshi.hardware.HardwareAbstractionLayer;
import oshi.hardware.NetworkIF;
import oshi.hardware.VirtualMemory;
import oshi.software.os.InternetProtocolStats;
import oshi.software.os.OSFileStore;
import oshi.software.os.OperatingSystem;

/**
 * Takes {@link HostMetrics} samples of this host, with OSHI for everything OSHI reads, the kernel's
 * {@code /proc/net/netstat} for the TCP listen-queue counters (OSHI has none) and {@code
 * /sys/class/net/IF/statistics/tx_dropped} for the send drops (nor those), and {@code nvidia-smi}
 * for GPUs.
 *
 * <p>OSHI's objects are made once and kept: making them reads a lot of the system. The disk,
 * interface and file-system lists are refreshed every {@link #REDISCOVER_EVERY} samples (and when
 * one disappears), so hot-plugged devices show up. CPU utilisation is the difference between this
 * sample's CPU ticks and the previous sample's (or {@link #prime()}'s): the first sample has none.
 *
 * <p>Not thread-safe: one sensor thread samples.
 */
final class HostSampler {

  /** The disk and interface lists are made anew this often (in samples). */
  static final int REDISCOVER_EVERY = 30;

  /**
   * File system types that are not storage: memory-backed ({@code tmpfs}), or read-only images that
   * are always full ({@code squashfs}: snaps).
   */
  private static final Set<String> NOT_STORAGE =
      Set.of("tmpfs", "devtmpfs", "ramfs", "squashfs", "iso9660", "overlay.lower");

  private final String hostName;
  private final NvidiaSmi nvidia;
  private final Path procNetNetstat;
  private final Path sysClassNet;
  private final Skips skips;

  private final OperatingSystem os;
  private final HardwareAbstractionLayer hal;
  private final CentralProcessor processor;
  private final GlobalMemory memory;
  private final InternetProtocolStats ip;

  private List<HWDiskStore> disks;
  private List<NetworkIF> interfaces;
  private List<HostMetrics.FileSystem> mounts;
  private int sinceDiscovery;

  private long[] lastTicks;
  private long[][] lastCoreTicks;
  private long lastTicksNanos;

  /**
   * A sampler of this host.
   *
   * @param hostName the name the samples carry
   * @param nvidia how GPUs are read; null for no GPU metrics
   */
  HostSampler(String hostName, NvidiaSmi nvidia, Skips skips) {
    this(hostName, nvidia, skips, Path.of("/proc/net/netstat"), Path.of("/sys/class/net"));
  }

  HostSampler(
      String hostName, NvidiaSmi nvidia, Skips skips, Path procNetNetstat, Path sysClassNet) {
    this.hostName = hostName;
    this.nvidia = nvidia;
    this.skips = skips;
    this.procNetNetstat = procNetNetstat;
    this.sysClassNet = sysClassNet;
    SystemInfo si = skips.read("every OSHI metric", SystemInfo::new);
    this.os = si == null ? null : skips.read("OS metrics", si::getOperatingSystem);
    this.hal = si == null ? null : skips.read("hardware metrics", si::getHardware);
    this.processor = hal == null ? null : skips.read("cpu and load", hal::getProcessor);
    this.memory = hal == null ? null : skips.read("memory", hal::getMemory);
    this.ip = os == null ? null : skips.read("tcp", os::getInternetProtocolStats);
  }

  /** Reads the CPU ticks only: the start of the first sample's CPU window. */
  void prime() {
    skips.read("cpu", () -> cpu(System.nanoTime()));
  }

  /** One sample, taken now; {@code at} is its event time. */
  HostMetrics sample(Instant at) {
    long now = System.nanoTime();
    HostMetrics.Cpu cpu = skips.read("cpu", () -> cpu(now));
    if (++sinceDiscovery >= REDISCOVER_EVERY) {
      disks = null;
      interfaces = null;
      mounts = null;
    }
    return new HostMetrics(
        at,
        hostName,
        skips.read("uptime", this::uptime),
        skips.read("process count", this::processes),
        cpu,
        skips.read("load averages", this::load),
        skips.read("memory", this::memory),
        orEmpty(skips.read("disks", this::disks)),
        orEmpty(skips.read("file systems", this::fileSystems)),
        orEmpty(skips.read("network interfaces", this::interfaces)),
        skips.read("tcp", this::tcp),
        nvidia == null ? List.of() : orEmpty(skips.read("gpus", nvidia::read)));
  }

  private static <T> List<T> orEmpty(List<T> list) {
    return list == null ? List.of() : list;
  }

  private <T> T need(T oshiPart) {
    if (oshiPart == null) {
      throw new Skips.Unavailable("OSHI cannot read it on this platform");
    }
    return oshiPart;
  }

  // ---- CPU

  private HostMetrics.Cpu cpu(long nowNanos) {
    CentralProcessor p = need(processor);
    long[] ticks = p.getSystemCpuLoadTicks();
    long[][] cores = p.getProcessorCpuLoadTicks();
    long[] before = lastTicks;
    long[][] coresBefore = lastCoreTicks;
    long windowMs = (nowNanos - lastTicksNanos) / 1_000_000;
    lastTicks = ticks;
    lastCoreTicks = cores;
    lastTicksNanos = nowNanos;
    if (before == null || windowMs <= 0) {
      return null; // the first sample: no window yet
    }
    HostMetrics.Usage total = usage(before, ticks);
    if (total == null) {
      return null;
    }
    List<HostMetrics.Usage> perCore = new ArrayList<>();
    if (coresBefore != null && coresBefore.length == cores.length) {
      for (int i = 0; i < cores.length; i++) {
        HostMetrics.Usage u = usage(coresBefore[i], cores[i]);
        if (u == null) {
          perCore = List.of(); // a core without ticks (offline): none rather than a wrong order
          break;
        }
        perCore.add(u);
      }
    }
    return new HostMetrics.Cpu(windowMs, total, perCore);
  }

  /** The shares of the CPU time between two tick readings; null when no time passed. */
  static HostMetrics.Usage usage(long[] before, long[] after) {
    if (before.length != after.length || after.length < TickType.values().length) {
      return null;
    }
    long[] d = new long[after.length];
    long total = 0;
    for (int i = 0; i < d.length; i++) {
      d[i] = Math.max(0, after[i] - before[i]); // a counter set back (hotplug) is no time
      total += d[i];
    }
    if (total <= 0) {
      return null;
    }
    long idle = d[TickType.IDLE.getIndex()];
    long iowait = d[TickType.IOWAIT.getIndex()];
    return new HostMetrics.Usage(
        share(total - idle - iowait, total),
        share(d[TickType.USER.getIndex()] + d[TickType.NICE.getIndex()], total),
        share(
            d[TickType.SYSTEM.getIndex()]
                + d[TickType.IRQ.getIndex()]
                + d[TickType.SOFTIRQ.getIndex()],
            total),
        share(iowait, total),
        share(d[TickType.STEAL.getIndex()], total));
  }

  private static double share(long part, long total) {
    return Math.min(1.0, Math.max(0.0, (double) part / total));
  }

  private HostMetrics.Load load() {
    double[] avg = need(processor).getSystemLoadAverage(3);
    if (avg.length < 3 || avg[0] < 0 || avg[1] < 0 || avg[2] < 0) {
      throw new Skips.Unavailable("the system reports no load averages");
    }
    return new HostMetrics.Load(avg[0], avg[1], avg[2]);
  }

  // ---- memory, processes, uptime

  private HostMetrics.Memory memory() {
    GlobalMemory m = need(memory);
    long total = m.getTotal();
    if (total <= 0) {
      throw new Skips.Unavailable("the system reports no memory size");
    }
    VirtualMemory vm = m.getVirtualMemory();
    return new HostMetrics.Memory(
        total,
        Math.max(0, m.getAvailable()),
        Math.max(0, vm.getSwapTotal()),
        Math.max(0, vm.getSwapUsed()),
        counter(vm.getSwapPagesIn()),
        counter(vm.getSwapPagesOut()));
  }

  private Integer processes() {
    int n = need(os).getProcessCount();
    if (n <= 0) {
      throw new Skips.Unavailable("the system reports no processes");
    }
    return n;
  }

  private Long uptime() {
    long s = need(os).getSystemUptime();
    if (s <= 0) {
      throw new Skips.Unavailable("the system reports no uptime");
    }
    return s;
  }

  private static Long counter(long value) {
    return value < 0 ? null : value;
  }

  // ---- disks, file systems, interfaces

  /**
   * The disks: listed by OSHI (through udev: which block devices are disks, their device names)
   * when the other lists are; their counters at every sample from OSHI's reader of {@code
   * /proc/diskstats} ({@link DiskStats}), the same numbers as {@link HWDiskStore#updateAttributes}
   * gives (the kernel's per-disk {@code stat}) for a thirtieth of the CPU: updateAttributes walks
   * every block device through udev again for each disk (3.7 ms a sample for two disks here, the
   * most expensive part of a sample). A disk missing from {@code /proc/diskstats} is read with
   * updateAttributes; one gone from both makes the list be made anew at the next sample.
   */
  private List<HostMetrics.Disk> disks() {
    boolean fresh = disks == null; // a new list holds this moment's values already
    if (fresh) {
      disks = need(hal).getDiskStores();
      sinceDiscovery = 0;
    }
    Map<String, Map<DiskStats.IoStat, Long>> stats = fresh ? Map.of() : diskStats();
    List<HostMetrics.Disk> out = new ArrayList<>();
    boolean gone = false;
    for (HWDiskStore d : disks) {
      Map<DiskStats.IoStat, Long> stat = stats.get(kernelName(d.getName()));
      if (!fresh && stat == null && !d.updateAttributes()) {
        gone = true;
        continue;
      }
      try {
        out.add(
            stat == null
                ? new HostMetrics.Disk(
                    d.getName(),
                    d.getReads(),
                    d.getReadBytes(),
                    d.getWrites(),
                    d.getWriteBytes(),
                    d.getTransferTime(),
                    Math.max(0, d.getCurrentQueueLength()))
                : new HostMetrics.Disk(
                    d.getName(),
                    stat.getOrDefault(DiskStats.IoStat.READS, 0L),
                    stat.getOrDefault(DiskStats.IoStat.READS_SECTOR, 0L) * SECTOR_BYTES,
                    stat.getOrDefault(DiskStats.IoStat.WRITES, 0L),
                    stat.getOrDefault(DiskStats.IoStat.WRITES_SECTOR, 0L) * SECTOR_BYTES,
                    stat.getOrDefault(DiskStats.IoStat.IO_MS, 0L),
                    Math.max(0, stat.getOrDefault(DiskStats.IoStat.IO_QUEUE_LENGTH, 0L))));
      } catch (IllegalArgumentException e) {
        skips.skip("disk " + d.getName(), e.getMessage());
      }
    }
    if (gone) {
      disks = null; // listed anew next sample
    }
    return out;
  }

  /** The kernel counts in 512-byte sectors whatever the disk's own sector size. */
  private static final long SECTOR_BYTES = 512;

  private Map<String, Map<DiskStats.IoStat, Long>> diskStats() {
    Map<String, Map<DiskStats.IoStat, Long>> stats =
        skips.read("disk counters from /proc/diskstats", DiskStats::getDiskStats);
    return stats == null ? Map.of() : stats;
  }

  /** {@code /dev/vda} → {@code vda}, the name /proc/diskstats knows it by. */
  static String kernelName(String devnode) {
    return devnode.substring(devnode.lastIndexOf('/') + 1);
  }

  /**
   * The file systems: listed by OSHI when the disk list is (it starts {@code lsblk} for the volume
   * labels, which cost more CPU than the rest of a sample), their sizes read with {@code statvfs}
   * at every sample in between. A mount point that no longer answers makes the list be made anew at
   * the next sample.
   */
  private List<HostMetrics.FileSystem> fileSystems() {
    if (mounts == null) {
      mounts = listFileSystems();
      return mounts;
    }
    List<HostMetrics.FileSystem> out = new ArrayList<>(mounts.size());
    for (HostMetrics.FileSystem fs : mounts) {
      HostMetrics.FileSystem now = statvfs(fs);
      if (now == null) {
        mounts = null; // listed anew next sample
        continue;
      }
      out.add(now);
    }
    return out;
  }

  /** {@code fs} with this moment's sizes; null when its mount point cannot be read. */
  private static HostMetrics.FileSystem statvfs(HostMetrics.FileSystem fs) {
    LibC.Statvfs v = new LibC.Statvfs();
    try {
      if (LibC.INSTANCE.statvfs(fs.mount(), v) != 0) {
        return null;
      }
    } catch (LastErrorException | LinkageError e) {
      return null;
    }
    long unit = v.f_frsize.longValue() > 0 ? v.f_frsize.longValue() : v.f_bsize.longValue();
    long files = v.f_files.longValue();
    return new HostMetrics.FileSystem(
        fs.mount(),
        fs.device(),
        fs.type(),
        Math.max(0, v.f_blocks.longValue() * unit),
        Math.max(0, v.f_bfree.longValue() * unit),
        Math.max(0, v.f_bavail.longValue() * unit),
        files > 0 ? files : null,
        files > 0 ? Math.max(0, v.f_ffree.longValue()) : null);
  }

  private List<HostMetrics.FileSystem> listFileSystems() {
    List<HostMetrics.FileSystem> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (OSFileStore fs : need(os).getFileSystem().getFileStores(true)) {
      String type = fs.getType() == null ? "" : fs.getType().toLowerCase(Locale.ROOT);
      if (NOT_STORAGE.contains(type) || fs.getTotalSpace() <= 0 || !seen.add(fs.getMount())) {
        continue;
      }
      try {
        out.add(
            new HostMetrics.FileSystem(
                fs.getMount(),
                fs.getVolume(),
                fs.getType(),
                fs.getTotalSpace(),
                Math.max(0, fs.getFreeSpace()),
                Math.max(0, fs.getUsableSpace()),
                fs.getTotalInodes() > 0 ? fs.getTotalInodes() : null,
                fs.getTotalInodes() > 0 ? Math.max(0, fs.getFreeInodes()) : null));
      } catch (IllegalArgumentException e) {
        skips.skip("file system " + fs.getMount(), e.getMessage());
      }
    }
    return out;
  }

  private List<HostMetrics.NetInterface> interfaces() {
    boolean fresh = interfaces == null;
    if (fresh) {
      interfaces = need(hal).getNetworkIFs(true);
      sinceDiscovery = 0;
    }
    List<HostMetrics.NetInterface> out = new ArrayList<>();
    boolean gone = false;
    for (NetworkIF n : interfaces) {
      if (!fresh && !n.updateAttributes()) {
        gone = true;
        continue;
      }
      try {
        out.add(
            new HostMetrics.NetInterface(
                n.getName(),
                n.getBytesRecv(),
                n.getBytesSent(),
                n.getPacketsRecv(),
                n.getPacketsSent(),
                n.getInErrors(),
                n.getOutErrors(),
                n.getInDrops(),
                txDrops(n.getName()),
                addresses(n)));
      } catch (IllegalArgumentException e) {
        skips.skip("interface " + n.getName(), e.getMessage());
      }
    }
    if (gone) {
      interfaces = null;
    }
    return out;
  }

  private static final IpAddress IPV6_LOOPBACK = IpAddress.of("::1");

  /** The interface's own addresses, as OSHI read them when it listed the interfaces. */
  private static List<IpAddress> addresses(NetworkIF n) {
    List<IpAddress> out = new ArrayList<>();
    for (String[] family : new String[][] {n.getIPv4addr(), n.getIPv6addr()}) {
      for (String a : family) {
        try {
          IpAddress ip = IpAddress.of(a.replaceFirst("%.*$", ""));
          byte[] b = ip.toBytes();
          boolean loopback = ip.isV4() ? b[0] == 127 : ip.equals(IPV6_LOOPBACK);
          boolean linkLocal = ip.isV6() && (b[0] & 0xFF) == 0xfe && (b[1] & 0xC0) == 0x80;
          if (!loopback && !linkLocal && !ip.isUnspecified()) {
            out.add(ip);
          }
        } catch (IllegalArgumentException e) {
          // (not an address: left out)
        }
      }
    }
    return out;
  }

  /** OSHI has no send drops: the kernel's counter, where there is one. */
  private Long txDrops(String iface) {
    if (iface.contains("/") || iface.startsWith(".")) {
      return null;
    }
    try {
      Path file = sysClassNet.resolve(iface).resolve("statistics").resolve("tx_dropped");
      long v = Long.parseLong(Files.readString(file, StandardCharsets.US_ASCII).trim());
      return v < 0 ? null : v;
    } catch (IOException | NumberFormatException e) {
      // one line for all interfaces: a box without the file has it for none
      skips.skip("interfaces' send drops", Skips.oneLine(e));
      return null;
    }
  }

  // ---- TCP

  private HostMetrics.Tcp tcp() {
    Long sent = null;
    Long retransmitted = null;
    Long inErrors = null;
    if (ip != null) {
      // Linux counts IPv4 and IPv6 segments together in "Tcp:" (its v6 stats are zero here);
      // elsewhere the two are apart
      InternetProtocolStats.TcpStats v4 = ip.getTCPv4Stats();
      InternetProtocolStats.TcpStats v6 = ip.getTCPv6Stats();
      sent = counter(v4.getSegmentsSent() + v6.getSegmentsSent());
      retransmitted = counter(v4.getSegmentsRetransmitted() + v6.getSegmentsRetransmitted());
      inErrors = counter(v4.getInErrors() + v6.getInErrors());
    }
    Map<String, Long> ext = skips.read("tcp listen-queue counters", this::tcpExt);
    Long overflows = ext == null ? null : ext.get("ListenOverflows");
    Long drops = ext == null ? null : ext.get("ListenDrops");
    if (ext != null && (overflows == null || drops == null)) {
      skips.skip(
          "tcp listen-queue counters",
          procNetNetstat + " has no TcpExt: ListenOverflows / ListenDrops");
    }
    if (sent == null && retransmitted == null && overflows == null && drops == null) {
      throw new Skips.Unavailable("neither OSHI nor " + procNetNetstat + " has TCP counters");
    }
    return new HostMetrics.Tcp(sent, retransmitted, inErrors, overflows, drops);
  }

  private Map<String, Long> tcpExt() {
    String text;
    try {
      text = Files.readString(procNetNetstat, StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      throw new Skips.Unavailable("no " + procNetNetstat);
    } catch (IOException e) {
      throw new Skips.Unavailable("cannot read " + procNetNetstat + ": " + Skips.oneLine(e));
    }
    return section(text, "TcpExt");
  }

  /**
   * One section of {@code /proc/net/netstat} or {@code /proc/net/snmp}: a line of names and a line
   * of values, both starting {@code Section:}. A value that is not a whole number is left out.
   */
  static Map<String, Long> section(String text, String name) {
    String prefix = name + ":";
    String[] names = null;
    Map<String, Long> out = new HashMap<>();
    for (String line : text.split("\n")) {
      if (!line.startsWith(prefix)) {
        continue;
      }
      String[] fields = line.substring(prefix.length()).trim().split("\\s+");
      if (names == null) {
        names = fields;
        continue;
      }
      for (int i = 0; i < Math.min(names.length, fields.length); i++) {
        try {
          long v = Long.parseLong(fields[i]);
          if (v >= 0) {
            out.put(names[i], v);
          }
        } catch (NumberFormatException e) {
          // not a counter: left out
        }
      }
      break;
    }
    return out;
  }
}
