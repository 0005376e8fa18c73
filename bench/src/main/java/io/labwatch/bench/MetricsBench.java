package io.labwatch.bench;

import io.labwatch.app.broker.EmbeddedBroker;
import io.labwatch.events.HostMetrics;
import io.labwatch.events.IpAddress;
import io.labwatch.events.SensorEvent;
import io.labwatch.events.Topics;
import io.labwatch.streams.DetectionConfig;
import io.labwatch.streams.DetectionTopology;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Issue 16's metrics path: host samples of many servers (ten series each: CPU, load, memory,
 * swap-in, two disks, a GPU and its memory, two interfaces' errors) every 10 s, replayed from
 * {@code labwatch.host} as fast as possible through the whole detection (the host rules, the
 * correlation's per-address health behind its repartition topic), against a plain consume-and-
 * produce copy of the same records on the same broker in the same run; alternating rounds, the
 * median ratio. Then the heap the detection's state leaves after a full GC (the JVM's -Xmx is the
 * budget: run it with -Xmx256m).
 *
 * <pre>
 *   MetricsBench throughput HOSTS SAMPLES_PER_HOST ROUNDS    (a broker in this JVM)
 *   MetricsBench heap BOOTSTRAP HOSTS SAMPLES_PER_HOST        (the detection alone in this JVM)
 *   MetricsBench correlation SECONDS                            (the seed's latency, live)
 * </pre>
 */
public final class MetricsBench {

  private static final Instant START = Instant.parse("2026-11-24T00:00:00Z");

  private MetricsBench() {}

  public static void main(String[] args) throws Exception {
    if (args[0].equals("heap")) {
      heap(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]));
      return;
    }
    if (args[0].equals("correlation")) {
      Path work = Files.createTempDirectory("labwatch-bench-correlation");
      try (EmbeddedBroker broker = EmbeddedBroker.start(work.resolve("broker"), "127.0.0.1", 0)) {
        correlation(broker.bootstrapServers(), work, Integer.parseInt(args[1]));
      }
      return;
    }
    int hosts = Integer.parseInt(args[1]);
    int samples = Integer.parseInt(args[2]);
    int rounds = Integer.parseInt(args[3]);
    System.out.printf(
        "machine: %d cores, %s %s, max heap %d MB%n",
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.vm.name"),
        System.getProperty("java.version"),
        Runtime.getRuntime().maxMemory() >> 20);
    Path work = Files.createTempDirectory("labwatch-bench-metrics");
    try (EmbeddedBroker broker = EmbeddedBroker.start(work.resolve("broker"), "127.0.0.1", 0)) {
      run(broker.bootstrapServers(), work, hosts, samples, rounds);
    }
  }

  static void run(String bootstrap, Path work, int hosts, int samples, int rounds)
      throws Exception {
    int n = hosts * samples;
    System.out.printf(
        "%nmetrics path: %,d host samples (%,d hosts x %d samples, every 10 s: %s; 10 series a"
            + " host, %,d series), a spike on every 50th host; %d rounds%n",
        n, hosts, samples, Duration.ofSeconds(10L * samples), 10L * hosts, rounds);
    Topics warm = Topics.withPrefix("mwarm.");
    DetectionBench.ensure(bootstrap, warm);
    preload(bootstrap, warm, Math.max(1, hosts / 5), samples);
    copy(bootstrap, warm, (long) Math.max(1, hosts / 5) * samples);
    detect(bootstrap, warm, work.resolve("state-warm"));

    Topics topics = Topics.withPrefix("mt.");
    DetectionBench.ensure(bootstrap, topics);
    preload(bootstrap, topics, hosts, samples);
    System.out.printf(
        "| round | baseline samples/s | detection samples/s | × baseline | CPU µs/sample copy |"
            + " CPU µs/sample stream thread |%n");
    System.out.printf(
        "|-------|--------------------|---------------------|------------|--------------------|"
            + "-----------------------------|%n");
    double[] ratios = new double[rounds];
    Map<String, Integer> before = new HashMap<>();
    List<Map<String, Integer>> alerts = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      DetectionBench.Run copy;
      DetectionBench.Run detect;
      if (r % 2 == 0) {
        copy = copy(bootstrap, topics, n);
        detect = detect(bootstrap, topics, work.resolve("state" + r));
      } else {
        detect = detect(bootstrap, topics, work.resolve("state" + r));
        copy = copy(bootstrap, topics, n);
      }
      Map<String, Integer> now = DetectionBench.countAlerts(bootstrap, topics);
      Map<String, Integer> round = new java.util.TreeMap<>();
      for (Map.Entry<String, Integer> e : now.entrySet()) {
        round.put(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0));
      }
      before = now;
      alerts.add(round);
      ratios[r] = copy.seconds() / detect.seconds();
      System.out.printf(
          "| %5d | %,18.0f | %,19.0f | %10.2f | %18.1f | %27.1f |%n",
          r + 1,
          n / copy.seconds(),
          n / detect.seconds(),
          ratios[r],
          copy.cpuNanos() / 1e3 / n,
          detect.cpuNanos() / 1e3 / n);
    }
    System.out.printf(
        alerts.stream().distinct().count() == 1
            ? "alerts committed by each detection run: %s%n"
            : "alerts committed differ between runs: %s%n",
        alerts.stream().distinct().count() == 1 ? alerts.get(0) : alerts);
    Arrays.sort(ratios);
    System.out.printf(
        "median × baseline: %.2f (min %.2f, max %.2f)%n",
        ratios[rounds / 2], ratios[0], ratios[rounds - 1]);
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    System.gc();
    System.out.printf(
        "heap after a full GC, all rounds' streams closed: %d MB of -Xmx %d MB%n",
        memory.getHeapMemoryUsage().getUsed() >> 20, Runtime.getRuntime().maxMemory() >> 20);
  }

  /**
   * The detection alone in this JVM (a broker in another process) over every host's samples: its
   * heap after a full GC at the end, and the most it took at any time (after GCs).
   */
  static void heap(String bootstrap, int hosts, int samples) throws Exception {
    System.out.printf(
        "machine: %d cores, %s %s, max heap %d MB%n",
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.vm.name"),
        System.getProperty("java.version"),
        Runtime.getRuntime().maxMemory() >> 20);
    Path work = Files.createTempDirectory("labwatch-bench-metrics-heap");
    Topics topics = Topics.withPrefix("mheap.");
    DetectionBench.ensure(bootstrap, topics);
    preload(bootstrap, topics, hosts, samples);
    System.gc();
    long before = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    for (var pool : ManagementFactory.getMemoryPoolMXBeans()) {
      pool.resetPeakUsage();
    }
    DetectionBench.Run run = detect(bootstrap, topics, work.resolve("state"));
    long peakAfterGc = 0;
    for (var pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == java.lang.management.MemoryType.HEAP
          && pool.getCollectionUsage() != null) {
        peakAfterGc += pool.getCollectionUsage().getUsed();
      }
    }
    System.gc();
    long after = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    System.out.printf(
        "%nheap of the detection over %,d hosts (%,d series) x %d samples: %.0f s, %,.0f"
            + " samples/s; heap after a full GC %d MB at the end (%d MB before it started),"
            + " after the last GC while it ran %d MB; -Xmx %d MB%n",
        hosts,
        10L * hosts,
        samples,
        run.seconds(),
        hosts * (double) samples / run.seconds(),
        after >> 20,
        before >> 20,
        peakAfterGc >> 20,
        Runtime.getRuntime().maxMemory() >> 20);
  }

  /**
   * The seed's latency, live: while 1,000 observations and 100 host samples a second go by, a new
   * address every 500 ms gets an IP conflict (two MACs reply), and a second later the three failed
   * ssh probes that make it a SERVICE_UNREACHABLE (every one to the second MAC). From the third
   * probe produced (both facts are in Kafka then) to the service's alert naming the conflict as its
   * cause, and to the conflict told with its symptom, as a read_committed consumer (a sink) sees
   * them.
   */
  static void correlation(String bootstrap, Path work, int seconds) throws Exception {
    Topics topics = Topics.withPrefix("corr.");
    DetectionBench.ensure(bootstrap, topics);
    DetectionConfig config =
        DetectionConfig.defaults().deterministic().withApplicationId("bench-correlation");
    Map<String, Long> sentAt = new java.util.concurrent.ConcurrentHashMap<>();
    Map<String, Long> seenAt = new java.util.concurrent.ConcurrentHashMap<>();
    Map<String, Long> order = new java.util.concurrent.ConcurrentHashMap<>();
    java.util.concurrent.atomic.AtomicBoolean stop =
        new java.util.concurrent.atomic.AtomicBoolean();
    try (KafkaStreams streams =
            new KafkaStreams(
                DetectionTopology.build(topics, config),
                DetectionTopology.properties(
                    config,
                    topics,
                    Map.of("bootstrap.servers", bootstrap),
                    work.resolve("state")));
        KafkaProducer<String, SensorEvent> producer = producer(bootstrap, topics)) {
      streams.start();
      while (streams.state() != KafkaStreams.State.RUNNING) {
        Thread.sleep(50);
      }
      Thread reader =
          new Thread(
              () -> {
                Map<String, Object> c = new HashMap<>();
                c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
                c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
                try (KafkaConsumer<String, io.labwatch.events.Alert> consumer =
                    new KafkaConsumer<>(
                        c,
                        topics.alerts().keySerde().deserializer(),
                        topics.alerts().valueSerde().deserializer())) {
                  List<TopicPartition> parts = new ArrayList<>();
                  for (int p = 0; p < topics.alerts().partitions(); p++) {
                    parts.add(new TopicPartition(topics.alerts().name(), p));
                  }
                  consumer.assign(parts);
                  consumer.seekToBeginning(parts);
                  while (!stop.get()) {
                    for (var r : consumer.poll(Duration.ofMillis(10))) {
                      var a = r.value();
                      if (a.kind().equals("SERVICE_UNREACHABLE")
                          && a.summary().contains("Cause: IP conflict")) {
                        seenAt.putIfAbsent("cause " + a.labels().get("ip"), System.nanoTime());
                      } else if (a.kind().equals("IP_CONFLICT")
                          && a.summary().contains("symptom")) {
                        seenAt.putIfAbsent("symptom " + a.subject(), System.nanoTime());
                      }
                    }
                  }
                }
              });
      reader.start();
      Traffic background = new Traffic(10_000);
      Random random = new Random(16);
      long start = System.nanoTime();
      long sent = 0;
      int incidents = 0;
      List<Object[]> pendingProbes = new ArrayList<>(); // {due nanos, ip}
      while (System.nanoTime() - start < java.util.concurrent.TimeUnit.SECONDS.toNanos(seconds)) {
        long due = start + sent * 1_000_000L; // 1,000 records a second in all
        long now = System.nanoTime();
        if (now < due) {
          Thread.sleep(Math.max(0, (due - now) / 1_000_000), (int) ((due - now) % 1_000_000));
          continue;
        }
        if (!pendingProbes.isEmpty() && (long) pendingProbes.get(0)[0] <= now) {
          IpAddress ip = (IpAddress) pendingProbes.remove(0)[1];
          Instant t = Instant.now();
          for (int k = 0; k < 3; k++) {
            var p =
                io.labwatch.events.ProbeResult.failed(
                    t.plusMillis(k),
                    "labbox",
                    "tcp://" + ip + ":22",
                    io.labwatch.events.ProbeResult.Kind.TCP,
                    ip,
                    22,
                    500,
                    io.labwatch.events.ProbeResult.ErrorClass.REFUSED,
                    "Connection refused",
                    routerOf(ip));
            producer.send(
                new ProducerRecord<>(
                    topics.host().name(), null, p.eventTime().toEpochMilli(), "labbox", p));
          }
          sentAt.put("cause " + ip, System.nanoTime());
          sentAt.put("symptom " + ip, System.nanoTime());
          sent += 3;
        } else if (sent % 500 == 0) { // a new conflict every 500 ms
          IpAddress ip = IpAddress.of("10.251." + (incidents / 250) + "." + (incidents % 250 + 1));
          incidents++;
          Instant t = Instant.now();
          DetectionBench.send(producer, topics, DetectionBench.reply(ip, serverOf(ip), t));
          DetectionBench.send(
              producer, topics, DetectionBench.reply(ip, routerOf(ip), t.plusMillis(1)));
          order.put("cause " + ip, (System.nanoTime() - start) / 1_000_000);
          order.put("symptom " + ip, (System.nanoTime() - start) / 1_000_000);
          pendingProbes.add(new Object[] {System.nanoTime() + 1_000_000_000L, ip});
          sent += 2;
        } else if (sent % 10 == 1) { // 100 host samples a second
          HostMetrics m = sample((int) (sent / 10 % 1000), (int) (sent / 10_000), random);
          HostMetrics live =
              new HostMetrics(
                  Instant.now(),
                  m.sensorId(),
                  m.uptimeSeconds(),
                  m.processes(),
                  m.cpu(),
                  m.load(),
                  m.memory(),
                  m.disks(),
                  m.fileSystems(),
                  m.interfaces(),
                  m.tcp(),
                  m.gpus());
          producer.send(
              new ProducerRecord<>(
                  topics.host().name(),
                  null,
                  live.eventTime().toEpochMilli(),
                  live.sensorId(),
                  live));
          sent++;
        } else {
          DetectionBench.send(producer, topics, background.next(Instant.now()));
          sent++;
        }
      }
      producer.flush();
      long waitUntil = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
      while (seenAt.size() < sentAt.size() && System.nanoTime() < waitUntil) {
        Thread.sleep(50);
      }
      stop.set(true);
      reader.join();
      System.out.printf(
          "%nthe seed's correlated alerts, live, for %d s: %d incidents (1,000 observations and"
              + " 100 host samples a second besides)%n",
          seconds, incidents);
      System.out.printf(
          "| %-58s | %6s | %6s | %6s | %6s |%n",
          "third failed probe produced -> committed", "seen", "p50 ms", "p99 ms", "max ms");
      System.out.printf(
          "|%s|%s|%s|%s|%s|%n",
          "-".repeat(60), "-".repeat(8), "-".repeat(8), "-".repeat(8), "-".repeat(8));
      for (String what : List.of("cause", "symptom")) {
        long[] ms =
            sentAt.entrySet().stream()
                .filter(e -> e.getKey().startsWith(what + " "))
                .filter(e -> seenAt.containsKey(e.getKey()) && order.get(e.getKey()) >= 5_000)
                .mapToLong(e -> (seenAt.get(e.getKey()) - e.getValue()) / 1_000_000)
                .sorted()
                .toArray();
        long expected =
            sentAt.keySet().stream()
                .filter(k -> k.startsWith(what + " ") && order.get(k) >= 5_000)
                .count();
        System.out.printf(
            "| %-58s | %6s | %6d | %6d | %6d |%n",
            what.equals("cause")
                ? "SERVICE_UNREACHABLE naming the IP conflict as its cause"
                : "IP_CONFLICT told with its symptom",
            ms.length + "/" + expected,
            DetectionBench.pct(ms, 50),
            DetectionBench.pct(ms, 99),
            ms.length == 0 ? -1 : ms[ms.length - 1]);
      }
    }
  }

  private static io.labwatch.events.MacAddress serverOf(IpAddress ip) {
    byte[] b = ip.toBytes();
    return io.labwatch.events.MacAddress.fromLong(
        0x3cfdfe000000L + ((b[2] & 0xFF) << 8) + (b[3] & 0xFF));
  }

  private static io.labwatch.events.MacAddress routerOf(IpAddress ip) {
    byte[] b = ip.toBytes();
    return io.labwatch.events.MacAddress.fromLong(
        0x00a0de000000L + ((b[2] & 0xFF) << 8) + (b[3] & 0xFF));
  }

  /** One host's sample {@code i}: a quiet server, every 50th of them busy for a while. */
  static HostMetrics sample(int host, int i, Random random) {
    return sample(START, host, i, random, ip(host));
  }

  /** The same, from {@code start}, with {@code address} on its eth0. */
  static HostMetrics sample(Instant start, int host, int i, Random random, IpAddress address) {
    Instant t = start.plusSeconds(10L * i).plusMillis(host % 10_000);
    boolean spike = host % 50 == 0 && i >= 200 && i < 220;
    double cpu = spike ? 0.97 : 0.1 + random.nextDouble() * 0.05;
    long up = 86_400 + 10L * i;
    return new HostMetrics(
        t,
        "host-" + host,
        up,
        300,
        new HostMetrics.Cpu(
            10_000,
            new HostMetrics.Usage(cpu, cpu * 0.8, cpu * 0.2, 0, 0),
            List.of(
                new HostMetrics.Usage(cpu, cpu * 0.8, cpu * 0.2, 0, 0),
                new HostMetrics.Usage(cpu, cpu * 0.8, cpu * 0.2, 0, 0))),
        new HostMetrics.Load(cpu * 2, cpu * 2, cpu * 2),
        new HostMetrics.Memory(
            64L << 30, (40L << 30) + random.nextInt(1 << 20), 8L << 30, 0, 0L, 0L),
        List.of(
            new HostMetrics.Disk("/dev/sda", 10L * i, 4096L * i, 20L * i, 8192L * i, 50L * i, 0),
            new HostMetrics.Disk(
                "/dev/nvme0n1", 30L * i, 4096L * i, 40L * i, 8192L * i, 80L * i, 0)),
        List.of(),
        List.of(
            new HostMetrics.NetInterface(
                "eth0",
                1_000_000L * i,
                900_000L * i,
                1000L * i,
                900L * i,
                0,
                0,
                i / 10,
                0L,
                List.of(address)),
            new HostMetrics.NetInterface(
                "eth1", 10_000L * i, 9_000L * i, 100L * i, 90L * i, 0, 0, 0, 0L, List.of())),
        null,
        List.of(
            new HostMetrics.Gpu(
                0, "NVIDIA A100", "GPU-" + host, 0.05, 1L << 30, 40L << 30, 40.0, 60.0, 0L)));
  }

  static IpAddress ip(int host) {
    return IpAddress.of(
        "10." + (host >> 16 & 0xFF) + "." + (host >> 8 & 0xFF) + "." + (host & 0xFF));
  }

  /** Every host's samples, interleaved in time as the sensors publish them. */
  static void preload(String bootstrap, Topics topics, int hosts, int samples) throws Exception {
    AtomicReference<Exception> failed = new AtomicReference<>();
    Random random = new Random(16);
    try (KafkaProducer<String, SensorEvent> p = producer(bootstrap, topics)) {
      for (int i = 0; i < samples; i++) {
        for (int h = 0; h < hosts; h++) {
          HostMetrics m = sample(h, i, random);
          p.send(
              new ProducerRecord<>(
                  topics.host().name(), null, m.eventTime().toEpochMilli(), m.sensorId(), m),
              (meta, e) -> {
                if (e != null) {
                  failed.compareAndSet(null, e);
                }
              });
        }
      }
      p.flush();
    }
    if (failed.get() != null) {
      throw new IllegalStateException("preloading the samples failed", failed.get());
    }
  }

  static KafkaProducer<String, SensorEvent> producer(String bootstrap, Topics topics) {
    return DetectionBench.producer(bootstrap, topics); // (the same serde: SensorEvent as JSON)
  }

  /** The baseline: read every sample (decoded) and write it to another topic (encoded). */
  static DetectionBench.Run copy(String bootstrap, Topics topics, long expected) {
    return DetectionBench.copy(bootstrap, topics, topics.host(), expected, e -> true);
  }

  /** The detection until it committed the end of the samples, then of the correlation's topic. */
  static DetectionBench.Run detect(String bootstrap, Topics topics, Path stateDir) {
    return DetectionBench.detect(
        bootstrap, topics, topics.host(), stateDir, List.of("health-by-ip"));
  }
}
