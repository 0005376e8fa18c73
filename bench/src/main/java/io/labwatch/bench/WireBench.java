package io.labwatch.bench;

import io.labwatch.events.ArpObservation;
import io.labwatch.events.IpAddress;
import io.labwatch.events.MacAddress;
import io.labwatch.events.SensorEvent;
import io.labwatch.events.Topics;
import io.labwatch.sinks.testing.FakeSlack;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.pcap4j.core.PcapHandle;

/**
 * Wire to Slack (issue 7): {@code labwatch run} — the packaged jar in its own JVM — captures on one
 * end of a veth pair inside a network namespace of its own; this program sends ARP on the other
 * end: a steady background of benign replies and, now and then, a conflict — first a series where
 * two MACs answer one asker 100 ms apart, then the seed as the window rules cannot see it (the
 * server answers once, a second later the router announces the address, and both answer the
 * sensor's confirmation probe, which a responder thread here answers as both kernels would).
 * Measured per conflict: from the capture timestamp of the second MAC's first claim (as the sensor
 * published it) to the local Slack stand-in receiving the POST (issue 7; issue 13 for the probe).
 * Baseline in the same run: from the same capture timestamp to a plain consumer of labwatch.arp
 * holding the observation. Also cold start to ready, and the resident memory of labwatch run after
 * an idle minute, against {@code labwatch broker} alone.
 *
 * <p>Run inside the namespace, as root: {@code bench/wire}.
 */
public final class WireBench {

  private static final Pattern BROKER = Pattern.compile("broker {3}(\\S+) ");
  private static final Pattern READY = Pattern.compile("ready in ([0-9.]+) s");

  private WireBench() {}

  public static void main(String[] args) throws Exception {
    Path jar = Path.of(args[0]);
    String tx = args[1];
    String rx = args[2];
    int conflicts = Integer.parseInt(args[3]);
    int background = Integer.parseInt(args[4]);
    boolean memory = args.length < 6 || !args[5].equals("latency");
    Path work = Files.createTempDirectory("labwatch-bench-wire");
    System.out.printf(
        "machine: %d cores, %s %s%n",
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.vm.name"),
        System.getProperty("java.version"));

    try (FakeSlack slack = new FakeSlack()) {
      Path out = work.resolve("run.out");
      long spawned = System.nanoTime();
      Process run =
          java(
              jar,
              work,
              "run",
              out,
              slack.webhookUrl(),
              "run",
              "--data-dir",
              work.resolve("data").toString(),
              "--broker-port",
              "0",
              "--iface",
              rx,
              "--metrics-listen",
              "127.0.0.1:0");
      String banner = awaitBanner(run, out);
      long coldStartMs = (System.nanoTime() - spawned) / 1_000_000;
      Matcher ready = READY.matcher(banner);
      Matcher broker = BROKER.matcher(banner);
      if (!ready.find() || !broker.find()) {
        throw new IllegalStateException("unexpected banner: " + banner);
      }
      String bootstrap = broker.group(1);

      if (memory) {
        TimeUnit.SECONDS.sleep(60); // an idle network
      }
      long runRss = rssKb(run.pid());

      Map<IpAddress, Long> seenAtConsumer = new ConcurrentHashMap<>();
      Map<IpAddress, Instant> claimedAt = new ConcurrentHashMap<>();
      AtomicBoolean going = new AtomicBoolean(true);
      Thread consumer = consumer(bootstrap, seenAtConsumer, claimedAt, going);
      consumer.start();
      TimeUnit.SECONDS.sleep(3);

      List<IpAddress> ips = new ArrayList<>();
      List<IpAddress> probed = new ArrayList<>();
      Map<IpAddress, Integer> answering = new ConcurrentHashMap<>();
      AtomicLong sent = new AtomicLong();
      AtomicLong answers = new AtomicLong();
      try (PcapHandle handle = new PcapHandle.Builder(tx).snaplen(64).timeoutMillis(100).build();
          PcapHandle listen =
              new PcapHandle.Builder(tx)
                  .snaplen(64)
                  .timeoutMillis(10)
                  .immediateMode(true)
                  .build()) {
        Thread noise = background(handle, background, going, sent);
        noise.start();
        Thread responder = responder(handle, listen, answering, going, answers);
        responder.start();
        TimeUnit.SECONDS.sleep(5);
        // 1. two answers to one asker, 100 ms apart: a conflict on the second answer
        for (int i = 0; i < conflicts; i++) {
          IpAddress ip = IpAddress.of("10.216." + (i / 200) + "." + (i % 200 + 1));
          ips.add(ip);
          synchronized (handle) {
            handle.sendPacket(reply(mac(0x001b21, i), ip));
          }
          TimeUnit.MILLISECONDS.sleep(100);
          synchronized (handle) {
            handle.sendPacket(reply(mac(0x00a0de, i), ip));
          }
          TimeUnit.MILLISECONDS.sleep(1400); // below Slack's one message per second
        }
        // 2. the seed as the window rules cannot see it: the server answers once and is silent,
        // a second later the router announces the address; both answer whoever asks (the sensor's
        // confirmation probe), as both kernels would
        for (int i = 0; i < conflicts; i++) {
          IpAddress ip = IpAddress.of("10.217." + (i / 200) + "." + (i % 200 + 1));
          probed.add(ip);
          answering.put(ip, i);
          synchronized (handle) {
            handle.sendPacket(reply(mac(0x001b21, i), ip));
          }
          TimeUnit.MILLISECONDS.sleep(1000);
          synchronized (handle) {
            handle.sendPacket(announcement(mac(0x00a0de, i), ip));
          }
          TimeUnit.MILLISECONDS.sleep(1500);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (slack.requests().size() < 2 * conflicts && System.nanoTime() < deadline) {
          TimeUnit.MILLISECONDS.sleep(100);
        }
        going.set(false);
        noise.join();
        responder.join();
      }
      consumer.join();

      List<Long> confirmed = latencies(slack, probed, claimedAt, "both answered a probe");
      if (!probed.isEmpty()) {
        String needle = "IP conflict on " + probed.get(0) + ":";
        slack.requests().stream()
            .map(r -> r.body().path("text").asText())
            .filter(t -> t.contains(needle))
            .findFirst()
            .ifPresent(t -> System.out.println("the first confirmed conflict at Slack: " + t));
      }
      List<Long> toSlack = latencies(slack, ips, claimedAt, "");
      List<Long> toConsumer = new ArrayList<>();
      for (IpAddress ip : ips) {
        Instant claim = claimedAt.get(ip);
        Long seen = seenAtConsumer.get(ip);
        if (claim != null && seen != null) {
          toConsumer.add(seen - claim.toEpochMilli());
        }
      }
      run.destroy();
      run.waitFor(60, TimeUnit.SECONDS);

      Path bout = work.resolve("broker.out");
      Process brokerOnly =
          java(
              jar,
              work,
              "broker",
              bout,
              null,
              "broker",
              "--data-dir",
              work.resolve("data-broker").toString(),
              "--port",
              "0");
      if (memory) {
        TimeUnit.SECONDS.sleep(70);
      }
      long brokerRss = rssKb(brokerOnly.pid());
      brokerOnly.destroy();
      brokerOnly.waitFor(60, TimeUnit.SECONDS);

      System.out.printf(
          "%nWire to Slack: %d conflicts of each kind, one every 1.5-2.5 s, over %,d background"
              + " ARP packets/s"
              + " (%,d sent); Slack answered %d POSTs%n",
          conflicts, background, sent.get(), slack.requests().size());
      System.out.printf(
          "| %-58s | %6s | %6s | %6s | %6s |%n",
          "capture timestamp -> ...", "n", "p50 ms", "p99 ms", "max ms");
      System.out.printf(
          "|%s|%s|%s|%s|%s|%n",
          "-".repeat(60), "-".repeat(8), "-".repeat(8), "-".repeat(8), "-".repeat(8));
      long[] c = sorted(toConsumer);
      long[] s = sorted(toSlack);
      row("baseline: observation read by a plain consumer of arp", c);
      row("IP_CONFLICT at Slack: two answers to one asker", s);
      long[] p = sorted(confirmed);
      row("IP_CONFLICT at Slack: confirmed by the probe", p);
      System.out.printf(
          "%np99 wire->Slack / p99 wire->consumer: %.1f two answers, %.1f confirmed by the probe"
              + " (target: wire->Slack p99 < 1000 ms); the responder answered %d probe requests%n",
          pct(s, 99) / (double) Math.max(1, pct(c, 99)),
          pct(p, 99) / (double) Math.max(1, pct(c, 99)),
          answers.get());
      System.out.printf(
          "%nStart and memory%n| %-44s | %10s |%n|%s|%s|%n",
          "case", "value", "-".repeat(46), "-".repeat(12));
      System.out.printf(
          "| %-44s | %7d ms |%n", "cold start: spawn to the ready banner", coldStartMs);
      System.out.printf(
          "| %-44s | %7s s  |%n", "  (labwatch's own count, JVM start excluded)", ready.group(1));
      System.out.printf(
          "| %-44s | %7d MB |%n",
          "baseline: labwatch broker alone, RSS idle 70 s", brokerRss / 1024);
      System.out.printf(
          "| %-44s | %7d MB |%n", "labwatch run, RSS after an idle minute", runRss / 1024);
      System.out.printf(
          "| %-44s | %9.2fx |%n", "  run / broker alone", runRss / (double) brokerRss);
    }
  }

  private static Process java(
      Path jar, Path work, String name, Path out, String webhook, String... args)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-jar");
    cmd.add(jar.toString());
    cmd.addAll(Arrays.asList(args));
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .redirectOutput(out.toFile())
            .redirectError(work.resolve(name + ".err").toFile());
    if (webhook != null) {
      pb.environment().put("LABWATCH_SLACK_WEBHOOK_URL", webhook);
    }
    Process p = pb.start();
    Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
    return p;
  }

  private static String awaitBanner(Process p, Path out) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      String s = Files.exists(out) ? Files.readString(out) : "";
      if (s.contains("ready in")) {
        return s;
      }
      if (!p.isAlive()) {
        throw new IllegalStateException("labwatch run exited: " + s);
      }
      TimeUnit.MILLISECONDS.sleep(20);
    }
    throw new IllegalStateException("labwatch run not ready after 120 s");
  }

  private static long rssKb(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    throw new IllegalStateException("no VmRSS for " + pid);
  }

  /**
   * Reads labwatch.arp: when each conflict's second claim is held by a consumer, and its capture
   * time.
   */
  private static Thread consumer(
      String bootstrap,
      Map<IpAddress, Long> seenAt,
      Map<IpAddress, Instant> claimedAt,
      AtomicBoolean going) {
    Topics topics = Topics.withPrefix("labwatch.");
    Map<String, Object> c = new HashMap<>();
    c.put("bootstrap.servers", bootstrap);
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    c.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-wire-" + System.nanoTime());
    return new Thread(
        () -> {
          try (KafkaConsumer<String, SensorEvent> consumer =
              new KafkaConsumer<>(
                  c, new StringDeserializer(), topics.arp().valueSerde().deserializer())) {
            consumer.subscribe(List.of(topics.arp().name()));
            while (going.get()) {
              for (var r : consumer.poll(Duration.ofMillis(50))) {
                long now = System.currentTimeMillis();
                if (r.value() instanceof ArpObservation o
                    && o.senderMac().toString().startsWith("00:a0:de")
                    && o.senderIp() != null) {
                  claimedAt.putIfAbsent(o.senderIp(), o.eventTime());
                  seenAt.putIfAbsent(o.senderIp(), now);
                }
              }
            }
          }
        },
        "arp-consumer");
  }

  /** Benign ARP replies from 200 hosts whose addresses never change, at {@code rate} per second. */
  private static Thread background(
      PcapHandle handle, int rate, AtomicBoolean going, AtomicLong sent) {
    byte[][] frames = new byte[200][];
    for (int i = 0; i < frames.length; i++) {
      frames[i] = reply(mac(0x020000, i), IpAddress.of("10.215.0." + (i + 1)));
    }
    long every = TimeUnit.SECONDS.toNanos(1) / rate;
    return new Thread(
        () -> {
          long next = System.nanoTime();
          int i = 0;
          while (going.get()) {
            try {
              synchronized (handle) {
                handle.sendPacket(frames[i++ % frames.length]);
              }
              sent.incrementAndGet();
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
            next += every;
            long wait = next - System.nanoTime();
            if (wait > 0) {
              LockSupport.parkNanos(wait);
            }
          }
        },
        "background-arp");
  }

  /** Per conflict: from the second MAC's first claim to the first Slack POST about its IP. */
  private static List<Long> latencies(
      FakeSlack slack, List<IpAddress> ips, Map<IpAddress, Instant> claimedAt, String proof) {
    List<Long> out = new ArrayList<>();
    for (IpAddress ip : ips) {
      Instant claim = claimedAt.get(ip);
      if (claim == null) {
        continue;
      }
      String needle = "IP conflict on " + ip + ":";
      slack.requests().stream()
          .filter(r -> r.body().path("text").asText().contains(needle))
          .findFirst()
          .filter(r -> r.body().toString().contains(proof))
          .ifPresent(r -> out.add(Duration.between(claim, r.at()).toMillis()));
    }
    return out;
  }

  /**
   * Answers ARP requests (and RFC 5227 probes) for the addresses in {@code answering} from both of
   * the conflict's MACs, as their two kernels would.
   */
  private static Thread responder(
      PcapHandle out,
      PcapHandle in,
      Map<IpAddress, Integer> answering,
      AtomicBoolean going,
      AtomicLong answers) {
    return new Thread(
        () -> {
          try {
            in.setFilter(
                "arp and arp[6:2] = 1", org.pcap4j.core.BpfProgram.BpfCompileMode.OPTIMIZE);
            in.setBlockingMode(PcapHandle.BlockingMode.NONBLOCKING);
            while (going.get()) {
              byte[] f = in.getNextRawPacket();
              if (f == null) {
                LockSupport.parkNanos(200_000);
                continue;
              }
              if (f.length < 42) {
                continue;
              }
              IpAddress target = IpAddress.fromBytes(f, 38, 4);
              Integer i = answering.get(target);
              if (i == null) {
                continue;
              }
              MacAddress asker = MacAddress.fromBytes(Arrays.copyOfRange(f, 22, 28));
              IpAddress askerIp = IpAddress.fromBytes(f, 28, 4);
              if (askerIp.equals(target)) {
                continue; // the router's own announcement: not a question
              }
              synchronized (out) {
                out.sendPacket(answer(mac(0x001b21, i), target, asker, askerIp));
                out.sendPacket(answer(mac(0x00a0de, i), target, asker, askerIp));
              }
              answers.incrementAndGet();
            }
          } catch (Exception e) {
            if (going.get()) {
              throw new IllegalStateException(e);
            }
          }
        },
        "responder");
  }

  private static MacAddress mac(int oui, int n) {
    return MacAddress.of(
        String.format(
            "%02x:%02x:%02x:%02x:%02x:%02x",
            oui >> 16 & 255, oui >> 8 & 255, oui & 255, n >> 16 & 255, n >> 8 & 255, n & 255));
  }

  private static final MacAddress BROADCAST = MacAddress.of("ff:ff:ff:ff:ff:ff");
  private static final MacAddress GATEWAY = MacAddress.of("00:1b:21:00:00:01");
  private static final IpAddress GATEWAY_IP = IpAddress.of("10.216.255.254");

  /** An ARP reply: {@code mac} is at {@code ip}, told (broadcast) to the lab's gateway. */
  static byte[] reply(MacAddress mac, IpAddress ip) {
    return arp(BROADCAST, 2, mac, ip, GATEWAY, GATEWAY_IP);
  }

  /** A gratuitous ARP request: {@code mac} announces {@code ip}. */
  static byte[] announcement(MacAddress mac, IpAddress ip) {
    return arp(BROADCAST, 1, mac, ip, MacAddress.ZERO, ip);
  }

  /** An ARP reply from {@code mac} for {@code ip}, to the asker. */
  static byte[] answer(MacAddress mac, IpAddress ip, MacAddress asker, IpAddress askerIp) {
    return arp(asker, 2, mac, ip, asker, askerIp);
  }

  /** An Ethernet/IPv4 ARP frame from {@code sender}, padded to 60 bytes. */
  private static byte[] arp(
      MacAddress ethDst,
      int op,
      MacAddress sender,
      IpAddress senderIp,
      MacAddress target,
      IpAddress targetIp) {
    ByteBuffer b = ByteBuffer.allocate(60);
    b.put(ethDst.toBytes()).put(sender.toBytes()).putShort((short) 0x0806);
    b.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4);
    b.putShort((short) op);
    b.put(sender.toBytes()).put(senderIp.toBytes());
    b.put(target.toBytes()).put(targetIp.toBytes());
    return b.array();
  }

  private static long[] sorted(List<Long> v) {
    long[] a = v.stream().mapToLong(Long::longValue).toArray();
    Arrays.sort(a);
    return a;
  }

  private static void row(String name, long[] sorted) {
    System.out.printf(
        "| %-58s | %6d | %6d | %6d | %6d |%n",
        name,
        sorted.length,
        pct(sorted, 50),
        pct(sorted, 99),
        sorted.length == 0 ? -1 : sorted[sorted.length - 1]);
  }

  static long pct(long[] sorted, int p) {
    return sorted.length == 0
        ? -1
        : sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
  }
}
