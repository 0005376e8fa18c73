package io.labwatch.bench;

import com.sun.management.OperatingSystemMXBean;
import io.labwatch.events.ArpObservation;
import io.labwatch.events.Heartbeat;
import io.labwatch.events.InterfaceCounters;
import io.labwatch.events.SensorEvent;
import io.labwatch.events.Topic;
import io.labwatch.events.Topics;
import io.labwatch.producers.publish.EventPublisher;
import io.labwatch.producers.snmp.BenchPollers;
import io.labwatch.producers.snmp.SnmpSensor;
import io.labwatch.producers.snmp.SnmpSensorConfig;
import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.LongAdder;

/**
 * Issue 14's targets for the SNMP sensor, against agents on loopback (run by {@code bench/snmp}
 * inside a network namespace of its own).
 *
 * <ul>
 *   <li>{@code walltime ROUNDS REPS WORKDIR NAME=HOST:PORT:AGENT_PID...}: per agent, rounds that
 *       alternate Net-SNMP's {@code snmpbulkwalk} of ipNetToMediaTable, ifXTable and ifTable (three
 *       processes, as a user runs them) with one full poll of the sensor (both tables, as at each
 *       turn of a running sensor); the ratio of the two, per round.
 *   <li>{@code cpu ROUNDS LIVE_SECONDS HOST:PORT,...}: the sensor's CPU for one device per agent
 *       port (20), per round of polls with nothing changed and per refresh round, and a running
 *       {@link SnmpSensor} at the shipped 30 s interval.
 * </ul>
 *
 * Publishing is serialising each record with its topic's serdes (what the Kafka producer is
 * handed); the producer's batching and sending are not in the numbers.
 */
public final class SnmpBench {

  private static final String[] TABLES = {
    "1.3.6.1.2.1.4.22", // ipNetToMediaTable
    "1.3.6.1.2.1.31.1.1", // ifXTable
    "1.3.6.1.2.1.2.2" // ifTable
  };

  private static final OperatingSystemMXBean OS =
      (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "walltime" -> walltime(args);
      case "cpu" -> cpu(args);
      case "polls" -> polls(args);
      default -> throw new IllegalArgumentException("walltime or cpu, not " + args[0]);
    }
  }

  // ---- wall time per full poll, against snmpbulkwalk

  private static void walltime(String[] args) throws Exception {
    int rounds = Integer.parseInt(args[1]);
    int reps = SnmpSensorConfig.defaults().maxRepetitions();
    Path work = Path.of(args[2]);
    for (int a = 3; a < args.length; a++) {
      String[] spec = args[a].split("[=:]");
      String name = spec[0];
      String address = spec[1] + ":" + spec[2];
      long agentPid = Long.parseLong(spec[3]);
      SnmpSensorConfig config = config(List.of(address));
      List<Long> walkMs = new ArrayList<>();
      List<Long> pollMs = new ArrayList<>();
      List<Double> ratios = new ArrayList<>();
      List<Long> walkCpu = new ArrayList<>();
      List<Long> pollCpu = new ArrayList<>();
      List<Long> walkAgentCpu = new ArrayList<>();
      List<Long> pollAgentCpu = new ArrayList<>();
      long walkLines = 0;
      BenchPollers.Poll poll = null;
      java.util.Set<Long> walked = new java.util.TreeSet<>();
      java.util.Set<String> served = new java.util.TreeSet<>();
      SerializingPublisher publisher = new SerializingPublisher();
      try (BenchPollers pollers = BenchPollers.open(config)) {
        BenchPollers.Poller poller = pollers.pollers().get(0);
        Instant at = Instant.parse("2026-12-03T00:00:00Z");
        // warm-up: the first poll learns that ifXTable is there and publishes the whole table
        for (int w = 0; w < 3; w++) {
          poller.poll(at, publisher);
          at = at.plusSeconds(30);
        }
        snmpbulkwalk(address, reps, work);
        for (int r = 0; r < rounds; r++) {
          long w = 0;
          long p = 0;
          for (int order = 0; order < 2; order++) {
            if ((order == 0) == (r % 2 == 0)) {
              long cpu0 = childrenCpuMs();
              long agent0 = processCpuMs(agentPid);
              long t0 = System.nanoTime();
              walkLines = snmpbulkwalk(address, reps, work);
              w = (System.nanoTime() - t0) / 1_000_000;
              walked.add(walkLines);
              walkCpu.add(childrenCpuMs() - cpu0);
              walkAgentCpu.add(processCpuMs(agentPid) - agent0);
            } else {
              long cpu0 = OS.getProcessCpuTime();
              long agent0 = processCpuMs(agentPid);
              long t0 = System.nanoTime();
              poll = poller.poll(at, publisher);
              p = (System.nanoTime() - t0) / 1_000_000;
              if (poll.problem() != null) {
                throw new IllegalStateException(poll.problem());
              }
              served.add(poll.arpEntries() + " ARP entries, " + poll.interfaces() + " interfaces");
              pollCpu.add((OS.getProcessCpuTime() - cpu0) / 1_000_000);
              pollAgentCpu.add(processCpuMs(agentPid) - agent0);
              at = at.plusSeconds(30);
            }
          }
          walkMs.add(w);
          pollMs.add(p);
          ratios.add((double) p / Math.max(1, w));
        }
      }
      System.out.println();
      System.out.printf(
          Locale.ROOT,
          "### %s: wall time per full poll of both tables, %d alternating rounds%n%n",
          name,
          rounds);
      System.out.printf(
          Locale.ROOT,
          "| %-72s | %8s | %8s | %21s | %13s | %12s | %24s |%n",
          "case",
          "varbinds",
          "requests",
          "wall ms med (min–max)",
          "client CPU ms",
          "agent CPU ms",
          "× baseline med (min–max)");
      System.out.println(
          "|"
              + "-".repeat(74)
              + "|---------:|---------:|----------------------:|--------------:|-------------:|-------------------------:|");
      System.out.printf(
          Locale.ROOT,
          "| %-72s | %8d | %8s | %21s | %13d | %12d | %24s |%n",
          "baseline: snmpbulkwalk -v2c -Cr" + reps + " ipNetToMediaTable; ifXTable; ifTable",
          walkLines,
          "~" + (walkLines + reps - 1) / reps,
          spread(walkMs),
          median(walkCpu),
          median(walkAgentCpu),
          "1.00");
      System.out.printf(
          Locale.ROOT,
          "| %-72s | %8d | %8d | %21s | %13d | %12d | %24s |%n",
          "sensor: one poll, ARP " + poll.arpEntries() + " + " + poll.interfaces() + " interfaces",
          poll.varbinds(),
          poll.requests(),
          spread(pollMs),
          median(pollCpu),
          median(pollAgentCpu),
          spreadRatio(ratios));
      if (walked.size() > 1 || served.size() > 1) {
        // an agent whose tables changed size between rounds (a cache refilled half-way)
        System.out.println();
        System.out.println(
            "NOT THE SAME TABLES IN EVERY ROUND: walks " + walked + "; polls " + served);
      }
    }
  }

  /** The three tables walked one after the other; the lines they printed. */
  private static long snmpbulkwalk(String address, int reps, Path work)
      throws IOException, InterruptedException {
    long lines = 0;
    for (String table : TABLES) {
      File out = work.resolve("walk.out").toFile();
      Process p =
          new ProcessBuilder("snmpbulkwalk", "-v2c", "-c", "public", "-Cr" + reps, address, table)
              .redirectOutput(out)
              .redirectError(ProcessBuilder.Redirect.INHERIT)
              .start();
      if (p.waitFor() != 0) {
        throw new IllegalStateException("snmpbulkwalk of " + table + " failed");
      }
      try (var s = Files.lines(out.toPath())) {
        lines += s.count();
      }
    }
    return lines;
  }

  // ---- the sensor alone, for a profiler

  /** {@code polls N HOST:PORT}: N polls of one device, one after the other; CPU per poll. */
  private static void polls(String[] args) throws Exception {
    int n = Integer.parseInt(args[1]);
    SerializingPublisher publisher = new SerializingPublisher();
    List<Long> cpu = new ArrayList<>();
    try (BenchPollers pollers = BenchPollers.open(config(List.of(args[2])))) {
      BenchPollers.Poller poller = pollers.pollers().get(0);
      Instant at = Instant.parse("2026-12-03T00:00:00Z");
      for (int i = 0; i < n; i++) {
        long cpu0 = OS.getProcessCpuTime();
        poller.poll(at, publisher);
        cpu.add((OS.getProcessCpuTime() - cpu0) / 1_000_000);
        at = at.plusSeconds(30);
      }
    }
    List<Long> last = cpu.subList(n / 2, n);
    System.out.println(
        n
            + " polls, process CPU ms per poll over the second half: "
            + spread(new ArrayList<>(last)));
  }

  // ---- CPU of the sensor with 20 devices

  private static void cpu(String[] args) throws Exception {
    int rounds = Integer.parseInt(args[1]);
    int liveSeconds = Integer.parseInt(args[2]);
    List<String> addresses = Arrays.asList(args[3].split(","));
    SnmpSensorConfig config = config(addresses);
    long interval = config.interval().toMillis();
    long refresh = config.refreshInterval().toMillis();
    SerializingPublisher publisher = new SerializingPublisher();
    List<Long> steadyCpu = new ArrayList<>();
    List<Long> steadyWall = new ArrayList<>();
    List<Long> refreshCpu = new ArrayList<>();
    List<Long> refreshWall = new ArrayList<>();
    long[] published = new long[2];
    ExecutorService pool = Executors.newFixedThreadPool(addresses.size());
    try (BenchPollers pollers = BenchPollers.open(config)) {
      List<BenchPollers.Poller> devices = pollers.pollers();
      Instant at = Instant.parse("2026-12-03T00:00:00Z");
      // warm-up (the first round publishes every entry, as a starting sensor does)
      for (int w = 0; w < 3; w++) {
        round(devices, pool, at, publisher);
        at = at.plusMillis(interval);
      }
      for (int r = 0; r < rounds; r++) {
        for (int kind = 0; kind < 2; kind++) {
          // a refresh round is one whose time is a refresh interval after the last one
          at = at.plusMillis(kind == 0 ? interval : refresh);
          long before = publisher.records.sum();
          long cpu0 = OS.getProcessCpuTime();
          long t0 = System.nanoTime();
          round(devices, pool, at, publisher);
          long wall = (System.nanoTime() - t0) / 1_000_000;
          long cpu = (OS.getProcessCpuTime() - cpu0) / 1_000_000;
          (kind == 0 ? steadyCpu : refreshCpu).add(cpu);
          (kind == 0 ? steadyWall : refreshWall).add(wall);
          published[kind] = publisher.records.sum() - before;
        }
      }
    } finally {
      pool.shutdownNow();
    }
    int n = addresses.size();
    long perRefresh = refresh / interval; // rounds per refresh interval (20)
    double steady = median(steadyCpu);
    double refreshRound = median(refreshCpu);
    double amortised = ((perRefresh - 1) * steady + refreshRound) / perRefresh;
    double intervalMs = interval;

    // the sensor itself, as labwatch runs it, at the shipped interval
    double liveCpuMs = 0;
    double liveWallMs = 0;
    long livePolls = 0;
    String liveProblem = null;
    if (liveSeconds > 0) {
      SerializingPublisher livePublisher = new SerializingPublisher();
      try (SnmpSensor sensor = SnmpSensor.start(config, livePublisher, Clock.systemUTC())) {
        while (sensor.polls() < n) {
          Thread.sleep(50); // the first round: every entry published, the JIT at work
        }
        long polls0 = sensor.polls();
        long cpu0 = OS.getProcessCpuTime();
        long t0 = System.nanoTime();
        Thread.sleep(liveSeconds * 1000L);
        liveCpuMs = (OS.getProcessCpuTime() - cpu0) / 1e6;
        liveWallMs = (System.nanoTime() - t0) / 1e6;
        livePolls = sensor.polls() - polls0;
        liveProblem = sensor.problem();
      }
    }

    System.out.println();
    System.out.printf(
        Locale.ROOT,
        "### CPU of the sensor: %d devices (one agent port each), %d rounds, median (min–max)%n%n",
        n,
        rounds);
    System.out.printf(
        Locale.ROOT,
        "| %-64s | %9s | %20s | %8s | %19s |%n",
        "round of " + n + " polls",
        "published",
        "CPU ms (min–max)",
        "wall ms",
        "% of a core at 30 s");
    System.out.println(
        "|"
            + "-".repeat(66)
            + "|----------:|---------------------:|---------:|--------------------:|");
    row(
        "steady: nothing changed (the counters published)",
        published[0],
        spread(steadyCpu),
        median(steadyWall),
        steady / intervalMs);
    row(
        "refresh: every ARP entry published again (every 10 min)",
        published[1],
        spread(refreshCpu),
        median(refreshWall),
        refreshRound / intervalMs);
    row(
        "amortised: " + (perRefresh - 1) + " steady rounds + 1 refresh",
        -1,
        String.format(Locale.ROOT, "%.0f", amortised),
        -1,
        amortised / intervalMs);
    if (liveSeconds > 0) {
      row(
          "SnmpSensor running, "
              + livePolls
              + " polls in "
              + Math.round(liveWallMs / 1000)
              + " s (whole JVM, idle included)",
          -1,
          String.format(Locale.ROOT, "%.0f in all", liveCpuMs),
          -1,
          liveCpuMs / liveWallMs);
    }
    if (!publisher.failures.isEmpty()) {
      System.out.println();
      System.out.println(
          publisher.failures.size()
              + " of "
              + (rounds * 2 + 3) * n
              + " polls failed, the first: "
              + publisher.failures.get(0));
    }
    if (liveProblem != null) {
      System.out.println();
      System.out.println("the running sensor's problem at the end: " + liveProblem);
    }
  }

  private static void row(String what, long published, String cpu, long wall, double share) {
    System.out.printf(
        Locale.ROOT,
        "| %-64s | %9s | %20s | %8s | %18.2f%% |%n",
        what,
        published < 0 ? "" : Long.toString(published),
        cpu,
        wall < 0 ? "" : Long.toString(wall),
        share * 100);
  }

  /** Polls every device once, each on a thread of its own, as the sensor's turns do. */
  private static void round(
      List<BenchPollers.Poller> devices,
      ExecutorService pool,
      Instant at,
      SerializingPublisher publisher)
      throws Exception {
    List<Future<BenchPollers.Poll>> polls = new ArrayList<>();
    for (BenchPollers.Poller d : devices) {
      polls.add(pool.submit(() -> d.poll(at, publisher)));
    }
    for (Future<BenchPollers.Poll> f : polls) {
      String problem = f.get().problem();
      if (problem != null) {
        publisher.failures.add(problem);
      }
    }
  }

  // ---- helpers

  /** The shipped defaults, v2c community public, these devices. */
  static SnmpSensorConfig config(List<String> addresses) {
    SnmpSensorConfig d = SnmpSensorConfig.defaults();
    return new SnmpSensorConfig(
        addresses.stream().map(SnmpSensorConfig.Device::of).toList(),
        d.version(),
        "public",
        d.user(),
        d.authProtocol(),
        d.authPassphrase(),
        d.privProtocol(),
        d.privPassphrase(),
        d.interval(),
        d.timeout(),
        d.retries(),
        d.maxRepetitions(),
        d.tables(),
        d.refreshInterval(),
        d.heartbeatInterval());
  }

  /** CPU time of this process's waited-for children (utime + stime), ms. */
  private static long childrenCpuMs() throws IOException {
    String[] f = stat("self");
    return (Long.parseLong(f[13]) + Long.parseLong(f[14])) * 10;
  }

  /** CPU time of process {@code pid} (utime + stime), ms. */
  private static long processCpuMs(long pid) throws IOException {
    String[] f = stat(Long.toString(pid));
    return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10;
  }

  /** /proc/PID/stat's fields after the command name (field 3 is index 0); 100 ticks a second. */
  private static String[] stat(String pid) throws IOException {
    String s = Files.readString(Path.of("/proc", pid, "stat"));
    return s.substring(s.lastIndexOf(')') + 2).split(" ");
  }

  private static long median(List<Long> xs) {
    List<Long> s = xs.stream().sorted().toList();
    return s.get(s.size() / 2);
  }

  private static String spread(List<Long> xs) {
    List<Long> s = xs.stream().sorted().toList();
    return s.get(s.size() / 2) + " (" + s.get(0) + "–" + s.get(s.size() - 1) + ")";
  }

  private static String spreadRatio(List<Double> xs) {
    List<Double> s = xs.stream().sorted().toList();
    return String.format(
        Locale.ROOT, "%.2f (%.2f–%.2f)", s.get(s.size() / 2), s.get(0), s.get(s.size() - 1));
  }

  /** Serialises each record as the Kafka producer would be handed it; sends nothing. */
  static final class SerializingPublisher implements EventPublisher {
    private final Topic<String, SensorEvent> arp = Topics.defaults().arp();
    private final Topic<String, SensorEvent> snmp = Topics.defaults().snmp();
    final LongAdder records = new LongAdder();
    final List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    final LongAdder bytes = new LongAdder();

    @Override
    public void observation(ArpObservation o) {
      send(arp, o.subjectIp().toString(), o);
    }

    @Override
    public void counters(InterfaceCounters c) {
      send(snmp, c.key(), c);
    }

    @Override
    public void heartbeat(Heartbeat h) {
      send(arp, h.sensorId(), h);
      send(snmp, h.sensorId(), h);
    }

    private void send(Topic<String, SensorEvent> topic, String key, SensorEvent value) {
      records.increment();
      bytes.add(topic.keySerde().serializer().serialize(topic.name(), key).length);
      bytes.add(topic.valueSerde().serializer().serialize(topic.name(), value).length);
    }

    @Override
    public void close() {}
  }

  private SnmpBench() {}
}
