package io.labwatch.events;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The seed incident's cast: the GPU server and the router that took its address. */
final class Fixtures {

  static final Instant T0 = Instant.parse("2026-11-25T14:02:11.123456Z");
  static final IpAddress SERVER_IP = IpAddress.of("10.77.0.10");
  static final IpAddress GATEWAY_IP = IpAddress.of("10.77.0.1");
  static final MacAddress SERVER_MAC = MacAddress.of("dc:9b:9c:01:02:03");
  static final MacAddress YAMAHA_MAC = MacAddress.of("00:a0:de:12:34:56");

  private Fixtures() {}

  static ArpObservation replyFromRouter() {
    return new ArpObservation(
        T0,
        "lab-sw1",
        "eth0",
        20,
        PacketClass.REPLY,
        SERVER_IP,
        YAMAHA_MAC,
        GATEWAY_IP,
        MacAddress.of("00:11:22:33:44:55"),
        YAMAHA_MAC);
  }

  /** The router's ARP table says the server's IP is at the YAMAHA MAC, learned since last poll. */
  static ArpObservation routerTableEntry() {
    return ArpObservation.routerTable(
        T0, "10.77.0.1", "eth1", SERVER_IP, YAMAHA_MAC, ArpObservation.TableEntry.CHANGED);
  }

  /** An uplink's counters, 64-bit, the octet counter past 2^63 (a counter is unsigned). */
  static InterfaceCounters uplinkCounters() {
    return new InterfaceCounters(
        T0,
        "10.77.0.1",
        3,
        "eth1",
        "uplink to lab-sw1",
        InterfaceCounters.OperStatus.UP,
        1000L,
        64,
        4_294_967_295L,
        0L,
        new InterfaceCounters.Counters(
            -2L, // 2^64 - 2
            1_234_567_890_123L,
            10L,
            20L,
            30L,
            40L,
            50L,
            60L,
            1L,
            2L,
            3L,
            4_294_967_295L));
  }

  /** ssh to the server went to the router, which refused it. */
  static ProbeResult sshRefusedByRouter() {
    return ProbeResult.failed(
        T0,
        "lab-ws1",
        "tcp://yamato:22?timeout=1s",
        ProbeResult.Kind.TCP,
        SERVER_IP,
        22,
        187,
        ProbeResult.ErrorClass.REFUSED,
        "Connection refused",
        YAMAHA_MAC);
  }

  /** An ARP request for the server's IP answered by both devices that hold it. */
  static ProbeResult arpAnsweredByBoth() {
    return ProbeResult.answered(
        T0,
        "lab-ws1",
        "arp://10.77.0.10",
        ProbeResult.Kind.ARP,
        SERVER_IP,
        null,
        412,
        SERVER_MAC,
        List.of(SERVER_MAC, YAMAHA_MAC));
  }

  /** The GPU server's sample: two GPUs, one of which does not report its power (null). */
  static HostMetrics yamatoMetrics() {
    return new HostMetrics(
        T0,
        "yamato",
        1_234_567L,
        412,
        new HostMetrics.Cpu(
            10_000,
            new HostMetrics.Usage(0.5, 0.375, 0.0625, 0.0625, 0.0),
            List.of(
                new HostMetrics.Usage(1.0, 0.75, 0.25, 0.0, 0.0),
                new HostMetrics.Usage(0.0, 0.0, 0.0, 0.125, 0.0))),
        new HostMetrics.Load(2.5, 1.75, 0.5),
        new HostMetrics.Memory(
            68_719_476_736L, 34_359_738_368L, 8_589_934_592L, 1_048_576L, 12L, 345L),
        List.of(
            new HostMetrics.Disk(
                "/dev/nvme0n1", 460_464, 7_483_646_976L, 2_829_806, 46_166_413_312L, 469_728, 2)),
        List.of(
            new HostMetrics.FileSystem(
                "/",
                "/dev/nvme0n1p2",
                "ext4",
                270_553_174_016L,
                67_849_650_176L,
                54_000_000_000L,
                16_777_216L,
                15_000_000L)),
        List.of(
            new HostMetrics.NetInterface(
                "eth0",
                189_718_030,
                607_572,
                7675,
                5000,
                0,
                1,
                3,
                null,
                List.of(IpAddress.of("10.77.0.10")))),
        new HostMetrics.Tcp(5_429_411L, 11_861L, 0L, 7L, 9L),
        List.of(
            new HostMetrics.Gpu(
                0,
                "NVIDIA RTX A6000",
                "GPU-5f3c9a4e-1d2b-4c8e-9a7f-0b1c2d3e4f50",
                0.97,
                47_244_640_256L,
                51_527_024_640L,
                81.0,
                287.45,
                0L),
            new HostMetrics.Gpu(
                1,
                "NVIDIA GeForce GTX 1080 Ti",
                "GPU-0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9",
                0.0,
                1_048_576L,
                11_811_160_064L,
                34.0,
                null,
                null)));
  }

  static Heartbeat heartbeat() {
    return new Heartbeat(T0, "lab-sw1", 10_000, new Heartbeat.Capture(1234, 2, 0));
  }

  static Alert ipConflict() {
    Evidence evidence =
        new Evidence(
            List.of(
                new Evidence.MacEvidence(
                    SERVER_MAC,
                    "Samsung",
                    40,
                    T0,
                    T0.plusSeconds(290),
                    List.of("lab-sw1"),
                    List.of(PacketClass.REPLY)),
                new Evidence.MacEvidence(
                    YAMAHA_MAC,
                    "YAMAHA CORPORATION",
                    37,
                    T0.plusSeconds(3),
                    T0.plusSeconds(299),
                    List.of("lab-sw1"),
                    List.of(PacketClass.REPLY, PacketClass.ANNOUNCEMENT))),
            37L,
            Map.of("window", "5m"));
    return Alert.firing(
        "IP_CONFLICT",
        SERVER_IP.toString(),
        Severity.CRITICAL,
        "IP conflict on 10.77.0.10 — claimed by dc:9b:9c:01:02:03 and 00:a0:de:12:34:56",
        evidence,
        Map.of("sensor", "lab-sw1"),
        T0);
  }
}
