package io.labwatch.streams.bindings;

import static io.labwatch.streams.Lab.CLIENT;
import static io.labwatch.streams.Lab.CLIENT_IP;
import static io.labwatch.streams.Lab.GATEWAY;
import static io.labwatch.streams.Lab.GATEWAY_IP;
import static io.labwatch.streams.Lab.NEWBOX;
import static io.labwatch.streams.Lab.ROUTER;
import static io.labwatch.streams.Lab.SERVER;
import static io.labwatch.streams.Lab.SERVER_IP;
import static org.assertj.core.api.Assertions.assertThat;

import io.labwatch.events.Alert;
import io.labwatch.events.AlertState;
import io.labwatch.events.IpAddress;
import io.labwatch.events.MacAddress;
import io.labwatch.events.ProbeRequest;
import io.labwatch.streams.DetectionConfig;
import io.labwatch.streams.Lab;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 13 §1 and §2: a hand-over (failover, bonding, a new NIC) is a MAC_CHANGED, not an IP
 * conflict; a conflict needs two devices holding the address at the same time, and a confirmation
 * probe settles a change in seconds. Timestamps come from the configured windows.
 */
class FailoverAndConfirmationTest {

  static final IpAddress SENSOR_IP = IpAddress.of("10.77.0.2");
  static final MacAddress SENSOR_MAC = MacAddress.of("00:1b:21:77:00:99");

  private final DetectionConfig defaults = DetectionConfig.defaults();
  private final Duration window = defaults.conflictWindow();
  private final Duration doubleReply = defaults.doubleReplyWindow();

  private static List<String> kinds(List<Alert> alerts) {
    return alerts.stream().map(Alert::kind).toList();
  }

  @Test
  void
      shouldTellMacChangedNotConflictWhenKeepalivedWithoutVirtualMacFailsOverOneSecondAfterTheMastersLastPacket() {
    IpAddress vip = IpAddress.of("10.77.0.5");
    MacAddress master = MacAddress.of("00:1b:21:77:00:02");
    MacAddress backup = MacAddress.of("00:1b:21:77:00:03");
    try (Lab lab = Lab.standard()) {
      // given the master answering the clients for the virtual address
      for (int i = 0; i < 6; i++) {
        lab.reply(vip, master).after(Duration.ofSeconds(10));
      }
      lab.reply(vip, master); // its last packet: an answer; then it dies
      // when the backup announces the address a second later (keepalived's gratuitous ARPs)
      lab.after(Duration.ofSeconds(1));
      Instant takeover = lab.now;
      for (int i = 0; i < 5; i++) {
        lab.announce(vip, backup).after(Duration.ofSeconds(1));
      }
      // and answers the clients from then on; the master never comes back
      for (int i = 0; i < 40; i++) {
        lab.reply(vip, backup).after(Duration.ofSeconds(10));
      }

      // then one MAC_CHANGED when the window has passed, no IP_CONFLICT
      List<Alert> out = lab.alerts();
      assertThat(kinds(out)).containsExactly("MAC_CHANGED");
      assertThat(out.get(0).startedAt()).isEqualTo(takeover);
      assertThat(out.get(0).evidence().facts())
          .containsEntry("from", master.toString())
          .containsEntry("to", backup.toString());
      // and the sensors were asked once to confirm it, naming both
      List<ProbeRequest> asked = lab.probeRequests();
      assertThat(asked).hasSize(1);
      assertThat(asked.get(0).ip()).isEqualTo(vip);
      assertThat(asked.get(0).macs()).containsExactly(master, backup);
      assertThat(asked.get(0).requestedAt()).isEqualTo(takeover);
    }
  }

  @Test
  void shouldTellMacChangedNotConflictWhenABondFailsOverToASlaveWithItsOwnMac() {
    // bonding mode=active-backup fail_over_mac=active: the bond takes the new slave's MAC and
    // sends a gratuitous ARP reply (an announcement) within a few hundred ms of the link failure
    MacAddress slave1 = MacAddress.of("3c:fd:fe:77:00:10");
    MacAddress slave2 = MacAddress.of("3c:fd:fe:77:00:11");
    try (Lab lab = Lab.standard()) {
      for (int i = 0; i < 10; i++) {
        lab.reply(SERVER_IP, slave1)
            .after(Duration.ofSeconds(3))
            .request(SERVER_IP, slave1, GATEWAY_IP)
            .after(Duration.ofSeconds(3));
      }
      lab.replyTo(SERVER_IP, slave1, GATEWAY_IP, GATEWAY).after(Duration.ofMillis(200));
      Instant failover = lab.now;
      lab.announce(SERVER_IP, slave2);
      lab.after(doubleReply.plusSeconds(1));
      for (int i = 0; i < 40; i++) {
        lab.replyTo(SERVER_IP, slave2, GATEWAY_IP, GATEWAY)
            .after(Duration.ofSeconds(4))
            .request(SERVER_IP, slave2, GATEWAY_IP)
            .after(Duration.ofSeconds(4));
      }

      List<Alert> out = lab.alerts();
      assertThat(kinds(out)).containsExactly("MAC_CHANGED");
      assertThat(out.get(0).startedAt()).isEqualTo(failover);
    }
  }

  @Test
  void shouldFireTheSeedConflictWithinASecondWhenBothAnswerTheProbeThatTheRoutersFirstClaimDraws() {
    try (Lab lab = Lab.standard()) {
      // given the server, which answered two minutes ago and has been silent since
      lab.reply(SERVER_IP, SERVER).after(Duration.ofMinutes(2));
      // when the router comes up in AP mode with the server's address and announces it
      Instant firstClaim = lab.now;
      lab.announce(SERVER_IP, ROUTER);
      // then no alert yet (a hand-over looks the same), but a probe request naming both
      assertThat(lab.alerts()).isEmpty();
      assertThat(lab.probeRequests())
          .singleElement()
          .satisfies(r -> assertThat(r.macs()).containsExactly(SERVER, ROUTER));

      // when a sensor asks, and both answer: the server first, the router a millisecond later
      lab.after(Duration.ofMillis(40)).probeSent(SERVER_IP, SENSOR_MAC);
      Instant asked = lab.now;
      lab.after(Duration.ofMillis(1)).replyTo(SERVER_IP, SERVER, SENSOR_IP, SENSOR_MAC);
      assertThat(lab.alerts()).as("held until the router has had its say").isEmpty();
      lab.after(Duration.ofMillis(1)).replyTo(SERVER_IP, ROUTER, SENSOR_IP, SENSOR_MAC);

      // then the IP_CONFLICT at once, confirmed by the probe
      List<Alert> out = lab.alerts();
      assertThat(kinds(out)).containsExactly("IP_CONFLICT");
      Alert a = out.get(0);
      assertThat(a.state()).isEqualTo(AlertState.FIRING);
      assertThat(a.startedAt()).isEqualTo(firstClaim);
      assertThat(Duration.between(firstClaim, lab.now)).isLessThan(Duration.ofSeconds(1));
      String at = BindingRules.clock(asked.toEpochMilli());
      assertThat(a.summary())
          .isEqualTo(
              "IP conflict on 10.77.0.10: two devices answer for it, 00:a0:de:77:00:10 (YAMAHA CORPORATION) and dc:9b:9c:77:00:10 (Apple, Inc.); both answered a probe at "
                  + at);
      assertThat(a.evidence().facts())
          .containsEntry("proof", "confirmed: both answered a probe at " + at);

      // and the probe's end adds nothing
      lab.after(Duration.ofSeconds(2)).probeDone(SERVER_IP, SENSOR_MAC, ROUTER, SERVER);
      assertThat(lab.alerts()).isEmpty();
    }
  }

  @Test
  void shouldTellMacChangedWithinSecondsWhenOnlyTheNewMacAnswersTheProbe() {
    try (Lab lab = Lab.standard()) {
      lab.reply(SERVER_IP, SERVER).after(Duration.ofMinutes(1));
      // the server gets a new NIC (or fails over to a box with another MAC)
      Instant changed = lab.now;
      lab.announce(SERVER_IP, NEWBOX);
      lab.after(Duration.ofMillis(30)).probeSent(SERVER_IP, SENSOR_MAC);
      Instant asked = lab.now;
      lab.after(Duration.ofMillis(1)).replyTo(SERVER_IP, NEWBOX, SENSOR_IP, SENSOR_MAC);
      assertThat(lab.alerts()).isEmpty();
      lab.after(Duration.ofSeconds(2)).probeDone(SERVER_IP, SENSOR_MAC, NEWBOX);

      List<Alert> out = lab.alerts();
      assertThat(kinds(out)).containsExactly("MAC_CHANGED");
      assertThat(out.get(0).startedAt()).isEqualTo(changed);
      String proof =
          "only 00:0c:29:77:00:30 answered a probe at " + BindingRules.clock(asked.toEpochMilli());
      assertThat(out.get(0).evidence().facts()).containsEntry("proof", proof);
      assertThat(out.get(0).summary())
          .isEqualTo(
              "10.77.0.10 moved from dc:9b:9c:77:00:10 (Apple, Inc.) to 00:0c:29:77:00:30 (VMware, Inc.): "
                  + proof
                  + " (a replaced NIC, a new DHCP lease or a failover)");

      // and the window's end does not tell it again
      lab.after(window).reply(SERVER_IP, NEWBOX).after(window).reply(SERVER_IP, NEWBOX);
      assertThat(lab.alerts()).isEmpty();
    }
  }

  @Test
  void shouldFireAConflictWhenAMacSilentForMinutesAnswersTheProbe() {
    try (Lab lab = Lab.standard()) {
      lab.reply(SERVER_IP, SERVER).after(Duration.ofMinutes(3));
      lab.announce(SERVER_IP, NEWBOX).after(Duration.ofMillis(20)).probeSent(SERVER_IP, SENSOR_MAC);
      Instant asked = lab.now;
      // only the old MAC answers: the new one claimed it and went quiet (or lies)
      lab.after(Duration.ofMillis(1)).replyTo(SERVER_IP, SERVER, SENSOR_IP, SENSOR_MAC);
      assertThat(lab.alerts()).isEmpty();
      lab.after(Duration.ofSeconds(2)).probeDone(SERVER_IP, SENSOR_MAC, SERVER);
      List<Alert> out = lab.alerts();
      assertThat(kinds(out)).containsExactly("IP_CONFLICT");
      assertThat(out.get(0).evidence().facts().get("proof"))
          .endsWith(
              "; only dc:9b:9c:77:00:10 answered a probe at "
                  + BindingRules.clock(asked.toEpochMilli()));
    }
  }

  @Test
  void withoutAProbeAChangeWaitsForItsWindowAsBefore() {
    try (Lab lab = Lab.standard()) {
      lab.reply(SERVER_IP, SERVER).after(Duration.ofMinutes(1));
      Instant changed = lab.now;
      lab.announce(SERVER_IP, NEWBOX);
      // a probe that nobody answered (another segment, a sensor without rights) changes nothing
      lab.after(Duration.ofMillis(30)).probeSent(SERVER_IP, SENSOR_MAC);
      lab.after(Duration.ofSeconds(2)).probeDone(SERVER_IP, SENSOR_MAC);
      lab.after(window.minus(Duration.ofSeconds(3))).reply(SERVER_IP, NEWBOX);
      assertThat(lab.alerts()).isEmpty();
      lab.after(Duration.ofSeconds(2)).reply(SERVER_IP, NEWBOX);
      List<Alert> out = lab.alerts();
      assertThat(kinds(out)).containsExactly("MAC_CHANGED");
      assertThat(out.get(0).startedAt()).isEqualTo(changed);
      assertThat(out.get(0).evidence().facts()).doesNotContainKey("proof");
    }
  }

  @Test
  void aConflictHeldForAProbeWhoseSensorNeverEndsItIsToldWhenTheProbeTimesOut() {
    try (Lab lab = Lab.standard()) {
      lab.reply(SERVER_IP, SERVER).after(Duration.ofMinutes(1));
      lab.announce(SERVER_IP, ROUTER).after(Duration.ofMillis(20)).probeSent(SERVER_IP, SENSOR_MAC);
      Instant asked = lab.now;
      lab.after(Duration.ofMillis(1)).replyTo(SERVER_IP, SERVER, SENSOR_IP, SENSOR_MAC);
      assertThat(lab.alerts()).isEmpty();
      // the sensor dies; other traffic moves stream time on
      lab.after(Duration.ofMillis(BindingRules.PROBE_ANSWER_MS)).reply(CLIENT_IP, CLIENT);
      List<Alert> out = lab.alerts();
      assertThat(kinds(out)).containsExactly("IP_CONFLICT");
      assertThat(out.get(0).startedAt()).isEqualTo(asked.minusMillis(20));
    }
  }

  @Test
  void twoAnswersToTwoAskersAcrossAHandOverAreNotADoubleAnswer() {
    try (Lab lab = Lab.standard()) {
      lab.replyTo(SERVER_IP, SERVER, GATEWAY_IP, GATEWAY).after(Duration.ofMillis(500));
      // the server fails over to the new box, which answers another asker half a second later
      lab.replyTo(SERVER_IP, NEWBOX, CLIENT_IP, CLIENT);
      lab.after(window.plusSeconds(1)).reply(SERVER_IP, NEWBOX);
      assertThat(kinds(lab.alerts())).containsExactly("MAC_CHANGED");
    }
  }

  @Test
  void twoAnswersToOneAskerWithinTheDoubleReplyWindowAreAConflictAtOnce() {
    try (Lab lab = Lab.standard()) {
      lab.reply(SERVER_IP, SERVER).after(Duration.ofMinutes(1));
      lab.replyTo(SERVER_IP, SERVER, GATEWAY_IP, GATEWAY)
          .after(doubleReply.minusMillis(1))
          .replyTo(SERVER_IP, ROUTER, GATEWAY_IP, GATEWAY);
      List<Alert> out = lab.alerts();
      assertThat(kinds(out)).containsExactly("IP_CONFLICT");
      assertThat(out.get(0).summary()).contains("; first double answer at ");
    }
  }
}
