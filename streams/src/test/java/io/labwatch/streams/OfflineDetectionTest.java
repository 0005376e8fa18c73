package io.labwatch.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.labwatch.events.Alert;
import io.labwatch.events.ArpObservation;
import io.labwatch.events.ArpProbe;
import io.labwatch.events.Heartbeat;
import io.labwatch.events.IpAddress;
import io.labwatch.events.MacAddress;
import io.labwatch.events.PacketClass;
import io.labwatch.events.SensorEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The offline driver of `labwatch analyze` says what the topology says, for the same input. */
class OfflineDetectionTest {

  record In(String key, SensorEvent value, Instant at) {}

  @Test
  void givesTheSameAlertsAsTheTopologyForAMixedHourOfTraffic() {
    IpAddress gateway = IpAddress.of("10.77.0.1");
    MacAddress gatewayMac = MacAddress.of("00:1b:21:77:00:01");
    List<In> input = traffic(gateway, gatewayMac);
    List<Alert> fromTopology = new ArrayList<>();
    List<Alert> fromOffline = new ArrayList<>();
    runBoth(gateway, gatewayMac, input, fromTopology, fromOffline);

    assertThat(fromTopology)
        .extracting(Alert::kind)
        .contains(
            "IP_CONFLICT",
            "MAC_CHANGED",
            "ADDRESS_SPOOF",
            "NEW_STATION",
            "SENSOR_SILENT",
            "PROBE_FOR_ADDRESS_IN_USE");
    assertThat(fromOffline).containsExactlyInAnyOrderElementsOf(fromTopology);
    assertThat(fromOffline.stream().map(Alert::incidentId).distinct().toList())
        .containsExactlyInAnyOrderElementsOf(
            fromTopology.stream().map(Alert::incidentId).distinct().toList());
  }

  /**
   * Issue 13: the answers to the live run's probes are in the recorded stream, so a replay decides
   * as the live run did — the same alerts, confirmed the same way, and the same poisoning.
   */
  @Test
  void givesTheSameAlertsWithConfirmationProbesAndAPoisoningInTheStream() {
    IpAddress gateway = IpAddress.of("10.77.0.1");
    MacAddress gatewayMac = MacAddress.of("00:1b:21:77:00:01");
    List<In> input = traffic(gateway, gatewayMac);
    List<In> more = new ArrayList<>();
    Instant t = Lab.T0.plus(Duration.ofMinutes(20));
    MacAddress prober = MacAddress.of("00:1b:21:77:00:99");
    IpAddress proberIp = IpAddress.of("10.77.1.250");
    // a silent server's address announced by a router; both answer the probe
    IpAddress server = IpAddress.of("10.77.1.30");
    MacAddress router = MacAddress.of("00:a0:de:77:00:30");
    more.add(obs(PacketClass.ANNOUNCEMENT, server, router, t));
    more.add(probe(ArpProbe.sent(t.plusMillis(20), "lab-sw1", "eth0", server, prober)));
    more.add(
        answer(
            server, MacAddress.fromLong(0x3cfdfe000000L + 29), prober, proberIp, t.plusMillis(21)));
    more.add(answer(server, router, prober, proberIp, t.plusMillis(22)));
    // a replaced NIC that alone answers
    IpAddress ws = IpAddress.of("10.77.1.40");
    MacAddress nic = MacAddress.of("00:0c:29:77:00:40");
    more.add(obs(PacketClass.ANNOUNCEMENT, ws, nic, t.plusSeconds(1)));
    more.add(probe(ArpProbe.sent(t.plusMillis(1020), "lab-sw1", "eth0", ws, prober)));
    more.add(answer(ws, nic, prober, proberIp, t.plusMillis(1021)));
    more.add(
        probe(ArpProbe.done(t.plusMillis(3020), "lab-sw1", "eth0", ws, prober, 2, List.of(nic))));
    // arpspoof between two hosts, from an address of its own
    MacAddress mitm = MacAddress.of("08:00:27:77:00:66");
    IpAddress a = IpAddress.of("10.77.1.50");
    IpAddress b = IpAddress.of("10.77.1.51");
    more.add(obs(PacketClass.REQUEST, IpAddress.of("10.77.1.66"), mitm, t.plusSeconds(4)));
    for (int i = 0; i < 10; i++) {
      Instant at = t.plusSeconds(5 + 2 * i);
      more.add(answer(a, mitm, MacAddress.fromLong(0x3cfdfe000000L + 50), b, at));
      more.add(answer(b, mitm, MacAddress.fromLong(0x3cfdfe000000L + 49), a, at.plusMillis(1)));
      more.add(
          obs(
              PacketClass.REQUEST,
              a,
              MacAddress.fromLong(0x3cfdfe000000L + 49),
              at.plusMillis(500)));
      more.add(
          obs(
              PacketClass.REQUEST,
              b,
              MacAddress.fromLong(0x3cfdfe000000L + 50),
              at.plusMillis(600)));
    }
    // merged in time order with the hour of traffic
    List<In> all = new ArrayList<>(input);
    all.addAll(more);
    all.sort(java.util.Comparator.comparing(In::at));

    List<Alert> fromTopology = new ArrayList<>();
    List<Alert> fromOffline = new ArrayList<>();
    runBoth(gateway, gatewayMac, all, fromTopology, fromOffline);

    assertThat(fromTopology)
        .anyMatch(
            x ->
                x.fingerprint().equals("IP_CONFLICT:10.77.1.30")
                    && x.summary().contains("both answered a probe"))
        .anyMatch(
            x ->
                x.fingerprint().equals("MAC_CHANGED:10.77.1.40")
                    && x.summary().contains("answered a probe"))
        .anyMatch(x -> x.fingerprint().equals("ARP_POISONING:" + mitm));
    assertThat(fromOffline).containsExactlyInAnyOrderElementsOf(fromTopology);
  }

  /** The same input through the topology (TopologyTestDriver) and through the offline driver. */
  private static void runBoth(
      IpAddress gateway,
      MacAddress gatewayMac,
      List<In> input,
      List<Alert> fromTopology,
      List<Alert> fromOffline) {
    DetectionConfig config =
        DetectionConfig.defaults()
            .deterministic()
            .withLearningPeriod(Duration.ofMinutes(10))
            .withInventory(Map.of(gateway, List.of(gatewayMac)));
    try (Lab lab = new Lab(config)) {
      lab.protect(gateway, null, gatewayMac);
      for (In r : input) {
        lab.arp.pipeInput(r.key(), r.value(), r.at());
      }
      fromTopology.addAll(lab.alerts());
    }
    OfflineDetection offline = new OfflineDetection(config, config.inventory());
    for (In r : input) {
      fromOffline.addAll(offline.process(r.key(), r.value(), r.at().toEpochMilli()));
    }
  }

  private static In probe(ArpProbe p) {
    return new In(p.ip().toString(), p, p.eventTime());
  }

  /** {@code mac} answers for {@code ip} to the asker. */
  private static In answer(
      IpAddress ip, MacAddress mac, MacAddress asker, IpAddress askerIp, Instant t) {
    ArpObservation o =
        new ArpObservation(
            t, "lab-sw1", "eth0", null, PacketClass.REPLY, ip, mac, askerIp, asker, mac);
    return new In(ip.toString(), o, t);
  }

  private static List<In> traffic(IpAddress gateway, MacAddress gatewayMac) {
    Random random = new Random(7);
    List<In> in = new ArrayList<>();
    Instant t = Lab.T0;
    for (int i = 0; i < 20_000; i++) {
      t = t.plusMillis(180);
      int h = random.nextInt(200);
      IpAddress ip = IpAddress.of("10.77.1." + (h + 1));
      MacAddress mac = MacAddress.fromLong(0x3cfdfe000000L + h);
      if (h == 5 && i > 4000 && i < 9000 && random.nextBoolean()) {
        mac = MacAddress.of("00:a0:de:77:00:05"); // a conflict for a while
      }
      if (h == 9 && i > 6000) {
        mac = MacAddress.of("00:0c:29:77:00:09"); // a replaced NIC
      }
      in.add(obs(PacketClass.REPLY, ip, mac, t));
      if (i % 50 == 0) {
        in.add(obs(PacketClass.REPLY, gateway, gatewayMac, t));
        in.add(
            new In(
                "lab-sw1", new Heartbeat(t, "lab-sw1", 10_000, new Heartbeat.Capture(i, 0, 0)), t));
        if (i < 12_000) {
          in.add(
              new In(
                  "lab-sw2",
                  new Heartbeat(t, "lab-sw2", 10_000, new Heartbeat.Capture(i, 0, 0)),
                  t));
        }
      }
      if (i == 10_000) {
        in.add(obs(PacketClass.ANNOUNCEMENT, gateway, MacAddress.of("66:55:44:33:22:11"), t));
      }
      if (i == 11_000) {
        ArpObservation probe =
            new ArpObservation(
                t,
                "lab-sw1",
                "eth0",
                null,
                PacketClass.PROBE,
                IpAddress.V4_UNSPECIFIED,
                MacAddress.of("00:0c:29:77:00:99"),
                IpAddress.of("10.77.1.20"),
                MacAddress.ZERO,
                MacAddress.of("00:0c:29:77:00:99"));
        in.add(new In("10.77.1.20", probe, t));
      }
      if (i == 15_000) {
        in.add(
            obs(
                PacketClass.REPLY,
                IpAddress.of("10.77.2.1"),
                MacAddress.of("52:54:00:77:02:01"),
                t));
      }
    }
    return in;
  }

  private static In obs(PacketClass c, IpAddress ip, MacAddress mac, Instant t) {
    ArpObservation o =
        new ArpObservation(
            t,
            "lab-sw1",
            "eth0",
            null,
            c,
            ip,
            mac,
            c == PacketClass.ANNOUNCEMENT ? ip : IpAddress.of("10.77.0.21"),
            MacAddress.ZERO,
            mac);
    return new In(o.subjectIp().toString(), o, t);
  }
}
