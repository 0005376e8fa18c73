package io.labwatch.bench;

import io.labwatch.app.broker.EmbeddedBroker;
import io.labwatch.app.kafka.TopicManager;
import io.labwatch.events.ArpObservation;
import io.labwatch.events.Heartbeat;
import io.labwatch.events.SensorEvent;
import io.labwatch.events.Topic;
import io.labwatch.events.Topics;
import io.labwatch.producers.arp.ArpParser;
import io.labwatch.producers.arp.ArpSensor;
import io.labwatch.producers.arp.ArpSensorConfig;
import io.labwatch.producers.arp.LinkType;
import io.labwatch.producers.arp.ParseStats;
import io.labwatch.producers.arp.PcapReplay;
import io.labwatch.producers.publish.EventPublisher;
import io.labwatch.producers.publish.KafkaEventPublisher;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.Pcaps;
import org.pcap4j.packet.EthernetPacket;
import org.pcap4j.packet.IllegalRawDataException;

/**
 * The ARP sensor's benchmarks (issue 3). Each reports a ratio against a baseline measured in the
 * same run:
 *
 * <ul>
 *   <li>{@code parse}: parse + classify a capture of 1 M frames, single thread, against pcap4j's
 *       own packet decoding of the same frames;
 *   <li>{@code publish}: {@code --pcap} to an embedded broker against a plain producer sending the
 *       same observations;
 *   <li>{@code live}: kernel drops and lost frames at 10 k, 50 k and 100 k ARP packets/s injected
 *       into a veth pair (root), against the number injected.
 * </ul>
 *
 * <p>{@code bench/arp [parse|publish|live|all]}; see BENCHMARKS.md.
 */
public final class ArpBench {

  private static final int FRAMES = 1_000_000;
  private static final int PUBLISH_FRAMES = 500_000;

  public static void main(String[] args) throws Exception {
    String what = args.length > 0 ? args[0] : "all";
    Path work = Files.createTempDirectory("labwatch-bench");
    try {
      System.out.printf(
          "machine: %d cores, %s %s%n",
          Runtime.getRuntime().availableProcessors(),
          System.getProperty("java.vm.name"),
          System.getProperty("java.version"));
      if (what.equals("parse") || what.equals("all")) {
        parse(work);
      }
      if (what.equals("publish") || what.equals("all")) {
        publish(work);
      }
      if (what.equals("live") || what.equals("all")) {
        live(args.length > 1 ? Path.of(args[1]) : Path.of("bench", "target", "arpflood"));
      }
    } finally {
      try (var files = Files.walk(work)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  // ---- parse

  static void parse(Path work) throws IOException {
    Path file = work.resolve("arp-1m.pcap");
    writePcap(file, frames(FRAMES));
    // the capture, read back through libpcap into memory (not timed)
    List<byte[]> frames = new ArrayList<>(FRAMES);
    List<Instant> times = new ArrayList<>(FRAMES);
    try (PcapHandle h = Pcaps.openOffline(file.toString(), PcapHandle.TimestampPrecision.NANO)) {
      while (true) {
        try {
          frames.add(h.getNextRawPacketEx());
          times.add(h.getTimestamp().toInstant());
        } catch (java.io.EOFException e) {
          break;
        } catch (java.util.concurrent.TimeoutException | PcapNativeException | NotOpenException e) {
          throw new IOException("cannot read " + file, e);
        }
      }
    } catch (PcapNativeException e) {
      throw new IOException("cannot open " + file, e);
    }
    System.out.printf(
        "%nparse + classify: %,d frames (%s, %,d bytes), one thread%n",
        frames.size(), file.getFileName(), Files.size(file));

    ParseStats stats = new ParseStats();
    ArpParser parser = new ArpParser("bench", "eth0", LinkType.ETHERNET, stats);
    Runnable labwatch =
        () -> {
          long n = 0;
          for (int i = 0; i < frames.size(); i++) {
            byte[] f = frames.get(i);
            if (parser.parse(f, f.length, times.get(i)) != null) {
              n++;
            }
          }
          sink += n;
        };
    Runnable pcap4j =
        () -> {
          long n = 0;
          for (byte[] f : frames) {
            try {
              n += EthernetPacket.newPacket(f, 0, f.length).length();
            } catch (IllegalRawDataException e) {
              n--;
            }
          }
          sink += n;
        };
    double[] rates = alternate(5, 3, frames.size(), pcap4j, labwatch);
    System.out.printf("| %-52s | %14s | %10s |%n", "case", "frames/s", "× baseline");
    System.out.printf("|%s|%s|%s|%n", "-".repeat(54), "-".repeat(16), "-".repeat(12));
    System.out.printf(
        "| %-52s | %,14.0f | %10s |%n",
        "baseline: pcap4j EthernetPacket.newPacket", rates[0], "1.0");
    System.out.printf(
        "| %-52s | %,14.0f | %10.1f |%n",
        "labwatch ArpParser (decode + classify + event)", rates[1], rates[1] / rates[0]);
    System.out.printf(
        "observations per pass: %,d (skipped: %,d)%n",
        stats.parsedCount() / 8, stats.skippedCount() / 8);
  }

  static volatile long sink;

  /** Runs a and b alternately (warm-ups first); returns their median rates in items/s. */
  static double[] alternate(int rounds, int warmups, long items, Runnable a, Runnable b) {
    for (int i = 0; i < warmups; i++) {
      a.run();
      b.run();
    }
    double[] ra = new double[rounds];
    double[] rb = new double[rounds];
    for (int i = 0; i < rounds; i++) {
      ra[i] = items / seconds(a);
      rb[i] = items / seconds(b);
    }
    return new double[] {median(ra), median(rb)};
  }

  static double seconds(Runnable r) {
    long start = System.nanoTime();
    r.run();
    return (System.nanoTime() - start) / 1e9;
  }

  static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  // ---- publish

  static void publish(Path work) throws Exception {
    Path file = work.resolve("arp-500k.pcap");
    writePcap(file, frames(PUBLISH_FRAMES));
    System.out.printf(
        "%n--pcap to Kafka: %,d frames, embedded broker, same producer settings%n", PUBLISH_FRAMES);
    try (EmbeddedBroker broker = EmbeddedBroker.start(work.resolve("broker"), "127.0.0.1", 0)) {
      Map<String, Object> props = Map.of("bootstrap.servers", broker.bootstrapServers());
      // the same observations, parsed beforehand, for the plain producer
      CollectingPublisher parsed = new CollectingPublisher();
      PcapReplay.replay(file, "bench", Duration.ofSeconds(10), parsed);
      List<ArpObservation> observations = parsed.observations;

      double[] raw = new double[3];
      double[] replay = new double[3];
      for (int round = 0; round < 4; round++) {
        Topics rawTopics = Topics.withPrefix("raw" + round + ".");
        Topics replayTopics = Topics.withPrefix("replay" + round + ".");
        try (Admin admin = Admin.create(props)) {
          new TopicManager(admin).ensure(List.of(rawTopics.arp(), replayTopics.arp()), -1);
        }
        double r =
            observations.size() / seconds(() -> rawProducer(rawTopics.arp(), props, observations));
        double p =
            PUBLISH_FRAMES
                / seconds(
                    () -> {
                      try (KafkaEventPublisher publisher =
                          new KafkaEventPublisher(replayTopics.arp(), props)) {
                        PcapReplay.replay(file, "bench", Duration.ofSeconds(10), publisher);
                      }
                    });
        if (round > 0) { // round 0 warms up
          raw[round - 1] = r;
          replay[round - 1] = p;
        }
      }
      double rawRate = median(raw);
      double replayRate = median(replay);
      System.out.printf("| %-52s | %14s | %10s |%n", "case", "records/s", "× baseline");
      System.out.printf("|%s|%s|%s|%n", "-".repeat(54), "-".repeat(16), "-".repeat(12));
      System.out.printf(
          "| %-52s | %,14.0f | %10s |%n",
          "baseline: KafkaProducer.send of parsed observations", rawRate, "1.0");
      System.out.printf(
          "| %-52s | %,14.0f | %10.2f |%n",
          "labwatch sensor arp --pcap (read + parse + publish)", replayRate, replayRate / rawRate);
    }
  }

  private static void rawProducer(
      Topic<String, SensorEvent> topic,
      Map<String, Object> props,
      List<ArpObservation> observations) {
    Map<String, Object> p = new java.util.HashMap<>(props);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    try (KafkaProducer<String, SensorEvent> producer =
        new KafkaProducer<>(p, topic.keySerde().serializer(), topic.valueSerde().serializer())) {
      for (ArpObservation o : observations) {
        producer.send(
            new ProducerRecord<>(topic.name(), null, o.eventTime().toEpochMilli(), o.key(), o));
      }
      producer.flush();
    }
  }

  // ---- live

  static void live(Path arpflood) throws Exception {
    if (!Files.isExecutable(arpflood)) {
      throw new IllegalStateException(arpflood + " is missing (bench/arp compiles it)");
    }
    String a = "lwbench0";
    String b = "lwbench1";
    run("ip", "link", "add", a, "type", "veth", "peer", "name", b);
    try {
      for (String i : List.of(a, b)) {
        run("sysctl", "-qw", "net.ipv6.conf." + i + ".disable_ipv6=1");
        run("ip", "link", "set", i, "up");
      }
      System.out.printf(
          "%nlive capture on a veth pair: 5 s of ARP replies at each rate, one sensor%n");
      liveSeries(arpflood, a, b, "observations counted in memory", null);
      Path dir = Files.createTempDirectory("labwatch-bench-live");
      try (EmbeddedBroker broker = EmbeddedBroker.start(dir, "127.0.0.1", 0)) {
        Topics topics = Topics.withPrefix("live.");
        Map<String, Object> props = Map.of("bootstrap.servers", broker.bootstrapServers());
        try (Admin admin = Admin.create(props)) {
          new TopicManager(admin).ensure(List.of(topics.arp()), -1);
        }
        liveSeries(
            arpflood,
            a,
            b,
            "published to an embedded broker on the same 2 cores",
            new KafkaEventPublisher(topics.arp(), props));
      }
    } finally {
      run("ip", "link", "del", a);
    }
  }

  private static void liveSeries(
      Path arpflood, String a, String b, String what, EventPublisher downstream) throws Exception {
    CountingPublisher counter = new CountingPublisher(downstream);
    ArpSensorConfig config =
        new ArpSensorConfig(List.of(b), true, "bench", Duration.ofSeconds(1), null);
    System.out.printf("%n%s:%n", what);
    System.out.printf(
        "| %-22s | %10s | %12s | %12s | %14s |%n",
        "injected rate", "sent", "observations", "kernel drops", "lost (× sent)");
    System.out.printf(
        "|%s|%s|%s|%s|%s|%n",
        "-".repeat(24), "-".repeat(12), "-".repeat(14), "-".repeat(14), "-".repeat(16));
    try (ArpSensor sensor = ArpSensor.start(config, counter, Clock.systemUTC())) {
      Thread.sleep(1000);
      for (int rate : new int[] {10_000, 50_000, 100_000}) {
        long obsBefore = counter.observations.sum();
        Heartbeat.Capture before = sensor.captureStats().get("bench");
        Process p =
            new ProcessBuilder(arpflood.toString(), a, Integer.toString(rate), "5")
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        p.waitFor(30, TimeUnit.SECONDS);
        Thread.sleep(1500); // let the capture drain
        long sent = Long.parseLong(out);
        long seen = counter.observations.sum() - obsBefore;
        Heartbeat.Capture after = sensor.captureStats().get("bench");
        long drops = after.dropped() - before.dropped();
        System.out.printf(
            "| %,16d pkt/s | %,10d | %,12d | %,12d | %14.4f |%n",
            rate, sent, seen, drops, (double) (sent - seen) / sent);
      }
    } finally {
      counter.close();
    }
  }

  private static void run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes()).trim();
    if (p.waitFor() != 0) {
      throw new IOException(String.join(" ", command) + ": " + out);
    }
  }

  // ---- frames

  /** ARP replies, requests and announcements over 50 k addresses, a tenth VLAN-tagged. */
  static List<byte[]> frames(int n) {
    ThreadLocalRandom rnd = ThreadLocalRandom.current();
    List<byte[]> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int host = rnd.nextInt(50_000);
      boolean tagged = rnd.nextInt(10) == 0;
      int kind = rnd.nextInt(10); // 0-6 reply, 7-8 request, 9 announcement
      byte[] f = new byte[tagged ? 64 : 60];
      int at = 12;
      byte[] mac = {0x3c, (byte) 0xfd, (byte) 0xfe, 0, (byte) (host >> 8), (byte) host};
      System.arraycopy(mac, 0, f, 6, 6);
      if (tagged) {
        f[12] = (byte) 0x81;
        f[14] = 0;
        f[15] = 20;
        at = 16;
      }
      f[at] = 0x08;
      f[at + 1] = 0x06;
      int arp = at + 2;
      f[arp + 1] = 1;
      f[arp + 2] = 0x08;
      f[arp + 4] = 6;
      f[arp + 5] = 4;
      f[arp + 7] = (byte) (kind < 7 ? 2 : 1);
      System.arraycopy(mac, 0, f, arp + 8, 6);
      byte[] ip = {10, 77, (byte) (host >> 8), (byte) host};
      System.arraycopy(ip, 0, f, arp + 14, 4);
      if (kind == 9) {
        System.arraycopy(ip, 0, f, arp + 24, 4);
      } else {
        f[arp + 24] = 10;
        f[arp + 25] = 77;
        f[arp + 27] = 1;
      }
      if (kind < 7) {
        f[0] = 0x00;
        f[1] = 0x1b;
        f[2] = 0x21;
        f[5] = 1;
      } else {
        Arrays.fill(f, 0, 6, (byte) 0xff);
      }
      out.add(f);
    }
    return out;
  }

  /** A classic little-endian pcap, microsecond timestamps 10 µs apart. */
  static void writePcap(Path file, List<byte[]> frames) throws IOException {
    try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20);
        DataOutputStream out = new DataOutputStream(os)) {
      out.write(le32(0xa1b2c3d4));
      out.write(new byte[] {2, 0, 4, 0});
      out.write(le32(0));
      out.write(le32(0));
      out.write(le32(65535));
      out.write(le32(1));
      long usec = Instant.parse("2026-11-25T14:00:00Z").getEpochSecond() * 1_000_000L;
      for (byte[] f : frames) {
        out.write(le32((int) (usec / 1_000_000)));
        out.write(le32((int) (usec % 1_000_000)));
        out.write(le32(f.length));
        out.write(le32(f.length));
        out.write(f);
        usec += 10;
      }
    }
  }

  private static byte[] le32(int v) {
    return new byte[] {(byte) v, (byte) (v >> 8), (byte) (v >> 16), (byte) (v >> 24)};
  }

  static final class CollectingPublisher implements EventPublisher {
    final List<ArpObservation> observations = new ArrayList<>();

    @Override
    public void observation(ArpObservation o) {
      observations.add(o);
    }

    @Override
    public void heartbeat(Heartbeat h) {}

    @Override
    public void close() {}
  }

  /** Counts observations, and passes them on when given somewhere to. */
  static final class CountingPublisher implements EventPublisher {
    final LongAdder observations = new LongAdder();
    private final EventPublisher downstream;

    CountingPublisher(EventPublisher downstream) {
      this.downstream = downstream;
    }

    @Override
    public void observation(ArpObservation o) {
      observations.increment();
      if (downstream != null) {
        downstream.observation(o);
      }
    }

    @Override
    public void heartbeat(Heartbeat h) {
      if (downstream != null) {
        downstream.heartbeat(h);
      }
    }

    @Override
    public void flush() {
      if (downstream != null) {
        downstream.flush();
      }
    }

    @Override
    public void close() {
      if (downstream != null) {
        downstream.close();
      }
    }
  }

  private ArpBench() {}
}
