package io.labwatch.bench;

import io.labwatch.app.broker.EmbeddedBroker;
import io.labwatch.app.detect.RangeReplay;
import io.labwatch.app.report.ReportCollector;
import io.labwatch.app.report.ReportData;
import io.labwatch.app.report.ReportPage;
import io.labwatch.events.Alert;
import io.labwatch.events.AlertState;
import io.labwatch.events.ArpObservation;
import io.labwatch.events.Heartbeat;
import io.labwatch.events.HostMetrics;
import io.labwatch.events.IpAddress;
import io.labwatch.events.MacAddress;
import io.labwatch.events.SensorEvent;
import io.labwatch.events.Topic;
import io.labwatch.events.Topics;
import io.labwatch.streams.DetectionConfig;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Issue 17's replay and report, on a real broker in this process:
 *
 * <ul>
 *   <li>one day of a 10 k-host lab published as the sensors write it at that rate (one record per
 *       batch, lz4): 1 M ARP observations over 24 h ending an hour ago, heartbeats of three ARP
 *       sensors every 10 s to every partition, a few always-conflicted addresses, one clear
 *       10-minute IP conflict at mid-day; a few hosts' samples every 10 s with their heartbeats;
 *   <li>the replay of that day ({@link RangeReplay#run}) against a plain consumer reading and
 *       decoding the same range; alternating rounds (-Dbench.rounds, default 3), median;
 *   <li>{@code labwatch report} of the mid-day incident and of the day's longest one, median of 3;
 *   <li>the bytes on disk per record of each kind, and per 100 hosts per day.
 * </ul>
 */
public final class ReplayBench {

  private ReplayBench() {}

  static final List<String> ARP_SENSORS = List.of("sensor-a", "sensor-b", "sensor-c");

  /** The midday incident's address (an ordinary host of the lab) and the MAC that takes it. */
  static final int VICTIM = 4242;

  static final MacAddress INTRUDER = MacAddress.of("b8:27:eb:12:34:56");

  /** One record per batch: at a lab's rate (12 observations/s, one sample/10 s per host). */
  static final Map<String, Object> AS_LIVE =
      Map.of(
          ProducerConfig.BATCH_SIZE_CONFIG,
          1,
          // only to publish a day faster: more requests in flight (no retries on loopback)
          ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
          false,
          ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION,
          50);

  public static void main(String[] args) throws Exception {
    int n = Integer.getInteger("bench.records", 1_000_000);
    int hosts = Integer.getInteger("bench.hosts", 10_000);
    int samplers = Integer.getInteger("bench.samplers", 5);
    int rounds = Integer.getInteger("bench.rounds", 3);
    System.out.printf(
        "machine: %d cores, %s %s, max heap %d MB%n",
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.vm.name"),
        System.getProperty("java.version"),
        Runtime.getRuntime().maxMemory() >> 20);
    Path work = Files.createTempDirectory("labwatch-bench-replay");
    Map<String, Disk> disk;
    try {
      Topics topics = Topics.withPrefix("rp" + UUID.randomUUID().toString().substring(0, 6) + ".");
      List<String> calibrations = new ArrayList<>();
      Map<String, Long> counts = new TreeMap<>();
      try (EmbeddedBroker broker = EmbeddedBroker.start(work.resolve("broker"), "127.0.0.1", 0)) {
        String bootstrap = broker.bootstrapServers();
        Map<String, Object> client = Map.of("bootstrap.servers", bootstrap);
        DetectionBench.ensure(bootstrap, topics);
        Instant to = Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS);
        Instant from = to.minus(Duration.ofDays(1));
        long t0 = System.nanoTime();
        Day day = new Day(hosts, n, from, to);
        // the host samples on a thread of their own, beside the ARP traffic
        java.util.concurrent.CompletableFuture<Long> hostsDone =
            java.util.concurrent.CompletableFuture.supplyAsync(
                () -> {
                  try {
                    return publishHosts(bootstrap, topics, samplers, from, to);
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                });
        DetectionBench.preload(bootstrap, topics, day, ARP_SENSORS, AS_LIVE);
        long hostRecords = hostsDone.get();
        double publishS = (System.nanoTime() - t0) / 1e9;
        long arpRecords = endOffsets(bootstrap, topics.arp());
        System.out.printf(
            "%none day of a lab of %,d hosts, %s to %s, published one record per batch (lz4) in"
                + " %.0f s: %,d records on arp (%,d observations, %d conflicted addresses in the"
                + " background, a 10-minute IP conflict of %s at %s; heartbeats of %d sensors"
                + " every 10 s to each of %d partitions), %,d on host (%d hosts' samples every"
                + " 10 s and their heartbeats)%n",
            hosts,
            from,
            to,
            publishS,
            arpRecords,
            day.observations,
            hosts / 1000,
            Traffic.ip(VICTIM),
            day.incidentStart,
            ARP_SENSORS.size(),
            topics.arp().partitions(),
            hostRecords,
            samplers);

        // warm-up (JIT, page cache), not reported: one of each; the replay's alerts are what the
        // live detection would have written to the alerts topic (the offline driver equals the
        // topology), so they are written there for the report
        List<Alert> alerts = new ArrayList<>();
        baseline(client, topics, from, to);
        RangeReplay.Result warm =
            RangeReplay.run(
                client,
                topics,
                DetectionConfig.defaults(),
                from,
                to,
                Duration.ZERO,
                alerts::add,
                () -> false);
        writeAlerts(bootstrap, topics, alerts);
        Map<String, Integer> kinds = new TreeMap<>();
        alerts.forEach(a -> kinds.merge(a.kind() + "/" + a.state(), 1, Integer::sum));
        System.out.printf("%s; by kind: %s%n", warm.line(), kinds);

        replayRounds(client, topics, from, to, rounds);
        reportRounds(client, topics, alerts, day);

        // calibration topics: each kind of record alone, to tell its bytes on disk
        calibrations.add(
            calibrate(
                bootstrap, "c-obs.", "arp", AS_LIVE, (p, t) -> observations(p, t, 100_000, from)));
        calibrations.add(
            calibrate(
                bootstrap,
                "c-obsbulk.",
                "arp",
                Map.of(),
                (p, t) -> observations(p, t, 100_000, from)));
        calibrations.add(
            calibrate(
                bootstrap,
                "c-hb.",
                "arp",
                AS_LIVE,
                (p, t) -> heartbeats(p, t.arp(), 30_000, from)));
        calibrations.add(
            calibrate(
                bootstrap, "c-host.", "host", AS_LIVE, (p, t) -> samples(p, t, 30_000, from)));
        counts.put(topics.arp().name(), arpRecords);
        counts.put(topics.host().name(), hostRecords);
        for (String c : calibrations) {
          String topic = c.substring(0, c.indexOf('='));
          counts.put(topic, Long.parseLong(c.substring(c.indexOf('=') + 1)));
        }
      }
      // the broker is closed: its active segments' indexes are trimmed to what they hold, as a
      // rolled segment's are
      disk = disk(work.resolve("broker").resolve("kafka"), counts);
      diskTable(disk, topics, n / hosts);
    } finally {
      try (var files = Files.walk(work)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  // ---- the day

  /**
   * The day's ARP observations in event-time order: the lab's background traffic ({@link Traffic}),
   * evenly over {@code [from, to)}, and the mid-day incident: {@link #VICTIM}'s own MAC answering
   * every 30 s from half an hour before to half an hour after, an intruder answering for its
   * address every 15 s for 10 minutes in the middle.
   */
  static final class Day implements Iterable<ArpObservation> {
    final int hosts;
    final int observations;
    final Instant from;
    final Instant incidentStart;
    final long stepNanos;
    final List<ArpObservation> incident = new ArrayList<>();

    Day(int hosts, int background, Instant from, Instant to) {
      this.hosts = hosts;
      this.from = from;
      this.stepNanos = Duration.between(from, to).toNanos() / background;
      this.incidentStart = from.plus(Duration.ofHours(12)).truncatedTo(ChronoUnit.MINUTES);
      IpAddress ip = Traffic.ip(VICTIM);
      for (Instant t = incidentStart.minus(Duration.ofMinutes(30));
          t.isBefore(incidentStart.plus(Duration.ofMinutes(40)));
          t = t.plusSeconds(15)) {
        boolean during = !t.isBefore(incidentStart) && t.isBefore(incidentStart.plusSeconds(600));
        if (t.getEpochSecond() % 30 == 0) {
          incident.add(DetectionBench.reply(ip, Traffic.mac(VICTIM), t));
        }
        if (during) {
          incident.add(DetectionBench.reply(ip, INTRUDER, t.plusMillis(700)));
        }
      }
      incident.sort(Comparator.comparing(ArpObservation::eventTime));
      this.observations = background + incident.size();
    }

    @Override
    public Iterator<ArpObservation> iterator() {
      Traffic traffic = new Traffic(hosts);
      return new Iterator<ArpObservation>() {
        int i;
        int k;
        ArpObservation next = background();

        private ArpObservation background() {
          return i < observations - incident.size()
              ? traffic.next(from.plusNanos(stepNanos * i++).truncatedTo(ChronoUnit.MILLIS))
              : null;
        }

        @Override
        public boolean hasNext() {
          return next != null || k < incident.size();
        }

        @Override
        public ArpObservation next() {
          if (!hasNext()) {
            throw new NoSuchElementException();
          }
          if (k < incident.size()
              && (next == null || incident.get(k).eventTime().isBefore(next.eventTime()))) {
            return incident.get(k++);
          }
          ArpObservation out = next;
          next = background();
          return out;
        }
      };
    }
  }

  /**
   * {@code samplers} hosts' samples every 10 s over {@code [from, to)} and each host sensor's
   * heartbeat every 10 s to every partition; the first host holds the mid-day incident's address.
   * Returns the records written.
   */
  static long publishHosts(String bootstrap, Topics topics, int samplers, Instant from, Instant to)
      throws Exception {
    Random random = new Random(17);
    long written = 0;
    int samples = (int) (Duration.between(from, to).toSeconds() / 10);
    AtomicReference<Exception> failed = new AtomicReference<>();
    try (KafkaProducer<String, SensorEvent> p =
        DetectionBench.producer(bootstrap, topics, AS_LIVE)) {
      for (int i = 0; i < samples; i++) {
        for (int h = 0; h < samplers; h++) {
          HostMetrics m =
              MetricsBench.sample(
                  from, h, i, random, h == 0 ? Traffic.ip(VICTIM) : MetricsBench.ip(h + 1));
          send(p, topics.host().name(), null, m.sensorId(), m, failed);
          written++;
          Heartbeat beat =
              new Heartbeat(m.eventTime(), m.sensorId(), 10_000, new Heartbeat.Capture(i, 0, 0));
          for (int part = 0; part < topics.host().partitions(); part++) {
            send(p, topics.host().name(), part, m.sensorId(), beat, failed);
            written++;
          }
        }
      }
      p.flush();
    }
    if (failed.get() != null) {
      throw new IllegalStateException("publishing the host samples failed", failed.get());
    }
    return written;
  }

  static void send(
      KafkaProducer<String, SensorEvent> p,
      String topic,
      Integer partition,
      String key,
      SensorEvent e,
      AtomicReference<Exception> failed) {
    p.send(
        new ProducerRecord<>(topic, partition, e.eventTime().toEpochMilli(), key, e),
        (meta, ex) -> {
          if (ex != null) {
            failed.compareAndSet(null, ex);
          }
        });
  }

  /** The alerts, as the detection writes them: keyed by fingerprint, at their event time. */
  static void writeAlerts(String bootstrap, Topics topics, List<Alert> alerts) {
    Map<String, Object> props = new HashMap<>();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<String, Alert> p =
        new KafkaProducer<>(
            props,
            topics.alerts().keySerde().serializer(),
            topics.alerts().valueSerde().serializer())) {
      for (Alert a : alerts) {
        p.send(
            new ProducerRecord<>(
                topics.alerts().name(), null, a.updatedAt().toEpochMilli(), a.fingerprint(), a));
      }
      p.flush();
    }
  }

  static long endOffsets(String bootstrap, Topic<?, ?> topic) {
    try (KafkaConsumer<byte[], byte[]> c = rawConsumer(Map.of("bootstrap.servers", bootstrap))) {
      List<TopicPartition> tps = partitions(c, List.of(topic.name()));
      return c.endOffsets(tps).values().stream().mapToLong(Long::longValue).sum();
    }
  }

  static KafkaConsumer<byte[], byte[]> rawConsumer(Map<String, Object> client) {
    Map<String, Object> props = new HashMap<>(client);
    return new KafkaConsumer<>(
        props,
        new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
        new org.apache.kafka.common.serialization.ByteArrayDeserializer());
  }

  static List<TopicPartition> partitions(KafkaConsumer<?, ?> c, List<String> topics) {
    List<TopicPartition> out = new ArrayList<>();
    for (String t : topics) {
      c.partitionsFor(t).forEach(i -> out.add(new TopicPartition(i.topic(), i.partition())));
    }
    return out;
  }

  // ---- replay against the plain consumer

  record Read(long records, double seconds, long peakHeap) {}

  /**
   * The baseline: a plain consumer (defaults, no group) assigned every partition of arp, host and
   * snmp, each from the offset {@code offsetsForTimes(from)} gives to the one {@code
   * offsetsForTimes(to)} gives (or its end), decoding every value with its topic's serde.
   */
  static Read baseline(Map<String, Object> client, Topics topics, Instant from, Instant to) {
    long start = System.nanoTime();
    Map<String, Deserializer<SensorEvent>> decoders = new HashMap<>();
    for (Topic<String, SensorEvent> t : List.of(topics.arp(), topics.host(), topics.snmp())) {
      decoders.put(t.name(), t.valueSerde().deserializer());
    }
    long read = 0;
    long decoded = 0;
    try (KafkaConsumer<byte[], byte[]> c = rawConsumer(client)) {
      List<TopicPartition> tps =
          partitions(c, List.of(topics.arp().name(), topics.host().name(), topics.snmp().name()));
      Map<TopicPartition, Long> ends = c.endOffsets(tps);
      Map<TopicPartition, OffsetAndTimestamp> starts = c.offsetsForTimes(at(tps, from));
      Map<TopicPartition, OffsetAndTimestamp> stops = c.offsetsForTimes(at(tps, to));
      Map<TopicPartition, Long> stopAt = new HashMap<>();
      List<TopicPartition> reading = new ArrayList<>();
      for (TopicPartition tp : tps) {
        long s = starts.get(tp) == null ? ends.get(tp) : starts.get(tp).offset();
        long e = stops.get(tp) == null ? ends.get(tp) : stops.get(tp).offset();
        if (e > s) {
          stopAt.put(tp, e);
          reading.add(tp);
        }
      }
      c.assign(reading);
      for (TopicPartition tp : reading) {
        c.seek(tp, starts.get(tp).offset());
      }
      while (!reading.isEmpty()) {
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
          if (r.offset() < stopAt.get(new TopicPartition(r.topic(), r.partition()))) {
            read++;
            if (decoders.get(r.topic()).deserialize(r.topic(), r.value()) != null) {
              decoded++;
            }
          }
        }
        List<TopicPartition> done = new ArrayList<>();
        for (TopicPartition tp : reading) {
          if (c.position(tp) >= stopAt.get(tp)) {
            done.add(tp);
          }
        }
        if (!done.isEmpty()) {
          reading.removeAll(done);
          c.pause(done);
        }
      }
    }
    if (decoded != read) {
      throw new IllegalStateException("the baseline decoded " + decoded + " of " + read);
    }
    return new Read(read, (System.nanoTime() - start) / 1e9, 0);
  }

  static Map<TopicPartition, Long> at(List<TopicPartition> tps, Instant t) {
    Map<TopicPartition, Long> q = new HashMap<>();
    tps.forEach(tp -> q.put(tp, t.toEpochMilli()));
    return q;
  }

  /** {@code labwatch replay --from FROM --to TO}, as its command runs it; heap sampled. */
  static Read replay(Map<String, Object> client, Topics topics, Instant from, Instant to) {
    AtomicBoolean done = new AtomicBoolean();
    AtomicLong peak = new AtomicLong();
    Thread sampler =
        new Thread(
            () -> {
              var memory = ManagementFactory.getMemoryMXBean();
              while (!done.get()) {
                peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                try {
                  Thread.sleep(10);
                } catch (InterruptedException e) {
                  return;
                }
              }
            });
    System.gc();
    sampler.setDaemon(true);
    sampler.start();
    long start = System.nanoTime();
    long[] told = {0};
    RangeReplay.Result r =
        RangeReplay.run(
            client,
            topics,
            DetectionConfig.defaults(),
            from,
            to,
            Duration.ZERO,
            a -> told[0]++,
            () -> false);
    double s = (System.nanoTime() - start) / 1e9;
    done.set(true);
    // the records read: those told, the heartbeats' copies skipped and any undecodable
    return new Read(r.records() + r.duplicateHeartbeats() + r.undecodable(), s, peak.get());
  }

  static void replayRounds(
      Map<String, Object> client, Topics topics, Instant from, Instant to, int rounds) {
    System.out.printf(
        "%nreplay of the day (arp, host and snmp, %s to %s) against a plain consumer reading and"
            + " decoding the same range; %d rounds, alternating which goes first%n",
        from, to, rounds);
    System.out.printf(
        "| round |   records | baseline rec/s | replay rec/s | × baseline | replay peak heap MB |%n");
    System.out.printf(
        "|-------|-----------|----------------|--------------|------------|---------------------|%n");
    double[] ratios = new double[rounds];
    double[] base = new double[rounds];
    double[] rep = new double[rounds];
    for (int i = 0; i < rounds; i++) {
      Read b;
      Read r;
      if (i % 2 == 0) {
        b = baseline(client, topics, from, to);
        r = replay(client, topics, from, to);
      } else {
        r = replay(client, topics, from, to);
        b = baseline(client, topics, from, to);
      }
      if (b.records != r.records) {
        System.out.printf(
            "note: the baseline read %,d records, the replay %,d%n", b.records, r.records);
      }
      base[i] = b.records / b.seconds;
      rep[i] = r.records / r.seconds;
      ratios[i] = b.seconds / r.seconds;
      System.out.printf(
          "| %5d | %,9d | %,14.0f | %,12.0f | %10.2f | %19d |%n",
          i + 1, b.records, base[i], rep[i], ratios[i], r.peakHeap >> 20);
    }
    Arrays.sort(ratios);
    Arrays.sort(base);
    Arrays.sort(rep);
    System.out.printf(
        "| median |          | %,14.0f | %,12.0f | %10.2f |                     |%n",
        base[rounds / 2], rep[rounds / 2], ratios[rounds / 2]);
    System.out.printf(
        "median × baseline: %.2f (min %.2f, max %.2f); replay peak heap: the highest used heap"
            + " sampled every 10 ms (garbage included), JVM -Xmx%d m%n",
        ratios[rounds / 2], ratios[0], ratios[rounds - 1], Runtime.getRuntime().maxMemory() >> 20);
  }

  // ---- report

  static void reportRounds(Map<String, Object> client, Topics topics, List<Alert> alerts, Day day) {
    // each incident's last record says how long it was
    Map<String, Alert> last = new HashMap<>();
    alerts.forEach(a -> last.put(a.incidentId(), a));
    Alert midday = null;
    Alert longest = null;
    for (Alert a : last.values()) {
      if (a.kind().equals("IP_CONFLICT") && a.subject().equals(Traffic.ip(VICTIM).toString())) {
        midday = a;
      } else if (a.state() == AlertState.RESOLVED
          && (longest == null || length(a).compareTo(length(longest)) > 0)) {
        longest = a;
      }
    }
    System.out.printf(
        "%nlabwatch report INCIDENT: ReportCollector.incident(id, now) + ReportPage.render, in"
            + " this process, median of 3%n");
    System.out.printf(
        "| %-62s | %12s | %6s | %8s | %9s |%n", "incident", "length", "claims", "ms", "HTML KB");
    System.out.printf(
        "|%s|%s|%s|%s|%s|%n",
        "-".repeat(64), "-".repeat(14), "-".repeat(8), "-".repeat(10), "-".repeat(11));
    if (midday == null) {
      System.out.printf("no IP_CONFLICT of %s among the alerts%n", Traffic.ip(VICTIM));
    } else {
      report(client, topics, midday.incidentId(), length(midday));
    }
    if (longest != null) {
      report(client, topics, longest.incidentId(), length(longest));
    }
  }

  static Duration length(Alert a) {
    Instant end = a.endedAt() != null ? a.endedAt() : a.updatedAt();
    return Duration.between(a.startedAt(), end);
  }

  static void report(Map<String, Object> client, Topics topics, String id, Duration length) {
    long[] ms = new long[3];
    int bytes = 0;
    int claims = 0;
    for (int i = 0; i < ms.length; i++) {
      long start = System.nanoTime();
      Instant now = Instant.now();
      ReportData data = new ReportCollector(client, topics).incident(id, now);
      String html = ReportPage.render(data, now);
      ms[i] = (System.nanoTime() - start) / 1_000_000;
      bytes = html.getBytes(StandardCharsets.UTF_8).length;
      claims = data.claims().size();
    }
    Arrays.sort(ms);
    System.out.printf(
        "| %-62s | %12s | %,6d | %,8d | %,9d |%n",
        id,
        length
            .truncatedTo(ChronoUnit.SECONDS)
            .toString()
            .substring(2)
            .toLowerCase(java.util.Locale.ROOT),
        claims,
        ms[1],
        bytes >> 10);
  }

  // ---- disk

  interface Publish {
    long to(KafkaProducer<String, SensorEvent> p, Topics topics) throws Exception;
  }

  /** A topic of its own holding one kind of record; returns "topic=records". */
  static String calibrate(
      String bootstrap, String prefix, String which, Map<String, Object> producer, Publish publish)
      throws Exception {
    Topics t = Topics.withPrefix(prefix);
    DetectionBench.ensure(bootstrap, t);
    long n;
    try (KafkaProducer<String, SensorEvent> p = DetectionBench.producer(bootstrap, t, producer)) {
      n = publish.to(p, t);
      p.flush();
    }
    return t.find(which).orElseThrow().name() + "=" + n;
  }

  static long observations(KafkaProducer<String, SensorEvent> p, Topics t, int n, Instant from) {
    Traffic traffic = new Traffic(10_000);
    AtomicReference<Exception> failed = new AtomicReference<>();
    for (int i = 0; i < n; i++) {
      ArpObservation o = traffic.next(from.plusMillis(86L * i));
      send(p, t.arp().name(), null, o.key(), o, failed);
    }
    return n;
  }

  static long heartbeats(
      KafkaProducer<String, SensorEvent> p, Topic<String, SensorEvent> topic, int n, Instant from) {
    AtomicReference<Exception> failed = new AtomicReference<>();
    for (int i = 0; i < n; i++) {
      String sensor = ARP_SENSORS.get(i % ARP_SENSORS.size());
      Heartbeat h =
          new Heartbeat(
              from.plusSeconds(10L * (i / 9)),
              sensor,
              10_000,
              new Heartbeat.Capture(1_000L * i, 0, 0));
      send(p, topic.name(), i / 3 % topic.partitions(), sensor, h, failed);
    }
    return n;
  }

  static long samples(KafkaProducer<String, SensorEvent> p, Topics t, int n, Instant from) {
    Random random = new Random(18);
    AtomicReference<Exception> failed = new AtomicReference<>();
    for (int i = 0; i < n; i++) {
      HostMetrics m = MetricsBench.sample(from, i % 100, i / 100, random, MetricsBench.ip(i % 100));
      send(p, t.host().name(), null, m.sensorId(), m, failed);
    }
    return n;
  }

  record Disk(long records, long bytes, long logBytes) {
    double perRecord() {
      return records == 0 ? 0 : bytes / (double) records;
    }
  }

  /** Every file of each topic's partition directories, after the broker closed. */
  static Map<String, Disk> disk(Path logDir, Map<String, Long> counts) throws Exception {
    Map<String, Disk> out = new TreeMap<>();
    for (Map.Entry<String, Long> e : counts.entrySet()) {
      long bytes = 0;
      long log = 0;
      try (var dirs = Files.list(logDir)) {
        for (Path d :
            dirs.filter(
                    d ->
                        d.getFileName()
                            .toString()
                            .matches(java.util.regex.Pattern.quote(e.getKey()) + "-[0-9]+"))
                .toList()) {
          try (var files = Files.list(d)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
              long size = Files.size(f);
              bytes += size;
              if (f.getFileName().toString().endsWith(".log")) {
                log += size;
              }
            }
          }
        }
      }
      out.put(e.getKey(), new Disk(e.getValue(), bytes, log));
    }
    return out;
  }

  static void diskTable(Map<String, Disk> disk, Topics topics, int observationsPerHost) {
    System.out.printf(
        "%nbytes on disk per record (all files of the partitions' directories — segments, offset"
            + " and time indexes, snapshots — after a clean shutdown trimmed the indexes)%n");
    System.out.printf(
        "| %-60s | %9s | %11s | %9s | %10s |%n",
        "topic: what it holds", "records", "bytes", "B/record", "of it .log");
    System.out.printf(
        "|%s|%s|%s|%s|%s|%n",
        "-".repeat(62), "-".repeat(11), "-".repeat(13), "-".repeat(11), "-".repeat(12));
    Map<String, String> what = new HashMap<>();
    what.put(topics.arp().name(), "the day's arp (observations + heartbeats), one per batch");
    what.put(topics.host().name(), "the day's host (samples + heartbeats), one per batch");
    what.put("c-obs.arp", "ARP observations only, one per batch");
    what.put("c-obsbulk.arp", "ARP observations only, bulk (linger 5 ms, 16 KB batches)");
    what.put("c-hb.arp", "sensor heartbeats only, one per batch");
    what.put("c-host.host", "host samples only, one per batch");
    disk.forEach(
        (topic, d) ->
            System.out.printf(
                "| %-60s | %,9d | %,11d | %9.0f | %9.0f%% |%n",
                what.getOrDefault(topic, topic),
                d.records,
                d.bytes,
                d.perRecord(),
                100.0 * d.logBytes / Math.max(1, d.bytes)));
    double obs = disk.get("c-obs.arp").perRecord();
    double hb = disk.get("c-hb.arp").perRecord();
    double sample = disk.get("c-host.host").perRecord();
    long perDay = 8_640;
    System.out.printf(
        "%ndisk per 100 hosts per day (records per day × measured bytes per record, one record"
            + " per batch as written live; before replication: × the replication factor)%n");
    System.out.printf(
        "| %-70s | %12s | %9s | %8s |%n", "what", "records/day", "B/record", "MB/day");
    System.out.printf(
        "|%s|%s|%s|%s|%n", "-".repeat(72), "-".repeat(14), "-".repeat(11), "-".repeat(10));
    row(
        "arp: observations, " + observationsPerHost + " per host per day (this lab's rate)",
        100L * observationsPerHost,
        obs);
    row("host: samples, one per 10 s per host", 100 * perDay, sample);
    row("host: the host sensors' heartbeats, every 10 s × 3 partitions", 300 * perDay, hb);
    double total = 100L * observationsPerHost * obs + 100 * perDay * sample + 300 * perDay * hb;
    System.out.printf(
        "| %-70s | %12s | %9s | %8.1f |%n", "total per 100 hosts", "", "", total / 1e6);
    row(
        "(per ARP sensor, whatever the hosts: heartbeats every 10 s × 3 partitions)",
        3 * perDay,
        hb);
    System.out.printf(
        "30 days' retention: %.1f GB per 100 hosts (+ %.1f MB per ARP sensor)%n",
        30 * total / 1e9, 30 * 3 * perDay * hb / 1e6);
  }

  static void row(String what, long records, double perRecord) {
    System.out.printf(
        "| %-70s | %,12d | %9.0f | %8.1f |%n", what, records, perRecord, records * perRecord / 1e6);
  }
}
