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
import io.labwatch.events.ArpObservation;
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
 * Issue 20: sensors on several VLANs publish into one topic. An address means one device within one
 * broadcast domain only: the same IP with two MACs on two VLANs (or in two configured segments) is
 * two devices, not a conflict; on one VLAN it is a conflict, told with the VLAN; untagged frames of
 * a sensor without a segment are the default segment, keyed and told exactly as before.
 */
class SegmentsTest {

  static final IpAddress SENSOR_IP = IpAddress.of("10.77.0.2");
  static final MacAddress SENSOR_MAC = MacAddress.of("00:1b:21:77:00:99");

  private final DetectionConfig defaults = DetectionConfig.defaults();
  private final Duration quiet = defaults.quietPeriod();

  /** Both MACs answer every request for the address, 40 ms apart, every 3 s, for a minute. */
  private static void bothAnswer(Lab lab, Integer vlanA, Integer vlanB) {
    for (int i = 0; i < 20; i++) {
      lab.onVlan(vlanA)
          .reply(SERVER_IP, SERVER)
          .after(Duration.ofMillis(40))
          .onVlan(vlanB)
          .reply(SERVER_IP, ROUTER)
          .after(Duration.ofSeconds(3));
    }
  }

  @Test
  void shouldNotFireAConflictWhenTheSameIpHasTwoMacsOnTwoVlans() {
    try (Lab lab = Lab.standard()) {
      // given a trunk sensor that sees 10.77.0.10 on VLAN 10 (the server) and on VLAN 20 (another
      // lab's router), each answering every request, 40 ms apart, for a minute
      bothAnswer(lab, 10, 20);

      // then nothing: two broadcast domains, two devices
      assertThat(lab.alerts()).isEmpty();
      assertThat(lab.probeRequests()).isEmpty();

      // and an hour later still nothing (no MAC change, no conflict pending)
      lab.after(Duration.ofHours(1)).onVlan(10).reply(SERVER_IP, SERVER);
      lab.onVlan(20).reply(SERVER_IP, ROUTER);
      assertThat(lab.alerts()).isEmpty();
    }
  }

  @Test
  void shouldFireAConflictNamingTheVlanWhenTwoMacsClaimTheIpOnOneVlan() {
    try (Lab lab = Lab.standard()) {
      // given the server and the router in AP mode both answering for 10.77.0.10 on VLAN 20
      Instant first = lab.now;
      bothAnswer(lab, 20, 20);
      Instant routerLast = lab.now.minus(Duration.ofSeconds(3));

      // then one IP_CONFLICT whose subject is the address in VLAN 20, and says so
      List<Alert> firing = lab.alerts();
      assertThat(firing).extracting(Alert::kind).containsExactly("IP_CONFLICT");
      Alert a = firing.get(0);
      assertThat(a.fingerprint()).isEqualTo("IP_CONFLICT:10.77.0.10%vlan20");
      assertThat(a.subject()).isEqualTo("10.77.0.10%vlan20");
      assertThat(a.startedAt()).isEqualTo(first.plusMillis(40));
      assertThat(a.summary())
          .isEqualTo(
              "IP conflict on 10.77.0.10 in VLAN 20: two devices answer for it, 00:a0:de:77:00:10 (YAMAHA CORPORATION) and dc:9b:9c:77:00:10 (Apple, Inc.); first double answer at 14:02:11 UTC");

      // when the server alone holds it for the quiet period
      for (int i = 0; i < 70; i++) {
        lab.onVlan(20).reply(SERVER_IP, SERVER).after(Duration.ofSeconds(10));
      }

      // then it resolves, saying the VLAN again
      List<Alert> rest = lab.alerts();
      assertThat(rest).extracting(Alert::state).containsExactly(AlertState.RESOLVED);
      assertThat(rest.get(0).incidentId()).isEqualTo(a.incidentId());
      assertThat(rest.get(0).endedAt()).isEqualTo(routerLast.plus(quiet));
      assertThat(rest.get(0).summary())
          .startsWith(
              "IP conflict on 10.77.0.10 in VLAN 20 resolved: only dc:9b:9c:77:00:10 (Apple, Inc.) has claimed it for 10 min");
    }
  }

  @Test
  void shouldKeepTheDefaultSegmentAsBeforeBesideATaggedVlan() {
    try (Lab lab = Lab.standard()) {
      // given the server untagged (the default segment) and the router on VLAN 20
      bothAnswer(lab, null, 20);
      assertThat(lab.alerts()).isEmpty();

      // when a third MAC takes the server's address untagged, and the server reasserts it
      lab.onVlan(null).reply(SERVER_IP, NEWBOX).after(Duration.ofSeconds(1));
      lab.reply(SERVER_IP, SERVER);

      // then the default segment's conflict is keyed, told and confirmed as ever: by the IP alone,
      // between the two untagged MACs only, with a confirmation probe asked for
      List<Alert> out = lab.alerts();
      assertThat(out).extracting(Alert::fingerprint).containsExactly("IP_CONFLICT:10.77.0.10");
      assertThat(out.get(0).summary())
          .startsWith(
              "IP conflict on 10.77.0.10: two devices answer for it, 00:0c:29:77:00:30 (VMware, Inc.) and dc:9b:9c:77:00:10 (Apple, Inc.)");
      assertThat(lab.probeRequests()).extracting(ProbeRequest::ip).containsExactly(SERVER_IP);
    }
  }

  @Test
  void shouldKeepAConfiguredSegmentApartFromTheDefaultAndNameIt() {
    try (Lab lab = Lab.standard()) {
      // given an access-port sensor configured in segment lab-b, where 10.77.0.10 is the router,
      // and the default segment's sensor, where it is the server: no conflict
      for (int i = 0; i < 10; i++) {
        lab.inSegment(null)
            .reply(SERVER_IP, SERVER)
            .after(Duration.ofMillis(40))
            .inSegment("lab-b")
            .reply(SERVER_IP, ROUTER)
            .after(Duration.ofSeconds(3));
      }
      assertThat(lab.alerts()).isEmpty();

      // when a second MAC claims it in lab-b and the router reasserts it there
      lab.inSegment("lab-b").reply(SERVER_IP, NEWBOX).after(Duration.ofMillis(40));
      lab.reply(SERVER_IP, ROUTER);

      // then a conflict in lab-b, named so
      List<Alert> out = lab.alerts();
      assertThat(out)
          .extracting(Alert::fingerprint)
          .containsExactly("IP_CONFLICT:10.77.0.10%lab-b");
      assertThat(out.get(0).summary())
          .startsWith(
              "IP conflict on 10.77.0.10 in segment lab-b: two devices answer for it, 00:0c:29:77:00:30 (VMware, Inc.) and 00:a0:de:77:00:10 (YAMAHA CORPORATION)");
    }
  }

  @Test
  void shouldAskTheSensorsOfASegmentToConfirmAClaimThereAndTellWhatTheirProbeShowed() {
    try (Lab lab = Lab.standard()) {
      // given the server holding 10.77.0.10 in segment lab-b, and in the default segment
      lab.inSegment("lab-b").reply(SERVER_IP, SERVER);
      lab.inSegment(null).reply(SERVER_IP, SERVER).after(Duration.ofMinutes(1));

      // when a new MAC announces it in lab-b
      Instant changed = lab.now;
      lab.inSegment("lab-b").announce(SERVER_IP, NEWBOX);

      // then the detection asks lab-b's sensors, and only them, to confirm it
      assertThat(lab.probeRequests())
          .singleElement()
          .satisfies(
              r -> {
                assertThat(r.ip()).isEqualTo(SERVER_IP);
                assertThat(r.segment()).isEqualTo("lab-b");
                assertThat(r.key()).isEqualTo("10.77.0.10%lab-b");
              });

      // when lab-b's sensor asks and only the new MAC answers
      lab.after(Duration.ofMillis(30)).probeSent(SERVER_IP, SENSOR_MAC);
      lab.after(Duration.ofMillis(1)).replyTo(SERVER_IP, NEWBOX, SENSOR_IP, SENSOR_MAC);
      lab.after(Duration.ofSeconds(2)).probeDone(SERVER_IP, SENSOR_MAC, NEWBOX);

      // then the MAC change in lab-b is told at once, and the default segment's server is untouched
      List<Alert> out = lab.alerts();
      assertThat(out)
          .extracting(Alert::fingerprint)
          .containsExactly("MAC_CHANGED:10.77.0.10%lab-b");
      assertThat(out.get(0).startedAt()).isEqualTo(changed);
      assertThat(out.get(0).summary())
          .startsWith(
              "10.77.0.10 in segment lab-b moved from dc:9b:9c:77:00:10 (Apple, Inc.) to 00:0c:29:77:00:30 (VMware, Inc.): only 00:0c:29:77:00:30 answered a probe");
      lab.inSegment(null).after(Duration.ofHours(1)).reply(SERVER_IP, SERVER);
      assertThat(lab.alerts()).isEmpty();
    }
  }

  @Test
  void shouldPutATaggedFrameInItsVlanWhateverTheSensorsSegmentAndAPriorityTagInNone() {
    try (Lab lab = Lab.standard()) {
      // given a sensor configured in lab-b that also sees frames tagged with VLAN 20: those are
      // VLAN 20's; and frames with a priority tag only (VLAN 0) are untagged ones
      lab.inSegment("lab-b").onVlan(20).reply(SERVER_IP, SERVER);
      lab.inSegment(null).onVlan(null).after(Duration.ofMillis(40)).reply(SERVER_IP, ROUTER);
      lab.after(Duration.ofMillis(40)).onVlan(0).reply(SERVER_IP, NEWBOX);

      // then VLAN 20 holds the server alone; the default segment has two MACs answering the same
      // asker within the double-reply window: a conflict there, and only there
      List<Alert> out = lab.alerts();
      assertThat(out).extracting(Alert::fingerprint).containsExactly("IP_CONFLICT:10.77.0.10");
      assertThat(out.get(0).evidence().macs())
          .extracting(m -> m.mac().toString())
          .containsExactly("00:0c:29:77:00:30", "00:a0:de:77:00:10");
    }
  }

  @Test
  void shouldTellAMacChangeOnAVlanWithTheVlan() {
    try (Lab lab = Lab.standard()) {
      for (int i = 0; i < 10; i++) {
        lab.onVlan(20).reply(SERVER_IP, SERVER).after(Duration.ofSeconds(30));
      }
      lab.after(Duration.ofMinutes(1));
      for (int i = 0; i < 30; i++) {
        lab.reply(SERVER_IP, NEWBOX).after(Duration.ofSeconds(30));
      }
      List<Alert> out = lab.alerts();
      assertThat(out)
          .extracting(Alert::fingerprint)
          .containsExactly("MAC_CHANGED:10.77.0.10%vlan20");
      assertThat(out.get(0).summary())
          .startsWith(
              "10.77.0.10 in VLAN 20 moved from dc:9b:9c:77:00:10 (Apple, Inc.) to 00:0c:29:77:00:30 (VMware, Inc.)");
    }
  }

  @Test
  void shouldTellANewStationOnAVlanWithTheVlan() {
    try (Lab lab = new Lab(defaults.deterministic().withLearningPeriod(Duration.ZERO))) {
      lab.onVlan(30).announce(CLIENT_IP, CLIENT);
      List<Alert> out = lab.alerts();
      assertThat(out)
          .extracting(Alert::fingerprint)
          .containsExactly("NEW_STATION:10.77.0.21%vlan30");
      assertThat(out.get(0).summary())
          .isEqualTo(
              "New station 10.77.0.21 in VLAN 30 at 52:54:00:77:00:21 (locally administered)");
    }
  }

  @Test
  void shouldNotSetTheRoutersTableAgainstAVlansFrames() {
    try (Lab lab = Lab.standard()) {
      // given the router's table (the default segment) holding the server's address
      lab.routerTable(SERVER_IP, SERVER, ArpObservation.TableEntry.NEW);
      // when the router in AP mode answers for it on VLAN 20, and the server there as well
      lab.after(Duration.ofSeconds(1)).onVlan(20).reply(SERVER_IP, ROUTER);
      lab.after(Duration.ofSeconds(20))
          .routerTable(SERVER_IP, SERVER, ArpObservation.TableEntry.HELD);
      // then nothing: the table speaks of the default segment's address
      assertThat(lab.alerts()).isEmpty();
    }
  }

  @Test
  void shouldTellAnArpPoisoningOnAVlanWithTheAddressesItImpersonatesThere() {
    MacAddress attacker = MacAddress.of("08:00:27:66:00:66");
    IpAddress attackerIp = IpAddress.of("10.77.0.66");
    try (Lab lab = Lab.standard()) {
      lab.onVlan(20);
      for (int i = 0; i < 4; i++) {
        normalTraffic(lab);
      }
      // arpspoof -t CLIENT -r GATEWAY, on VLAN 20
      lab.request(attackerIp, attacker, CLIENT_IP)
          .after(Duration.ofMillis(1))
          .request(attackerIp, attacker, GATEWAY_IP)
          .after(Duration.ofMillis(5));
      for (int i = 0; i < 60; i++) {
        lab.replyTo(GATEWAY_IP, attacker, CLIENT_IP, CLIENT)
            .after(Duration.ofMillis(1))
            .replyTo(CLIENT_IP, attacker, GATEWAY_IP, GATEWAY)
            .after(Duration.ofSeconds(2));
        if (i % 7 == 3) {
          normalTraffic(lab);
        }
      }
      List<Alert> out = lab.alerts();
      assertThat(out).extracting(Alert::kind).containsOnly("ARP_POISONING");
      Alert last = out.get(out.size() - 1);
      assertThat(last.fingerprint()).isEqualTo("ARP_POISONING:" + attacker);
      assertThat(last.summary())
          .isEqualTo(
              "08:00:27:66:00:66 (PCS Systemtechnik GmbH; 10.77.0.66 in VLAN 20) impersonates 10.77.0.1 in VLAN 20 (00:1b:21:77:00:01 Intel Corporate) and 10.77.0.21 in VLAN 20 (52:54:00:77:00:21 locally administered) toward each other: a man in the middle (ARP poisoning)");
    }
  }

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
}
