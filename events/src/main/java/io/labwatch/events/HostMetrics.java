package io.labwatch.events;

import java.time.Instant;
import java.util.List;

/**
 * One sample of a server's own metrics, as the host sensor read them from its kernel (and from
 * {@code nvidia-smi} for GPUs).
 *
 * <p>Published to {@code labwatch.host} with {@link #sensorId()} (the host name) as key and {@link
 * #eventTime()} (the sample time) as the record timestamp.
 *
 * <p>Counters are raw — monotonic since boot, as the kernel keeps them, never rates — so that the
 * topology computes rates between two samples and can tell a reboot (counters back near zero,
 * {@link #uptimeSeconds()} smaller) from traffic. Gauges (memory, load, file system space, GPU) are
 * values at the sample time. CPU utilisation is the one exception: it is the share of CPU time
 * between this sample and the sensor's previous one ({@link Cpu#windowMs()}), as the kernel counts
 * CPU time in ticks that only mean something as a difference.
 *
 * <p>A part the sensor could not read on this host (no swap, no GPU, a field missing in a
 * container) is null, or an empty list; a reader treats that as "not known", never as zero.
 *
 * @param v schema major version
 * @param eventTime when the sample was taken
 * @param sensorId the host's name
 * @param uptimeSeconds seconds since the host booted
 * @param processes processes running on the host
 * @param cpu CPU utilisation since the previous sample
 * @param load the load averages
 * @param memory memory and swap
 * @param disks block devices' IO counters
 * @param fileSystems local file systems' space
 * @param interfaces network interfaces' counters
 * @param tcp the kernel's TCP counters
 * @param gpus NVIDIA GPUs (empty when the host has none, or no {@code nvidia-smi})
 */
public record HostMetrics(
    int v,
    Instant eventTime,
    String sensorId,
    Long uptimeSeconds,
    Integer processes,
    Cpu cpu,
    Load load,
    Memory memory,
    List<Disk> disks,
    List<FileSystem> fileSystems,
    List<NetInterface> interfaces,
    Tcp tcp,
    List<Gpu> gpus)
    implements SensorEvent {

  private static final String TYPE = "HostMetrics";

  public HostMetrics {
    Schema.checkVersion(v, TYPE);
    Schema.required(eventTime, TYPE, "eventTime");
    Schema.requiredText(sensorId, TYPE, "sensorId");
    nonNegative(uptimeSeconds, TYPE, "uptimeSeconds");
    if (processes != null) {
      Schema.nonNegative(processes, TYPE, "processes");
    }
    disks = Schema.list(disks);
    fileSystems = Schema.list(fileSystems);
    interfaces = Schema.list(interfaces);
    gpus = Schema.list(gpus);
  }

  /** A sample in the current schema version. */
  public HostMetrics(
      Instant eventTime,
      String sensorId,
      Long uptimeSeconds,
      Integer processes,
      Cpu cpu,
      Load load,
      Memory memory,
      List<Disk> disks,
      List<FileSystem> fileSystems,
      List<NetInterface> interfaces,
      Tcp tcp,
      List<Gpu> gpus) {
    this(
        Schema.V1,
        eventTime,
        sensorId,
        uptimeSeconds,
        processes,
        cpu,
        load,
        memory,
        disks,
        fileSystems,
        interfaces,
        tcp,
        gpus);
  }

  /**
   * CPU utilisation over a window: each share is a fraction of the CPU time in the window, 0..1.
   *
   * @param windowMs the window's length: from the sensor's previous sample to this one
   * @param total all logical processors together
   * @param cores each logical processor, in the kernel's order ({@code cpu0}, {@code cpu1}, ...)
   */
  public record Cpu(long windowMs, Usage total, List<Usage> cores) {
    public Cpu {
      if (windowMs <= 0) {
        throw new IllegalArgumentException(TYPE + ".cpu: 'windowMs' must be > 0, got " + windowMs);
      }
      Schema.required(total, TYPE + ".cpu", "total");
      cores = Schema.list(cores);
    }
  }

  /**
   * Shares of CPU time, each 0..1.
   *
   * @param busy everything but idle and iowait
   * @param user user and nice (user space)
   * @param system system, irq and softirq (the kernel)
   * @param iowait idle with IO outstanding
   * @param steal taken by the hypervisor for other guests
   */
  public record Usage(double busy, double user, double system, double iowait, double steal) {
    public Usage {
      share(busy, "busy");
      share(user, "user");
      share(system, "system");
      share(iowait, "iowait");
      share(steal, "steal");
    }
  }

  /** Load averages over 1, 5 and 15 minutes (runnable and uninterruptible tasks). */
  public record Load(double one, double five, double fifteen) {
    public Load {
      gauge(one, TYPE + ".load", "one");
      gauge(five, TYPE + ".load", "five");
      gauge(fifteen, TYPE + ".load", "fifteen");
    }
  }

  /**
   * Memory and swap.
   *
   * @param totalBytes physical memory
   * @param availableBytes memory available to new work without swapping ({@code MemAvailable})
   * @param swapTotalBytes swap space, 0 when there is none
   * @param swapUsedBytes swap in use
   * @param swapInPages pages swapped in since boot (counter)
   * @param swapOutPages pages swapped out since boot (counter)
   */
  public record Memory(
      long totalBytes,
      long availableBytes,
      long swapTotalBytes,
      long swapUsedBytes,
      Long swapInPages,
      Long swapOutPages) {
    public Memory {
      String where = TYPE + ".memory";
      Schema.nonNegative(totalBytes, where, "totalBytes");
      Schema.nonNegative(availableBytes, where, "availableBytes");
      Schema.nonNegative(swapTotalBytes, where, "swapTotalBytes");
      Schema.nonNegative(swapUsedBytes, where, "swapUsedBytes");
      nonNegative(swapInPages, where, "swapInPages");
      nonNegative(swapOutPages, where, "swapOutPages");
    }
  }

  /**
   * One block device's IO counters since boot ({@code /proc/diskstats}).
   *
   * @param name the device ({@code /dev/sda}, {@code /dev/nvme0n1})
   * @param reads reads completed
   * @param readBytes bytes read
   * @param writes writes completed
   * @param writeBytes bytes written
   * @param busyMs milliseconds the device had IO in flight ({@code io_ticks}): its rate is the
   *     device's utilisation
   * @param queueLength IO in flight at the sample time (a gauge)
   */
  public record Disk(
      String name,
      long reads,
      long readBytes,
      long writes,
      long writeBytes,
      long busyMs,
      long queueLength) {
    public Disk {
      String where = TYPE + ".disks";
      Schema.requiredText(name, where, "name");
      Schema.nonNegative(reads, where, "reads");
      Schema.nonNegative(readBytes, where, "readBytes");
      Schema.nonNegative(writes, where, "writes");
      Schema.nonNegative(writeBytes, where, "writeBytes");
      Schema.nonNegative(busyMs, where, "busyMs");
      Schema.nonNegative(queueLength, where, "queueLength");
    }
  }

  /**
   * One mounted local file system's space.
   *
   * @param mount where it is mounted
   * @param device what is mounted there ({@code /dev/sda1})
   * @param type its type ({@code ext4})
   * @param totalBytes its size
   * @param freeBytes free space, including what only root may use
   * @param usableBytes free space an ordinary user may use
   * @param totalInodes inodes; null when the file system has no fixed number
   * @param freeInodes free inodes; null likewise
   */
  public record FileSystem(
      String mount,
      String device,
      String type,
      long totalBytes,
      long freeBytes,
      long usableBytes,
      Long totalInodes,
      Long freeInodes) {
    public FileSystem {
      String where = TYPE + ".fileSystems";
      Schema.requiredText(mount, where, "mount");
      Schema.nonNegative(totalBytes, where, "totalBytes");
      Schema.nonNegative(freeBytes, where, "freeBytes");
      Schema.nonNegative(usableBytes, where, "usableBytes");
      nonNegative(totalInodes, where, "totalInodes");
      nonNegative(freeInodes, where, "freeInodes");
    }
  }

  /**
   * One network interface's counters since it appeared.
   *
   * @param name the interface ({@code eth0})
   * @param rxBytes bytes received
   * @param txBytes bytes sent
   * @param rxPackets packets received
   * @param txPackets packets sent
   * @param rxErrors receive errors
   * @param txErrors send errors
   * @param rxDrops received packets dropped (no buffer, unknown protocol, ...)
   * @param txDrops packets dropped before sending; null when not known
   * @param addresses the interface's own unicast addresses (IPv4 and IPv6), so that what is known
   *     of an address (a probe's failures, an IP conflict) can be told next to this host's load;
   *     empty when not known (and in samples of schema 1.0, which did not carry them)
   */
  public record NetInterface(
      String name,
      long rxBytes,
      long txBytes,
      long rxPackets,
      long txPackets,
      long rxErrors,
      long txErrors,
      long rxDrops,
      Long txDrops,
      List<IpAddress> addresses) {
    public NetInterface {
      addresses = Schema.list(addresses);
      String where = TYPE + ".interfaces";
      Schema.requiredText(name, where, "name");
      Schema.nonNegative(rxBytes, where, "rxBytes");
      Schema.nonNegative(txBytes, where, "txBytes");
      Schema.nonNegative(rxPackets, where, "rxPackets");
      Schema.nonNegative(txPackets, where, "txPackets");
      Schema.nonNegative(rxErrors, where, "rxErrors");
      Schema.nonNegative(txErrors, where, "txErrors");
      Schema.nonNegative(rxDrops, where, "rxDrops");
      nonNegative(txDrops, where, "txDrops");
    }
  }

  /**
   * The kernel's TCP counters since boot (IPv4 and IPv6 together, as Linux counts them); each null
   * when the kernel does not report it.
   *
   * @param segmentsSent segments sent ({@code Tcp: OutSegs})
   * @param segmentsRetransmitted segments sent again ({@code Tcp: RetransSegs})
   * @param inErrors segments received in error ({@code Tcp: InErrs})
   * @param listenOverflows times a listening socket's accept queue was full ({@code TcpExt:
   *     ListenOverflows}): a server not accepting fast enough, e.g. an sshd that hangs
   * @param listenDrops connection attempts a listening socket dropped, for any reason ({@code
   *     TcpExt: ListenDrops})
   */
  public record Tcp(
      Long segmentsSent,
      Long segmentsRetransmitted,
      Long inErrors,
      Long listenOverflows,
      Long listenDrops) {
    public Tcp {
      String where = TYPE + ".tcp";
      nonNegative(segmentsSent, where, "segmentsSent");
      nonNegative(segmentsRetransmitted, where, "segmentsRetransmitted");
      nonNegative(inErrors, where, "inErrors");
      nonNegative(listenOverflows, where, "listenOverflows");
      nonNegative(listenDrops, where, "listenDrops");
    }
  }

  /**
   * One NVIDIA GPU, as {@code nvidia-smi} reported it; a value the driver does not support is null.
   *
   * @param index its index ({@code nvidia-smi}'s, 0...)
   * @param name its product name
   * @param uuid its UUID ({@code GPU-...}), stable across reboots and re-indexing
   * @param utilization share of the last sample period a kernel ran on it, 0..1
   * @param memoryUsedBytes memory in use
   * @param memoryTotalBytes its memory
   * @param temperatureC core temperature, °C
   * @param powerW power draw, W
   * @param eccErrorsUncorrected uncorrected ECC errors since the driver loaded (a counter)
   */
  public record Gpu(
      int index,
      String name,
      String uuid,
      Double utilization,
      Long memoryUsedBytes,
      Long memoryTotalBytes,
      Double temperatureC,
      Double powerW,
      Long eccErrorsUncorrected) {
    public Gpu {
      String where = TYPE + ".gpus";
      Schema.nonNegative(index, where, "index");
      Schema.requiredText(name, where, "name");
      if (utilization != null) {
        share(utilization, "utilization");
      }
      nonNegative(memoryUsedBytes, where, "memoryUsedBytes");
      nonNegative(memoryTotalBytes, where, "memoryTotalBytes");
      if (temperatureC != null && !Double.isFinite(temperatureC)) {
        throw new IllegalArgumentException(
            where + ": 'temperatureC' must be a number, got " + temperatureC);
      }
      if (powerW != null) {
        gauge(powerW, where, "powerW");
      }
      nonNegative(eccErrorsUncorrected, where, "eccErrorsUncorrected");
    }
  }

  private static void nonNegative(Long value, String type, String field) {
    if (value != null) {
      Schema.nonNegative(value, type, field);
    }
  }

  private static void share(double value, String field) {
    if (!(value >= 0 && value <= 1)) {
      throw new IllegalArgumentException(
          TYPE + ": '" + field + "' must be a share of 0..1, got " + value);
    }
  }

  private static void gauge(double value, String type, String field) {
    if (!(value >= 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(
          type + ": '" + field + "' must be a number >= 0, got " + value);
    }
  }
}
