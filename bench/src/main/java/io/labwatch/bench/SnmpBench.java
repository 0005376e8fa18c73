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
 *   <li>{@code walltime ROUNDS WORKDIR NAME=HOST:PORT:AGENT_PID...}: per agent, rounds that take in
 *       turn Net-SNMP's {@code snmpbulkwalk} of ipNetToMediaTable, ifXTable and ifTable (three
 *       processes, as a user runs them; A at the sensor's max-repetitions, B with the ARP walk's)
 *       and one full poll of the sensor (both tables, as at each turn of a running sensor); the
 *       ratios, per round.
 *   <li>{@code polls N HOST:PORT}: N polls of one device in a loop, nothing else; for a profiler.
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
      // case 0: snmpbulkwalk as a user runs it; 1: with the sensor's max-repetitions per table;
      // 2: the sensor
      Case[] cases = {new Case(), new Case(), new Case()};
      List<Double> ratios = new ArrayList<>();
      List<Double> matchedRatios = new ArrayList<>();
      BenchPollers.Poll poll = null;
      java.util.Set<String> served = new java.util.TreeSet<>();
      SerializingPublisher publisher = new SerializingPublisher();
      int arpReps;
      try (BenchPollers pollers = BenchPollers.open(config)) {
        arpReps = pollers.arpRepetitions();
        int[][] tableReps = {{reps, reps, reps}, {arpReps, reps, reps}};
        BenchPollers.Poller poller = pollers.pollers().get(0);
        Instant at = Instant.parse("2026-12-03T00:00:00Z");
        // warm-up: the first poll learns that ifXTable is there and publishes the whole table
        for (int w = 0; w < 3; w++) {
          poller.poll(at, publisher);
          at = at.plusSeconds(30);
        }
        snmpbulkwalk(address, tableReps[0], work);
        for (int r = 0; r < rounds; r++) {
          long[] ms = new long[3];
          for (int k = 0; k < 3; k++) {
            int c = (r + k) % 3; // each case first, second and third in turn
            Case x = cases[c];
            long cpu0 = c == 2 ? OS.getProcessCpuTime() / 1_000_000 : childrenCpuMs();
            long agent0 = processCpuMs(agentPid);
            long t0 = System.nanoTime();
            if (c == 2) {
              poll = poller.poll(at, publisher);
              at = at.plusSeconds(30);
              if (poll.problem() != null) {
                throw new IllegalStateException(poll.problem());
              }
              x.values.add((long) poll.varbinds());
              served.add(poll.arpEntries() + " ARP entries, " + poll.interfaces() + " interfaces");
            } else {
              x.values.add(snmpbulkwalk(address, tableReps[c], work));
            }
            ms[c] = (System.nanoTime() - t0) / 1_000_000;
            x.wall.add(ms[c]);
            long cpu1 = c == 2 ? OS.getProcessCpuTime() / 1_000_000 : childrenCpuMs();
            x.cpu.add(cpu1 - cpu0);
            x.agentCpu.add(processCpuMs(agentPid) - agent0);
          }
          ratios.add((double) ms[2] / Math.max(1, ms[0]));
          matchedRatios.add((double) ms[2] / Math.max(1, ms[1]));
        }
      }
      System.out.println();
      System.out.printf(
          Locale.ROOT,
          "### %s: wall time per full poll of both tables, %d rounds (cases in turn)%n%n",
          name,
          rounds);
      System.out.printf(
          Locale.ROOT,
          "| %-66s | %8s | %8s | %20s | %10s | %10s | %18s | %18s |%n",
          "case",
          "values",
          "requests",
          "wall ms med (min–max)",
          "client CPU",
          "agent CPU",
          "× A med (min–max)",
          "× B med (min–max)");
      System.out.println(
          "|"
              + "-".repeat(68)
              + "|---------:|---------:|---------------------:|-----------:|-----------:"
              + "|-------------------:|-------------------:|");
      String[] names = {
        "A: snmpbulkwalk -Cr" + reps + " ipNetToMediaTable; ifXTable; ifTable",
        "B: the same, ipNetToMediaTable -Cr" + arpReps + " (the sensor's)",
        "sensor: a full poll (ARP -Cr" + arpReps + ", 2 columns; interfaces -Cr" + reps + ")"
      };
      for (int c = 0; c < 3; c++) {
        Case x = cases[c];
        long values = median(x.values);
        String requests =
            c == 2
                ? Integer.toString(poll.requests())
                : "~" + (c == 0 ? values / reps : 40_000 / arpReps + (values - 40_000) / reps);
        System.out.printf(
            Locale.ROOT,
            "| %-66s | %8d | %8s | %20s | %10d | %10d | %18s | %18s |%n",
            names[c],
            values,
            requests,
            spread(x.wall),
            median(x.cpu),
            median(x.agentCpu),
            c == 0 ? "1.00" : c == 2 ? spreadRatio(ratios) : "",
            c == 1 ? "1.00" : c == 2 ? spreadRatio(matchedRatios) : "");
      }
      System.out.println();
      System.out.println(
          "The sensor's poll read "
              + String.join(" / ", served)
              + "; snmpbulkwalk printed "
              + new java.util.TreeSet<>(cases[0].values)
              + " lines (A) and "
              + new java.util.TreeSet<>(cases[1].values)
              + " (B). CPU in ms, medians.");
    }
  }

  /** One case's measurements, a value per round. */
  private static final class Case {
    final List<Long> values = new ArrayList<>();
    final List<Long> wall = new ArrayList<>();
    final List<Long> cpu = new ArrayList<>();
    final List<Long> agentCpu = new ArrayList<>();
  }

  /** The three tables walked one after the other, each with its -Cr; the lines they printed. */
  private static long snmpbulkwalk(String address, int[] reps, Path work)
      throws IOException, InterruptedException {
    long lines = 0;
    for (int t = 0; t < TABLES.length; t++) {
      String table = TABLES[t];
      File out = work.resolve("walk.out").toFile();
      Process p =
          new ProcessBuilder(
                  "snmpbulkwalk", "-v2c", "-c", "public", "-Cr" + reps[t], address, table)
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
    System.out.printf(
        Locale.ROOT,
        "%d polls; the second half: process CPU %.1f ms per poll on average, %s%n",
        n,
        last.stream().mapToLong(Long::longValue).sum() / (double) last.size(),
        spread(new ArrayList<>(last)));
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
      send(arp, o.key(), o);
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
