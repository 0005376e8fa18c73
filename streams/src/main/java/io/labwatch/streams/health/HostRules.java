package io.labwatch.streams.health;

import io.labwatch.events.Alert;
import io.labwatch.events.HostMetrics;
import io.labwatch.events.IpAddress;
import io.labwatch.streams.HealthConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The load rules over one host's samples ({@code labwatch.host}, {@link HostMetrics}): a series per
 * metric (CPU, load per core, memory, swap-in, each disk's busy time, each GPU and its memory, each
 * interface's errors and drops), rates from the raw counters between two samples, and a {@code
 * LOAD_SPIKE} (or {@code INTERFACE_ERRORS}) per series that spikes against its baseline ({@link
 * Series}). It also says the host's {@link HostHealth}, for the incidents of its addresses: when
 * its spikes change, and once a minute with fresh numbers.
 */
public final class HostRules {

  public static final String LOAD_SPIKE = "LOAD_SPIKE";
  public static final String INTERFACE_ERRORS = "INTERFACE_ERRORS";

  /** A series without a sample for this long is forgotten (a disk taken out, a GPU gone). */
  static final long FORGET_MS = Duration.ofDays(1).toMillis();

  private final HealthConfig config;
  private final Series.Rules rules;

  public HostRules(HealthConfig config) {
    this.config = config;
    this.rules = config.rules();
  }

  /** What is kept of one host: its last counters, its series and their firing alerts. */
  public static final class HostState {
    public String host;
    public long lastAt;
    public Long uptime;
    public TreeMap<String, Long> counters = new TreeMap<>();
    public TreeMap<String, Series> series = new TreeMap<>();
    public TreeMap<String, Alert> firing = new TreeMap<>();

    /** What its last told health said (spikes, warm, addresses), and when (ms). */
    public String told;

    public long toldAt;

    public HostState() {}

    HostState(String host) {
      this.host = host;
    }
  }

  public static HostState newState(String host) {
    return new HostState(host);
  }

  /** The alerts a sample causes, then the host's {@link HostHealth}. */
  public List<Object> onMetrics(HostState s, HostMetrics m) {
    long t = m.eventTime().toEpochMilli();
    List<Object> out = new ArrayList<>();
    if (t <= s.lastAt) {
      return out; // (a sample again, or one older than the last: its rates would be wrong)
    }
    double seconds = s.lastAt == 0 ? 0 : (t - s.lastAt) / 1000.0;
    boolean rebooted =
        m.uptimeSeconds() != null && s.uptime != null && m.uptimeSeconds() < s.uptime;
    Map<String, Double> values = new LinkedHashMap<>();
    TreeMap<String, Long> counters = new TreeMap<>();
    HostMetrics.Cpu cpu = m.cpu();
    if (cpu != null) {
      values.put("cpu", cpu.total().busy());
    }
    if (m.load() != null) {
      int cores = cpu == null || cpu.cores().isEmpty() ? 1 : cpu.cores().size();
      values.put("load", m.load().one() / cores);
    }
    HostMetrics.Memory mem = m.memory();
    if (mem != null && mem.totalBytes() > 0) {
      values.put("memory", 1 - (double) mem.availableBytes() / mem.totalBytes());
      rate(values, counters, s, "swap-in", mem.swapInPages(), seconds, rebooted);
    }
    for (HostMetrics.Disk d : m.disks()) {
      String name = "disk " + d.name().replaceFirst("^/dev/", "");
      double busy = rateOf(counters, s, name, d.busyMs(), seconds, rebooted) / 1000;
      if (!Double.isNaN(busy)) {
        values.put(name, Math.min(1, busy));
      }
    }
    for (HostMetrics.Gpu g : m.gpus()) {
      if (g.utilization() != null) {
        values.put("gpu" + g.index(), g.utilization());
      }
      if (g.memoryUsedBytes() != null && g.memoryTotalBytes() != null && g.memoryTotalBytes() > 0) {
        values.put(
            "gpu" + g.index() + " memory", (double) g.memoryUsedBytes() / g.memoryTotalBytes());
      }
    }
    for (HostMetrics.NetInterface n : m.interfaces()) {
      long errors =
          n.rxErrors() + n.txErrors() + n.rxDrops() + (n.txDrops() == null ? 0 : n.txDrops());
      rate(values, counters, s, "errors " + n.name(), errors, seconds, rebooted);
    }
    s.counters = counters;
    s.lastAt = t;
    s.uptime = m.uptimeSeconds();

    for (Map.Entry<String, Double> v : values.entrySet()) {
      String name = v.getKey();
      Series.Level level = level(name);
      Series series = s.series.computeIfAbsent(name, k -> new Series());
      Series.Change change = series.observe(v.getValue(), t, level, rules);
      Alert a = tell(s, name, series, change, m.eventTime());
      if (a != null) {
        out.add(a);
      }
    }
    forgetOld(s, t, out, m.eventTime());
    HostHealth h = health(s, m);
    // told when it changes what an incident would say of the load, and once a minute with fresh
    // numbers: not every sample (each is a record through the correlation's repartition topic)
    String news = h.spikes() + "|" + h.errors() + "|" + h.warm() + "|" + h.addresses();
    if (!news.equals(s.told) || t - s.toldAt >= HEALTH_EVERY_MS) {
      s.told = news;
      s.toldAt = t;
      out.add(h);
    }
    return out;
  }

  /** A host's health goes to the correlation at least this often (and whenever it changes). */
  static final long HEALTH_EVERY_MS = 60_000;

  /** Puts the counter's rate under {@code name} when there is one. */
  private static void rate(
      Map<String, Double> values,
      TreeMap<String, Long> counters,
      HostState s,
      String name,
      Long value,
      double seconds,
      boolean rebooted) {
    double r = rateOf(counters, s, name, value, seconds, rebooted);
    if (!Double.isNaN(r)) {
      values.put(name, r);
    }
  }

  private static double rateOf(
      TreeMap<String, Long> counters,
      HostState s,
      String name,
      Long value,
      double seconds,
      boolean rebooted) {
    return CounterRate.between(
        s.counters, counters, name, value, 64, seconds, rebooted, Double.POSITIVE_INFINITY);
  }

  Series.Level level(String series) {
    if (series.equals("cpu")) {
      return config.cpu();
    } else if (series.equals("load")) {
      return config.loadPerCore();
    } else if (series.equals("memory")) {
      return config.memory();
    } else if (series.equals("swap-in")) {
      return config.swapIn();
    } else if (series.startsWith("disk ")) {
      return config.diskBusy();
    } else if (series.startsWith("errors ")) {
      return config.interfaceErrors();
    } else if (series.endsWith(" memory")) {
      return config.gpuMemory();
    }
    return config.gpu();
  }

  private Alert tell(HostState s, String name, Series series, Series.Change change, Instant at) {
    if (change == Series.Change.NONE) {
      return null;
    }
    return new SpikeAlerts(
            name.startsWith("errors ") ? INTERFACE_ERRORS : LOAD_SPIKE,
            s.host + "/" + name.replace(' ', ':'),
            what(name, s.host),
            v -> value(name, v),
            Map.of("host", s.host, "series", name),
            Map.of())
        .tell(s.firing, name, series, change, at);
  }

  /** "CPU on yamato", "disk sda busy on yamato", "errors on eth0 of yamato". */
  static String what(String name, String host) {
    if (name.equals("cpu")) {
      return "CPU on " + host;
    } else if (name.equals("load")) {
      return "load per core on " + host;
    } else if (name.equals("memory")) {
      return "memory in use on " + host;
    } else if (name.equals("swap-in")) {
      return "swap-in on " + host;
    } else if (name.startsWith("disk ")) {
      return name + " busy on " + host;
    } else if (name.startsWith("errors ")) {
      return "errors and drops on " + name.substring(7) + " of " + host;
    }
    return name.toUpperCase(java.util.Locale.ROOT).replace(" MEMORY", " memory") + " on " + host;
  }

  static String value(String name, double v) {
    if (name.equals("load")) {
      return Texts.number(v);
    } else if (name.equals("swap-in")) {
      return Texts.number(v) + " pages/s";
    } else if (name.startsWith("errors ")) {
      return Texts.number(v) + "/s";
    }
    return Texts.percent(v);
  }

  private static void forgetOld(HostState s, long t, List<Object> out, Instant at) {
    for (Iterator<Map.Entry<String, Series>> it = s.series.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Series> e = it.next();
      if (t - e.getValue().lastAt > FORGET_MS) {
        it.remove();
        Alert old = s.firing.remove(e.getKey());
        if (old != null) {
          out.add(old.resolved(what(e.getKey(), s.host) + ": no samples for a day", at));
        }
      }
    }
  }

  private HostHealth health(HostState s, HostMetrics m) {
    List<IpAddress> addresses = new ArrayList<>();
    for (HostMetrics.NetInterface n : m.interfaces()) {
      for (IpAddress a : n.addresses()) {
        if (!addresses.contains(a)) {
          addresses.add(a);
        }
      }
    }
    Double gpu = null;
    for (HostMetrics.Gpu g : m.gpus()) {
      if (g.utilization() != null && (gpu == null || g.utilization() > gpu)) {
        gpu = g.utilization();
      }
    }
    Series cpu = s.series.get("cpu");
    boolean warm = cpu != null && cpu.warm(s.lastAt, rules.warmUpMs());
    List<String> spikes = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    for (Alert a : s.firing.values()) {
      (a.kind().equals(LOAD_SPIKE) ? spikes : errors).add(a.summary());
    }
    return new HostHealth(
        s.host,
        m.eventTime(),
        m.cpu() == null ? null : m.cpu().total().busy(),
        m.load() == null ? null : m.load().one(),
        gpu,
        warm,
        spikes,
        errors,
        addresses);
  }
}
