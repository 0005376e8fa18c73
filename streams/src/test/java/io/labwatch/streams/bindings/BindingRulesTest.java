package io.labwatch.streams.bindings;

import static io.labwatch.streams.Lab.CLIENT;
import static io.labwatch.streams.Lab.CLIENT_IP;
import static io.labwatch.streams.Lab.GATEWAY;
import static io.labwatch.streams.Lab.GATEWAY_IP;
import static io.labwatch.streams.Lab.NEWBOX;
import static io.labwatch.streams.Lab.ROUTER;
import static io.labwatch.streams.Lab.SERVER;
import static io.labwatch.streams.Lab.SERVER_IP;
import static io.labwatch.streams.Lab.T0;
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

/** One scenario per test, timestamps derived from the configured windows. */
class BindingRulesTest {

  private final DetectionConfig defaults = DetectionConfig.defaults();
  private final Duration window = defaults.conflictWindow();
  private final Duration quiet = defaults.quietPeriod();
  private final Duration doubleReply = defaults.doubleReplyWindow();

  @Test
  void shouldFireOneIpConflictWhenRouterInApModeClaimsServerIpThenResolveAfterTheQuietPeriod() {
    try (Lab lab = Lab.standard()) {
      // given the server answering for its address every 10 s
      for (int i = 0; i < 6; i++) {
        lab.reply(SERVER_IP, SERVER).after(Duration.ofSeconds(10));
      }
      assertThat(lab.alerts()).isEmpty();

      // when the router in AP mode comes up with the server's address: both answer each request
      Instant firstClaim = lab.now;
      for (int i = 0; i < 12; i++) {
        lab.reply(SERVER_IP, ROUTER)
            .after(Duration.ofMillis(40))
            .reply(SERVER_IP, SERVER)
            .after(Duration.ofSeconds(3));
      }
      Instant routerLast = lab.now.minus(Duration.ofSeconds(3)).minus(Duration.ofMillis(40));

      // then one IP_CONFLICT as soon as the server answers again (A→B→A), naming both vendors
      List<Alert> firing = lab.alerts();
      assertThat(firing).hasSize(1);
      Alert a = firing.get(0);
      assertThat(a.kind()).isEqualTo("IP_CONFLICT");
      assertThat(a.fingerprint()).isEqualTo("IP_CONFLICT:10.77.0.10");
      assertThat(a.state()).isEqualTo(AlertState.FIRING);
      assertThat(a.severity()).isEqualTo(Severity.CRITICAL);
      assertThat(a.startedAt()).isEqualTo(firstClaim);
      assertThat(a.summary())
          .isEqualTo(
              "IP conflict on 10.77.0.10: two devices answer for it, 00:a0:de:77:00:10 (YAMAHA CORPORATION) and dc:9b:9c:77:00:10 (Apple, Inc.); first double answer at 14:03:11 UTC");
      assertThat(a.evidence().macs())
          .extracting(Evidence.MacEvidence::mac)
          .containsExactly(ROUTER, SERVER);
      assertThat(a.evidence().macs())
          .extracting(Evidence.MacEvidence::vendor)
          .containsExactly("YAMAHA CORPORATION", "Apple, Inc.");
      assertThat(a.labels()).containsEntry("sensor", "lab-sw1");

      // when the router goes away and the server alone holds the address for the quiet period
      for (int i = 0; i < 70; i++) {
        lab.reply(SERVER_IP, SERVER).after(Duration.ofSeconds(10));
      }

      // then one RESOLVED, at the router's last claim + the quiet period, same incident
      List<Alert> rest = lab.alerts();
      assertThat(rest).extracting(Alert::state).containsExactly(AlertState.RESOLVED);
      Alert resolved = rest.get(0);
      assertThat(resolved.incidentId()).isEqualTo(a.incidentId());
      assertThat(resolved.endedAt()).isEqualTo(routerLast.plus(quiet));
      assertThat(resolved.evidence().flips()).isEqualTo(24);
      assertThat(resolved.summary())
          .startsWith(
              "IP conflict on 10.77.0.10 resolved: only dc:9b:9c:77:00:10 (Apple, Inc.) has claimed it for 10 min");
    }
  }

  @Test
  void shouldFireOnTheSecondFlipWhenAnEarlierMacReassertsWithinTheWindow() {
    try (Lab lab = Lab.standard()) {
      lab.announce(SERVER_IP, SERVER).after(doubleReply.multipliedBy(3));
      lab.announce(SERVER_IP, ROUTER).after(doubleReply.multipliedBy(3));
      assertThat(lab.alerts()).isEmpty();
      Instant reassert = lab.now;
      lab.announce(SERVER_IP, SERVER);
      List<Alert> out = lab.alerts();
      assertThat(out).extracting(Alert::kind).containsExactly("IP_CONFLICT");
      assertThat(out.get(0).startedAt()).isEqualTo(reassert.minus(doubleReply.multipliedBy(3)));
      assertThat(out.get(0).evidence().flips()).isEqualTo(2);
    }
  }

  @Test
  void shouldSendAnUpdateWhenAThirdMacJoinsAndAtMostOncePerUpdateInterval() {
    try (Lab lab = Lab.standard()) {
      lab.reply(SERVER_IP, SERVER).after(Duration.ofMillis(10)).reply(SERVER_IP, ROUTER);
      assertThat(lab.alerts()).hasSize(1);
      lab.after(Duration.ofSeconds(1)).reply(SERVER_IP, NEWBOX);
      List<Alert> joined = lab.alerts();
      assertThat(joined).hasSize(1);
      assertThat(joined.get(0).state()).isEqualTo(AlertState.FIRING);
      assertThat(joined.get(0).evidence().macs()).hasSize(3);
      // flips every second for 12 minutes: one update per 5 minutes, not one per packet
      for (int i = 0; i < 720; i++) {
        lab.after(Duration.ofSeconds(1)).reply(SERVER_IP, i % 2 == 0 ? SERVER : ROUTER);
      }
      assertThat(lab.alerts()).hasSize(2).allMatch(a -> a.state() == AlertState.FIRING);
    }
  }

  @Test
  void shouldTellOneMacChangedAndNoConflictWhenANicIsReplaced() {
    try (Lab lab = Lab.standard()) {
      for (int i = 0; i < 10; i++) {
        lab.reply(SERVER_IP, SERVER).after(Duration.ofSeconds(30));
      }
      // the box is down for a minute for the new NIC
      lab.after(Duration.ofMinutes(1));
      Instant changed = lab.now;
      for (int i = 0; i < 30; i++) {
        lab.reply(SERVER_IP, NEWBOX).after(Duration.ofSeconds(30));
      }
      List<Alert> out = lab.alerts();
      assertThat(out).extracting(Alert::kind).containsExactly("MAC_CHANGED");
      Alert changedAlert = out.get(0);
      assertThat(changedAlert.isEvent()).isTrue();
      assertThat(changedAlert.severity()).isEqualTo(Severity.WARNING);
      assertThat(changedAlert.startedAt()).isEqualTo(changed);
      assertThat(changedAlert.summary())
          .startsWith(
              "10.77.0.10 moved from dc:9b:9c:77:00:10 (Apple, Inc.) to 00:0c:29:77:00:30 (VMware, Inc.)");
      assertThat(changedAlert.evidence().facts())
          .containsEntry("from", SERVER.toString())
          .containsEntry("to", NEWBOX.toString());
    }
  }

  @Test
  void shouldTellMacChangedNotConflictWhenKeepalivedWithoutVirtualMacFailsOverOnce() {
    IpAddress vip = IpAddress.of("10.77.0.5");
    MacAddress master = MacAddress.of("00:1b:21:77:00:02");
    MacAddress backup = MacAddress.of("00:1b:21:77:00:03");
    try (Lab lab = Lab.standard()) {
      for (int i = 0; i < 5; i++) {
        lab.announce(vip, master).after(Duration.ofSeconds(20));
      }
      lab.after(Duration.ofSeconds(3)); // the master dies; the backup notices and takes over
      for (int i = 0; i < 5; i++) {
        lab.announce(vip, backup).after(Duration.ofSeconds(1));
      }
      lab.after(window);
      lab.reply(vip, backup);
      assertThat(lab.alerts()).extracting(Alert::kind).containsExactly("MAC_CHANGED");
    }
  }

  @Test
  void shouldStayQuietThroughVrrpFailoverAndFailback() {
    IpAddress vip = IpAddress.of("10.77.0.5");
    MacAddress vmac = MacAddress.of("00:00:5e:00:01:05");
    MacAddress routerA = MacAddress.of("00:1b:21:77:00:02");
    MacAddress routerB = MacAddress.of("00:1b:21:77:00:03");
    try (Lab lab = Lab.standard()) {
      for (int round = 0; round < 3; round++) { // A master, B takes over, A takes back
        for (int i = 0; i < 10; i++) {
          lab.announce(vip, vmac).after(Duration.ofSeconds(1));
          lab.announce(IpAddress.of("10.77.0.2"), routerA)
              .announce(IpAddress.of("10.77.0.3"), routerB);
        }
        // at the handover both routers briefly announce the virtual MAC (split brain for a moment)
        lab.announceFrom(vip, vmac, vmac)
            .after(Duration.ofMillis(200))
            .announceFrom(vip, vmac, vmac);
        lab.after(window.plus(Duration.ofSeconds(5)));
      }
      lab.after(quiet.multipliedBy(2)).heartbeat("lab-sw1");
      assertThat(lab.alerts())
          .filteredOn(a -> a.kind().equals("IP_CONFLICT") || a.kind().equals("MAC_CHANGED"))
          .isEmpty();
    }
  }

  @Test
  void shouldFireAddressSpoofOnTheFirstGratuitousReplyForTheGateway() {
    MacAddress attacker = MacAddress.of("66:55:44:33:22:11");
    try (Lab lab = Lab.standard()) {
      lab.protect(GATEWAY_IP, "gateway", GATEWAY);
      lab.reply(GATEWAY_IP, GATEWAY).after(Duration.ofSeconds(5));
      Instant attack = lab.now;
      lab.send(
          io.labwatch.events.PacketClass.ANNOUNCEMENT,
          GATEWAY_IP,
          attacker,
          GATEWAY_IP,
          MacAddress.BROADCAST,
          attacker);
      List<Alert> out = lab.alerts();
      assertThat(out).extracting(Alert::kind).containsExactly("ADDRESS_SPOOF");
      Alert spoof = out.get(0);
      assertThat(spoof.startedAt()).isEqualTo(attack);
      assertThat(spoof.severity()).isEqualTo(Severity.CRITICAL);
      assertThat(spoof.summary())
          .isEqualTo(
              "Address spoof on 10.77.0.1 (gateway): claimed by 66:55:44:33:22:11 (locally administered), but it belongs to 00:1b:21:77:00:01 (Intel Corporate)");
      assertThat(spoof.evidence().facts())
          .containsEntry("expected", GATEWAY.toString())
          .containsEntry("name", "gateway");

      // the attacker goes on for a minute, then the gateway alone holds it for the quiet period
      for (int i = 0; i < 6; i++) {
        lab.after(Duration.ofSeconds(10)).announce(GATEWAY_IP, attacker);
      }
      Instant lastAttack = lab.now;
      for (int i = 0; i < 15; i++) {
        lab.after(Duration.ofMinutes(1)).reply(GATEWAY_IP, GATEWAY);
      }
      List<Alert> later = lab.alerts();
      assertThat(later).extracting(Alert::state).containsExactly(AlertState.RESOLVED);
      assertThat(later.get(0).endedAt()).isEqualTo(lastAttack.plus(quiet));
      assertThat(later).noneMatch(a -> a.kind().equals("IP_CONFLICT"));
    }
  }

  @Test
  void anAddressProtectedWhileTheDetectionRunsIsGuardedFromTheNextPacket() {
    MacAddress attacker = MacAddress.of("66:55:44:33:22:11");
    try (Lab lab = Lab.standard()) {
      lab.reply(GATEWAY_IP, GATEWAY).after(Duration.ofSeconds(5));
      lab.protect(GATEWAY_IP, "gateway", GATEWAY); // `labwatch inventory` while running
      lab.announce(GATEWAY_IP, attacker);
      assertThat(lab.alerts()).extracting(Alert::kind).containsExactly("ADDRESS_SPOOF");
    }
  }

  @Test
  void shouldWarnWhenADeviceProbesForAnAddressInUse() {
    try (Lab lab = Lab.standard()) {
      lab.reply(SERVER_IP, SERVER).after(Duration.ofSeconds(20));
      lab.probe(SERVER_IP, NEWBOX).after(Duration.ofSeconds(1)).probe(SERVER_IP, NEWBOX);
      List<Alert> out = lab.alerts();
      assertThat(out).extracting(Alert::kind).containsExactly("PROBE_FOR_ADDRESS_IN_USE");
      assertThat(out.get(0).summary())
          .startsWith(
              "00:0c:29:77:00:30 (VMware, Inc.) probed for 10.77.0.10, which dc:9b:9c:77:00:10 (Apple, Inc.) holds");
    }
  }

  @Test
  void shouldStayQuietWhenADhcpClientProbesAFreeAddress() {
    try (Lab lab = Lab.standard()) {
      lab.reply(SERVER_IP, SERVER).after(Duration.ofSeconds(1));
      lab.probe(IpAddress.of("10.77.0.99"), NEWBOX)
          .after(Duration.ofSeconds(1))
          .probe(IpAddress.of("10.77.0.99"), NEWBOX);
      lab.after(Duration.ofSeconds(1)).announce(IpAddress.of("10.77.0.99"), NEWBOX);
      // and a holder re-checking its own address after a link flap is not news either
      lab.probe(SERVER_IP, SERVER);
      assertThat(lab.alerts()).isEmpty();
    }
  }

  @Test
  void shouldTellNewStationsOnlyAfterTheLearningPeriod() {
    Duration learning = Duration.ofMinutes(10);
    try (Lab lab =
        new Lab(DetectionConfig.defaults().deterministic().withLearningPeriod(learning))) {
      lab.reply(SERVER_IP, SERVER).after(learning.minus(Duration.ofSeconds(1)));
      lab.reply(GATEWAY_IP, GATEWAY).after(Duration.ofSeconds(2));
      assertThat(lab.alerts()).isEmpty();
      lab.reply(CLIENT_IP, CLIENT).reply(SERVER_IP, SERVER);
      List<Alert> out = lab.alerts();
      assertThat(out).extracting(Alert::kind).containsExactly("NEW_STATION");
      assertThat(out.get(0).severity()).isEqualTo(Severity.INFO);
      assertThat(out.get(0).summary())
          .isEqualTo("New station 10.77.0.21 at 52:54:00:77:00:21 (locally administered)");
    }
  }

  @Test
  void shouldForgetTheLeastRecentlySeenMacBeyondThirtyTwoOnAnAddressAndTellItNewWhenItReturns() {
    try (Lab lab =
        new Lab(DetectionConfig.defaults().deterministic().withLearningPeriod(Duration.ZERO))) {
      lab.reply(SERVER_IP, SERVER).after(Duration.ofSeconds(1));
      lab.reply(SERVER_IP, SERVER).after(Duration.ofSeconds(1)); // (its entry, found again)
      assertThat(newStations(lab.alerts())).containsExactly(SERVER);
      // when 32 other MACs claim the address, one after another: the server's entry is the oldest
      for (int i = 0; i < IpState.MAX_MACS; i++) {
        lab.reply(SERVER_IP, MacAddress.fromLong(0x02_00_00_00_00_00L + i))
            .after(Duration.ofSeconds(1));
      }
      List<MacAddress> others = newStations(lab.alerts());
      assertThat(others).hasSize(IpState.MAX_MACS).doesNotContain(SERVER);
      // then the server, back, is a new station on it again; the latest of the others is not
      lab.reply(SERVER_IP, SERVER).after(Duration.ofSeconds(1));
      lab.reply(SERVER_IP, others.get(others.size() - 1)).after(Duration.ofSeconds(1));
      lab.reply(SERVER_IP, SERVER).after(Duration.ofSeconds(1));
      assertThat(newStations(lab.alerts())).containsExactly(SERVER);
    }
  }

  private static List<MacAddress> newStations(List<Alert> alerts) {
    return alerts.stream()
        .filter(a -> a.kind().equals("NEW_STATION"))
        .map(a -> a.evidence().macs().get(0).mac())
        .toList();
  }

  @Test
  void shouldTellAnEthernetMismatchOncePerPair() {
    try (Lab lab = Lab.standard()) {
      for (int i = 0; i < 3; i++) {
        lab.send(io.labwatch.events.PacketClass.REPLY, SERVER_IP, SERVER, CLIENT_IP, CLIENT, CLIENT)
            .after(Duration.ofSeconds(1));
      }
      List<Alert> out = lab.alerts();
      assertThat(out).extracting(Alert::kind).containsExactly("ETHER_MISMATCH");
      assertThat(out.get(0).severity()).isEqualTo(Severity.INFO);
    }
  }

  @Test
  void shouldIgnoreExemptAndAllowedMacsAndIgnoredNetworks() {
    DetectionConfig config =
        new DetectionConfig(
            window,
            doubleReply,
            quiet,
            Duration.ofDays(1),
            defaults.updateInterval(),
            defaults.stateIdleTimeout(),
            3,
            false,
            DetectionConfig.DEFAULT_EXEMPT_MACS,
            java.util.Map.of(SERVER_IP, List.of(SERVER, ROUTER)),
            List.of(io.labwatch.streams.Cidr.of("10.77.99.0/24")),
            java.util.Map.of(),
            "t",
            null);
    try (Lab lab = new Lab(config)) {
      // a bonded pair allowed to share the server's address
      lab.reply(SERVER_IP, SERVER)
          .after(Duration.ofMillis(10))
          .reply(SERVER_IP, ROUTER)
          .after(Duration.ofMillis(10))
          .reply(SERVER_IP, SERVER);
      // a network nobody wants to hear about
      IpAddress ignored = IpAddress.of("10.77.99.7");
      lab.reply(ignored, CLIENT)
          .after(Duration.ofMillis(10))
          .reply(ignored, NEWBOX)
          .after(Duration.ofMillis(10))
          .reply(ignored, CLIENT);
      assertThat(lab.alerts()).isEmpty();
    }
  }

  @Test
  void stateOfAnIdleAddressIsForgotten() {
    try (Lab lab = Lab.standard()) {
      lab.reply(SERVER_IP, SERVER);
      assertThat(lab.driver.getKeyValueStore("ip-state").get("10.77.0.10")).isNotNull();
      lab.after(defaults.stateIdleTimeout().plusMinutes(1)).heartbeat("lab-sw1");
      assertThat(lab.driver.getKeyValueStore("ip-state").get("10.77.0.10")).isNull();
      assertThat(lab.driver.getKeyValueStore("timers").approximateNumEntries()).isZero();
    }
  }

  @Test
  void anArpStormWithOneConflictInsideGivesExactlyOneIpConflict() {
    try (Lab lab = Lab.standard()) {
      int hosts = 1000;
      for (int i = 0; i < 100_000; i++) {
        int h = i % hosts;
        IpAddress ip = IpAddress.of("10.78." + (h / 250) + "." + (h % 250 + 1));
        MacAddress mac = MacAddress.fromLong(0x3cfdfe000000L + h);
        if (h == 500 && (i / hosts) % 2 == 1) {
          mac = ROUTER; // one address answered by two MACs, alternately
        }
        lab.reply(ip, mac).after(Duration.ofMillis(1));
      }
      List<Alert> out = lab.alerts();
      assertThat(out)
          .filteredOn(a -> a.state() == AlertState.FIRING)
          .extracting(Alert::fingerprint)
          .containsOnly("IP_CONFLICT:10.78.2.1");
      assertThat(out)
          .filteredOn(a -> a.kind().equals("IP_CONFLICT"))
          .extracting(Alert::incidentId)
          .hasSize(1);
      assertThat(out).noneMatch(a -> !a.kind().equals("IP_CONFLICT"));
    }
  }

  static Instant t(Duration d) {
    return T0.plus(d);
  }
}
