package io.labwatch.bench;

import io.labwatch.events.ArpObservation;
import io.labwatch.events.IpAddress;
import io.labwatch.events.MacAddress;
import io.labwatch.events.PacketClass;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A lab's ARP traffic, for benchmarks: {@code hosts} stations on 10.x.y.z, each with its own MAC
 * (Intel OUI), asking for and answering each other; a few addresses (every 1000th) answered by a
 * second MAC too (YAMAHA), alternately: conflicts in the background. Seeded, so every run is alike.
 */
final class Traffic {

  static final Instant START = Instant.parse("2026-11-25T14:00:00Z");

  private final int hosts;
  private final int conflictEvery;
  private final Random random = new Random(42);

  Traffic(int hosts) {
    this(hosts, 1000);
  }

  /** Every {@code conflictEvery}-th host (those with host % conflictEvery == 7) has two MACs. */
  Traffic(int hosts, int conflictEvery) {
    this.hosts = hosts;
    this.conflictEvery = conflictEvery;
  }

  static IpAddress ip(int host) {
    return IpAddress.of(
        "10." + (100 + host / 65536) + "." + (host / 256 % 256) + "." + (host % 256));
  }

  static MacAddress mac(int host) {
    return MacAddress.fromLong(0x3cfdfe000000L + host);
  }

  static MacAddress rogue(int host) {
    return MacAddress.fromLong(0x00a0de000000L + host);
  }

  /** {@code n} observations, 1 ms of event time apart. */
  List<ArpObservation> observations(int n) {
    return observations(n, START);
  }

  /** {@code n} observations, 1 ms of event time apart, from {@code start}. */
  List<ArpObservation> observations(int n, Instant start) {
    List<ArpObservation> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(next(start.plusMillis(i)));
    }
    return out;
  }

  ArpObservation next(Instant t) {
    int h = random.nextInt(hosts);
    int peer = random.nextInt(hosts);
    boolean conflicted = h % conflictEvery == 7 % conflictEvery;
    MacAddress m = conflicted && random.nextBoolean() ? rogue(h) : mac(h);
    boolean reply = random.nextInt(3) != 0;
    return new ArpObservation(
        t,
        "bench",
        "eth0",
        null,
        reply ? PacketClass.REPLY : PacketClass.REQUEST,
        ip(h),
        m,
        ip(peer),
        reply ? mac(peer) : MacAddress.ZERO,
        m);
  }

  /** The observations as Ethernet frames in a classic pcap. */
  static void writePcap(Path file, List<ArpObservation> observations) throws IOException {
    try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20);
        DataOutputStream out = new DataOutputStream(os)) {
      out.write(le32(0xa1b2c3d4));
      out.write(new byte[] {2, 0, 4, 0});
      out.write(le32(0));
      out.write(le32(0));
      out.write(le32(65535));
      out.write(le32(1));
      for (ArpObservation o : observations) {
        long us = o.eventTime().getEpochSecond() * 1_000_000L + o.eventTime().getNano() / 1000;
        byte[] f = frame(o);
        out.write(le32((int) (us / 1_000_000)));
        out.write(le32((int) (us % 1_000_000)));
        out.write(le32(f.length));
        out.write(le32(f.length));
        out.write(f);
      }
    }
  }

  static byte[] frame(ArpObservation o) {
    byte[] f = new byte[60];
    byte[] dst =
        o.packetClass() == PacketClass.REPLY
            ? o.targetMac().toBytes()
            : MacAddress.BROADCAST.toBytes();
    System.arraycopy(dst, 0, f, 0, 6);
    System.arraycopy(o.ethSrc().toBytes(), 0, f, 6, 6);
    f[12] = 0x08;
    f[13] = 0x06;
    f[15] = 1;
    f[16] = 0x08;
    f[18] = 6;
    f[19] = 4;
    f[21] = (byte) (o.packetClass() == PacketClass.REPLY ? 2 : 1);
    System.arraycopy(o.senderMac().toBytes(), 0, f, 22, 6);
    System.arraycopy(o.senderIp().toBytes(), 0, f, 28, 4);
    System.arraycopy(o.targetMac().toBytes(), 0, f, 32, 6);
    System.arraycopy(o.targetIp().toBytes(), 0, f, 38, 4);
    return f;
  }

  private static byte[] le32(int v) {
    return new byte[] {(byte) v, (byte) (v >> 8), (byte) (v >> 16), (byte) (v >> 24)};
  }

  /** bench/detect capture FILE N: writes N observations of 10 k hosts as a pcap. */
  public static void main(String[] args) throws IOException {
    Path file = Path.of(args[0]);
    int n = Integer.parseInt(args[1]);
    writePcap(file, new Traffic(10_000).observations(n));
    System.out.println(file + ": " + n + " frames, " + Files.size(file) + " bytes");
  }
}
