package io.labwatch.streams.impostors;

import static io.labwatch.streams.Lab.CLIENT;
import static io.labwatch.streams.Lab.CLIENT_IP;
import static io.labwatch.streams.Lab.GATEWAY;
import static io.labwatch.streams.Lab.GATEWAY_IP;
import static io.labwatch.streams.Lab.ROUTER;
import static io.labwatch.streams.Lab.SERVER;
import static io.labwatch.streams.Lab.SERVER_IP;
import static org.assertj.core.api.Assertions.assertThat;

import io.labwatch.events.Alert;
import io.labwatch.events.AlertState;
import io.labwatch.events.Evidence;
import io.labwatch.events.IpAddress;
import io.labwatch.events.MacAddress;
import io.labwatch.events.Severity;
import io.labwatch.streams.DetectionConfig;
import io.labwatch.streams.Lab;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 13 §3: a man in the middle is one ARP_POISONING naming the impostor, whom it impersonates
 * and toward whom; the per-IP conflicts it explains are not told as well; and what only looks like
 * it (a proxy-ARP router, a host with several addresses, a cloned VM, the seed's router) is not
 * one.
 */
class ArpPoisoningTest {

  static final MacAddress ATTACKER = MacAddress.of("08:00:27:66:00:66");
  static final IpAddress ATTACKER_IP = IpAddress.of("10.77.0.66");
  static final IpAddress SENSOR_IP = IpAddress.of("10.77.0.2");
  static final MacAddress SENSOR_MAC = MacAddress.of("00:1b:21:77:00:99");

  private final DetectionConfig defaults = DetectionConfig.defaults();
  private final Duration quiet = defaults.quietPeriod();

  private static List<String> kinds(List<Alert> alerts) {
    return alerts.stream().map(Alert::kind).toList();
  }

  /** The gateway and the client going about their business: each asks for the other. */
  private static void normalTraffic(Lab lab) {
    lab.request(CLIENT_IP, CLIENT, GATEWAY_IP)
        .after(Duration.ofMillis(1))
        .replyTo(GATEWAY_IP, GATEWAY, CLIENT_IP, CLIENT)
        .after(Duration.ofSeconds(7))
        .request(GATEWAY_IP, GATEWAY, CLIENT_IP)
        .after(Duration.ofMillis(1))
        .replyTo(CLIENT_IP, CLIENT, GATEWAY_IP, GATEWAY)
        .after(Duration.ofSeconds(7));
  }

  /**
   * {@code arpspoof -i eth0 -t CLIENT -r GATEWAY}: it looks both up from its own address, then
   * every 2 s tells the client that the gateway's address is at its MAC, and the gateway that the
   * client's is.
   */
  private static void arpspoofStarts(Lab lab) {
    lab.request(ATTACKER_IP, ATTACKER, CLIENT_IP)
        .after(Duration.ofMillis(1))
        .request(ATTACKER_IP, ATTACKER, GATEWAY_IP)
        .after(Duration.ofMillis(5));
  }

  private static void arpspoofRound(Lab lab) {
    lab.replyTo(GATEWAY_IP, ATTACKER, CLIENT_IP, CLIENT)
        .after(Duration.ofMillis(1))
        .replyTo(CLIENT_IP, ATTACKER, GATEWAY_IP, GATEWAY)
        .after(Duration.ofSeconds(2));
  }

  @Test
  void shouldTellOneArpPoisoningAndNoConflictWhenArpspoofSitsBetweenAClientAndTheGateway() {
    try (Lab lab = Lab.standard()) {
      // given a lab where the client and the gateway talk
      for (int i = 0; i < 4; i++) {
        normalTraffic(lab);
      }
      assertThat(lab.alerts()).isEmpty();

      // when arpspoof poisons both of them for two minutes, while they go on asserting their own
      Instant attack = lab.now;
      arpspoofStarts(lab);
      Instant lastLie = null;
      for (int i = 0; i < 60; i++) {
        lastLie = lab.now.plusMillis(1); // the round's second lie
        arpspoofRound(lab);
        if (i % 7 == 3) {
          normalTraffic(lab);
        }
      }

      // then one ARP_POISONING, with no IP_CONFLICT of its own
      List<Alert> out = lab.alerts();
      assertThat(out).extracting(Alert::kind).containsOnly("ARP_POISONING");
      assertThat(out).extracting(Alert::incidentId).containsOnly(out.get(0).incidentId());
      Alert first = out.get(0);
      assertThat(first.state()).isEqualTo(AlertState.FIRING);
      assertThat(first.severity()).isEqualTo(Severity.CRITICAL);
      assertThat(first.fingerprint()).isEqualTo("ARP_POISONING:" + ATTACKER);
      assertThat(first.startedAt()).isAfterOrEqualTo(attack);
      // (whichever of the two reasserted its address first is the first impersonation told)
      assertThat(first.summary())
          .isIn(
              "08:00:27:66:00:66 (PCS Systemtechnik GmbH; 10.77.0.66) impersonates 10.77.0.1 (00:1b:21:77:00:01 Intel Corporate) toward 10.77.0.21: a man in the middle (ARP poisoning)",
              "08:00:27:66:00:66 (PCS Systemtechnik GmbH; 10.77.0.66) impersonates 10.77.0.21 (52:54:00:77:00:21 locally administered) toward 10.77.0.1: a man in the middle (ARP poisoning)");
      Alert last = out.get(out.size() - 1);
      assertThat(last.summary())
          .isEqualTo(
              "08:00:27:66:00:66 (PCS Systemtechnik GmbH; 10.77.0.66) impersonates 10.77.0.1 (00:1b:21:77:00:01 Intel Corporate) and 10.77.0.21 (52:54:00:77:00:21 locally administered) toward each other: a man in the middle (ARP poisoning)");
      assertThat(last.evidence().facts())
          .containsEntry(
              "impersonated", "10.77.0.1=00:1b:21:77:00:01, 10.77.0.21=52:54:00:77:00:21")
          .containsEntry("ownAddresses", "10.77.0.66")
          .containsEntry("victims", "10.77.0.1, 10.77.0.21");
      Evidence.MacEvidence impostor = last.evidence().macs().get(0);
      assertThat(impostor.mac()).isEqualTo(ATTACKER);
      assertThat(impostor.vendor()).isEqualTo("PCS Systemtechnik GmbH");
      assertThat(last.evidence().macs())
          .extracting(Evidence.MacEvidence::mac)
          .containsExactlyInAnyOrder(ATTACKER, GATEWAY, CLIENT);

      // when it stops and the two alone hold their addresses for the quiet period
      for (int i = 0; i < 50; i++) {
        normalTraffic(lab);
      }

      // then the poisoning resolves, the quiet period after its last lie
      List<Alert> after = lab.alerts();
      assertThat(after).extracting(Alert::kind).containsOnly("ARP_POISONING");
      // (an update may go out as the first of its two impersonations ends)
      assertThat(after).extracting(Alert::incidentId).containsOnly(first.incidentId());
      Alert resolved = after.get(after.size() - 1);
      assertThat(after).filteredOn(a -> a.state() == AlertState.RESOLVED).containsExactly(resolved);
      assertThat(resolved.endedAt()).isEqualTo(lastLie.plus(quiet));
      // with the final counts: 60 rounds of two lies
      Evidence.MacEvidence told = resolved.evidence().macs().get(0);
      assertThat(told.mac()).isEqualTo(ATTACKER);
      assertThat(told.packets()).isEqualTo(120);
      assertThat(told.lastSeen()).isEqualTo(lastLie);
    }
  }

  @Test
  void shouldTellTheArpPoisoningAfterTheProbeWhenOneWayArpspoofHasNoAddressOfItsOwnInSight() {
    try (Lab lab = Lab.standard()) {
      for (int i = 0; i < 4; i++) {
        normalTraffic(lab);
      }
      // arpspoof -t CLIENT GATEWAY (one way), its own lookups not seen by this sensor
      lab.replyTo(GATEWAY_IP, ATTACKER, CLIENT_IP, CLIENT);
      lab.after(Duration.ofMillis(30)).probeSent(GATEWAY_IP, SENSOR_MAC);
      lab.after(Duration.ofMillis(1)).replyTo(GATEWAY_IP, GATEWAY, SENSOR_IP, SENSOR_MAC);
      lab.after(Duration.ofSeconds(1)).replyTo(GATEWAY_IP, ATTACKER, CLIENT_IP, CLIENT);
      lab.after(Duration.ofMillis(10)).replyTo(GATEWAY_IP, GATEWAY, SENSOR_IP, SENSOR_MAC);
      assertThat(lab.alerts()).as("held while the probe runs").isEmpty();
      lab.after(Duration.ofSeconds(1)).probeDone(GATEWAY_IP, SENSOR_MAC, GATEWAY);

      List<Alert> out = lab.alerts();
      assertThat(kinds(out)).containsExactly("ARP_POISONING");
      assertThat(out.get(0).summary())
          .startsWith("08:00:27:66:00:66 (PCS Systemtechnik GmbH) impersonates 10.77.0.1");
    }
  }

  @Test
  void shouldTellAnAddressSpoofAsWellWhenThePoisonedAddressIsProtected() {
    try (Lab lab = Lab.standard()) {
      lab.protect(GATEWAY_IP, "gateway", GATEWAY);
      for (int i = 0; i < 4; i++) {
        normalTraffic(lab);
      }
      arpspoofStarts(lab);
      for (int i = 0; i < 30; i++) {
        arpspoofRound(lab);
        if (i % 7 == 3) {
          normalTraffic(lab);
        }
      }
      List<Alert> out = lab.alerts();
      assertThat(out)
          .filteredOn(a -> a.state() == AlertState.FIRING)
          .extracting(Alert::fingerprint)
          .contains("ADDRESS_SPOOF:10.77.0.1", "ARP_POISONING:" + ATTACKER)
          .doesNotContain("IP_CONFLICT:10.77.0.21", "IP_CONFLICT:10.77.0.1");
      Alert poisoning =
          out.stream().filter(a -> a.kind().equals("ARP_POISONING")).reduce((a, b) -> b).get();
      assertThat(poisoning.summary()).contains("10.77.0.1 (gateway, 00:1b:21:77:00:01");
    }
  }

  @Test
  void aProxyArpRouterAnsweringForManyAddressesWithItsOwnMacIsNoPoisoning() {
    MacAddress router = MacAddress.of("00:00:0c:77:00:01");
    try (Lab lab = Lab.standard()) {
      lab.request(GATEWAY_IP, router, CLIENT_IP);
      for (int round = 0; round < 20; round++) {
        for (int h = 1; h <= 40; h++) {
          // hosts behind it, on another segment: it answers for each of them
          lab.replyTo(IpAddress.of("10.77.0." + (100 + h)), router, CLIENT_IP, CLIENT)
              .after(Duration.ofMillis(50));
        }
        lab.after(Duration.ofSeconds(10));
      }
      assertThat(lab.alerts()).isEmpty();
    }
  }

  @Test
  void aHostWithSeveralAddressesOnOneNicIsNothing() {
    try (Lab lab = Lab.standard()) {
      for (int round = 0; round < 20; round++) {
        for (int h = 0; h < 5; h++) {
          IpAddress ip = IpAddress.of("10.77.0." + (10 + h));
          lab.request(ip, SERVER, GATEWAY_IP)
              .after(Duration.ofMillis(10))
              .replyTo(ip, SERVER, CLIENT_IP, CLIENT)
              .after(Duration.ofSeconds(1));
        }
        normalTraffic(lab);
      }
      assertThat(lab.alerts()).isEmpty();
    }
  }

  @Test
  void aClonedVmWithTheOriginalsTwoAddressesIsTwoConflictsNotAPoisoning() {
    IpAddress second = IpAddress.of("10.77.0.11");
    MacAddress original = MacAddress.of("52:54:00:77:00:10");
    MacAddress clone = MacAddress.of("52:54:00:77:00:99");
    try (Lab lab = Lab.standard()) {
      for (int i = 0; i < 5; i++) {
        lab.request(SERVER_IP, original, GATEWAY_IP)
            .request(second, original, GATEWAY_IP)
            .after(Duration.ofSeconds(10));
      }
      // the clone boots with the same two addresses: it announces them, asks from them
      lab.announce(SERVER_IP, clone).announce(second, clone).after(Duration.ofSeconds(1));
      for (int i = 0; i < 5; i++) {
        lab.request(SERVER_IP, original, GATEWAY_IP)
            .request(second, original, GATEWAY_IP)
            .after(Duration.ofSeconds(1))
            .request(SERVER_IP, clone, GATEWAY_IP)
            .request(second, clone, GATEWAY_IP)
            .after(Duration.ofSeconds(1));
      }
      List<Alert> out = lab.alerts();
      assertThat(out)
          .extracting(Alert::fingerprint)
          .containsExactlyInAnyOrder("IP_CONFLICT:10.77.0.10", "IP_CONFLICT:10.77.0.11");
    }
  }

  @Test
  void theSeedsRouterWithAnAddressOfItsOwnThatAnswersTheProbeIsAConflictNotAPoisoning() {
    IpAddress routerOwn = IpAddress.of("10.77.0.254");
    try (Lab lab = Lab.standard()) {
      lab.request(routerOwn, ROUTER, GATEWAY_IP).after(Duration.ofSeconds(1));
      lab.reply(SERVER_IP, SERVER).after(Duration.ofSeconds(30));
      // the router's first word for the server's address is an answer to the client
      lab.reply(SERVER_IP, ROUTER).after(Duration.ofMillis(30)).probeSent(SERVER_IP, SENSOR_MAC);
      lab.after(Duration.ofMillis(1)).replyTo(SERVER_IP, SERVER, SENSOR_IP, SENSOR_MAC);
      lab.after(Duration.ofMillis(1)).replyTo(SERVER_IP, ROUTER, SENSOR_IP, SENSOR_MAC);
      assertThat(kinds(lab.alerts())).containsExactly("IP_CONFLICT");
    }
  }

  @Test
  void theSeedWithoutAProbeIsStillOneConflict() {
    try (Lab lab = Lab.standard()) {
      for (int i = 0; i < 6; i++) {
        lab.reply(SERVER_IP, SERVER).after(Duration.ofSeconds(10));
      }
      for (int i = 0; i < 12; i++) {
        lab.reply(SERVER_IP, ROUTER)
            .after(Duration.ofMillis(40))
            .reply(SERVER_IP, SERVER)
            .after(Duration.ofSeconds(3));
      }
      assertThat(lab.alerts())
          .extracting(Alert::fingerprint)
          .containsExactly("IP_CONFLICT:10.77.0.10");
    }
  }

  @Test
  void shouldKeepThePoisoningFiringWhileTheLiesGoOnThoughThePoisonedOwnersFallSilent() {
    try (Lab lab = Lab.standard()) {
      for (int i = 0; i < 4; i++) {
        normalTraffic(lab);
      }
      arpspoofStarts(lab);
      // the first lies draw a probe of each address: each owner answers, the impostor does not
      arpspoofRound(lab);
      for (IpAddress ip : List.of(GATEWAY_IP, CLIENT_IP)) {
        MacAddress owner = ip.equals(GATEWAY_IP) ? GATEWAY : CLIENT;
        lab.probeSent(ip, SENSOR_MAC)
            .after(Duration.ofMillis(1))
            .replyTo(ip, owner, SENSOR_IP, SENSOR_MAC);
      }
      lab.after(Duration.ofSeconds(2));
      lab.probeDone(GATEWAY_IP, SENSOR_MAC, GATEWAY).probeDone(CLIENT_IP, SENSOR_MAC, CLIENT);
      List<Alert> fired = lab.alerts();
      assertThat(fired).extracting(Alert::kind).containsOnly("ARP_POISONING");
      assertThat(fired.get(fired.size() - 1).summary())
          .contains("impersonates 10.77.0.1 (00:1b:21:77:00:01 Intel Corporate) and 10.77.0.21");

      // then the owners' caches hold the lie: they never ask again; the lies go on for 20 minutes
      Instant lastLie = null;
      for (int i = 0; i < 600; i++) {
        lastLie = lab.now.plusMillis(1);
        arpspoofRound(lab);
      }
      assertThat(lab.alerts())
          .as("still the same incident while it lies")
          .allSatisfy(
              a -> {
                assertThat(a.kind()).isEqualTo("ARP_POISONING");
                assertThat(a.state()).isEqualTo(AlertState.FIRING);
              });

      // when it stops, it resolves the quiet period after its last lie
      // (the sensor's heartbeats go on: time it did not watch would not be quiet time)
      for (int i = 0; i <= quiet.toSeconds() / 10 + 1; i++) {
        lab.after(Duration.ofSeconds(10)).heartbeat("lab-sw1");
      }
      List<Alert> end = lab.alerts();
      assertThat(end).extracting(Alert::kind).containsOnly("ARP_POISONING");
      assertThat(end.get(end.size() - 1).state()).isEqualTo(AlertState.RESOLVED);
      assertThat(end.get(end.size() - 1).endedAt()).isEqualTo(lastLie.plus(quiet));
    }
  }

  @Test
  void aDeviceAnsweringForTwoAddressesOfOneOtherStationIsTwoConflictsNotAPoisoning() {
    // a clone of a box with two addresses, whose first words are answers: it contradicts one
    // station twice, it does not stand between two
    IpAddress second = IpAddress.of("10.77.0.11");
    try (Lab lab = Lab.standard()) {
      for (IpAddress ip : List.of(SERVER_IP, second)) {
        for (int i = 0; i < 6; i++) {
          lab.reply(ip, i % 2 == 0 ? SERVER : ROUTER).after(Duration.ofMillis(50));
        }
      }
      assertThat(lab.alerts())
          .extracting(Alert::fingerprint)
          .containsExactly("IP_CONFLICT:10.77.0.10", "IP_CONFLICT:10.77.0.11");
    }
  }
}
