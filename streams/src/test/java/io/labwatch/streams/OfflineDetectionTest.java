package io.labwatch.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.labwatch.events.Alert;
import io.labwatch.events.ArpObservation;
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
    DetectionConfig config =
        DetectionConfig.defaults()
            .deterministic()
            .withLearningPeriod(Duration.ofMinutes(10))
            .withInventory(Map.of(gateway, List.of(gatewayMac)));

    List<Alert> fromTopology = new ArrayList<>();
    try (Lab lab = new Lab(config)) {
      lab.protect(gateway, null, gatewayMac);
      for (In r : input) {
        lab.arp.pipeInput(r.key(), r.value(), r.at());
      }
      fromTopology.addAll(lab.alerts());
    }
    OfflineDetection offline = new OfflineDetection(config, config.inventory());
    List<Alert> fromOffline = new ArrayList<>();
    for (In r : input) {
      fromOffline.addAll(offline.process(r.key(), r.value(), r.at().toEpochMilli()));
    }

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
