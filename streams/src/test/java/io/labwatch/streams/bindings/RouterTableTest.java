package io.labwatch.streams.bindings;

import static io.labwatch.events.ArpObservation.TableEntry.CHANGED;
import static io.labwatch.events.ArpObservation.TableEntry.HELD;
import static io.labwatch.events.ArpObservation.TableEntry.NEW;
import static io.labwatch.streams.Lab.CLIENT;
import static io.labwatch.streams.Lab.CLIENT_IP;
import static io.labwatch.streams.Lab.GATEWAY_IP;
import static io.labwatch.streams.Lab.NEWBOX;
import static io.labwatch.streams.Lab.ROUTER;
import static io.labwatch.streams.Lab.ROUTER_TABLE;
import static io.labwatch.streams.Lab.SENSOR;
import static io.labwatch.streams.Lab.SERVER;
import static io.labwatch.streams.Lab.SERVER_IP;
import static org.assertj.core.api.Assertions.assertThat;

import io.labwatch.events.Alert;
import io.labwatch.events.AlertState;
import io.labwatch.events.Evidence;
import io.labwatch.events.PacketClass;
import io.labwatch.events.ProbeRequest;
import io.labwatch.streams.DetectionConfig;
import io.labwatch.streams.Lab;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 14: a router's ARP table, polled by SNMP, as a source of bindings. An entry the router
 * learned since its last poll is a claim seen by the router; its table flipping A→B→A across polls
 * is an IP_CONFLICT seen in its ARP table, one incident with what the wire showed; a refresh of an
 * old entry is not a claim, a table entry is no answer, and the router's view of a poisoning does
 * not hide the poisoner.
 */
class RouterTableTest {

  /** How often the SNMP sensor polls (sensor.snmp.interval's default). */
  static final Duration POLL = Duration.ofSeconds(30);

  private final DetectionConfig defaults = DetectionConfig.defaults();
  private final Duration window = defaults.conflictWindow();

  private static List<String> kinds(List<Alert> alerts) {
    return alerts.stream().map(Alert::kind).toList();
  }

  private static Evidence.MacEvidence of(Alert a, Object mac) {
    return a.evidence().macs().stream()
        .filter(m -> m.mac().toString().equals(mac.toString()))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void shouldFireOneIpConflictSeenInTheRoutersArpTableWhenItsEntryFlipsAbaAcrossPolls() {
    try (Lab lab = Lab.standard()) {
      // given the router's table: the server's address at the server's MAC
      lab.routerTable(SERVER_IP, SERVER, HELD).after(POLL);
      // when at the next poll it holds the YAMAHA router's MAC instead
      Instant took = lab.now;
      lab.routerTable(SERVER_IP, ROUTER, CHANGED).after(POLL);
      // then no alert yet (a hand-over looks the same), but the sensors are asked to confirm
      assertThat(lab.alerts()).isEmpty();
      assertThat(lab.probeRequests())
          .extracting(ProbeRequest::macs)
          .containsExactly(List.of(SERVER, ROUTER));

      // when at the poll after that it holds the server's again
      Instant again = lab.now;
      lab.routerTable(SERVER_IP, SERVER, CHANGED);

      // then one IP_CONFLICT, naming both MACs with their vendors, seen in the router's table
      List<Alert> out = lab.alerts();
      assertThat(kinds(out)).containsExactly("IP_CONFLICT");
      Alert a = out.get(0);
      assertThat(a.state()).isEqualTo(AlertState.FIRING);
      assertThat(a.startedAt()).isEqualTo(took);
      assertThat(a.summary())
          .isEqualTo(
              "IP conflict on 10.77.0.10: two devices answer for it, "
                  + "00:a0:de:77:00:10 (YAMAHA CORPORATION) and dc:9b:9c:77:00:10 (Apple, Inc.); "
                  + ROUTER
                  + " took it at "
                  + BindingRules.clock(took.toEpochMilli())
                  + " and "
                  + SERVER
                  + " claimed it again at "
                  + BindingRules.clock(again.toEpochMilli())
                  + ", seen in 10.77.0.1's ARP table");
      assertThat(a.evidence().facts())
          .containsEntry("routerTable", "seen in " + ROUTER_TABLE + "'s ARP table");
      assertThat(a.evidence().flips()).isEqualTo(2);
      assertThat(of(a, ROUTER).sensors()).containsExactly(ROUTER_TABLE);
      assertThat(of(a, ROUTER).classes()).containsExactly(PacketClass.ROUTER_TABLE);
      assertThat(a.labels()).containsEntry("sensor", ROUTER_TABLE);
    }
  }

  @Test
  void shouldFuseTheRoutersTableAndTheWireIntoOneIncidentThatNamesBothSources() {
    try (Lab lab = Lab.standard()) {
      // given the server answering on the wire, and the router's table agreeing
      lab.reply(SERVER_IP, SERVER).after(Duration.ofSeconds(1));
      lab.routerTable(SERVER_IP, SERVER, HELD).after(POLL);
      // when the router's table takes the YAMAHA MAC, which the wire sensor does not see
      lab.routerTable(SERVER_IP, ROUTER, CHANGED).after(Duration.ofSeconds(5));
      // and the server answers on the wire again
      lab.reply(SERVER_IP, SERVER).after(POLL);
      // and the router's table flips on
      lab.routerTable(SERVER_IP, SERVER, CHANGED).after(POLL);
      lab.routerTable(SERVER_IP, ROUTER, CHANGED).after(POLL);

      // then one incident (no MAC joins it later, so its FIRING alone), from both sources
      List<Alert> out = lab.alerts();
      assertThat(kinds(out)).containsExactly("IP_CONFLICT");
      Alert a = out.get(0);
      assertThat(of(a, SERVER).sensors()).containsExactly(ROUTER_TABLE, SENSOR);
      assertThat(of(a, SERVER).classes())
          .containsExactly(PacketClass.REPLY, PacketClass.ROUTER_TABLE);
      assertThat(of(a, ROUTER).sensors()).containsExactly(ROUTER_TABLE);
      assertThat(a.evidence().facts())
          .containsEntry("routerTable", "seen in 10.77.0.1's ARP table");
      assertThat(a.summary()).contains("00:a0:de:77:00:10 (YAMAHA CORPORATION)");
    }
  }

  @Test
  void shouldTellMacChangedWhenTheRoutersTableMovesOnceAndStaysThere() {
    try (Lab lab = Lab.standard()) {
      lab.routerTable(SERVER_IP, SERVER, HELD).after(POLL);
      Instant moved = lab.now;
      lab.routerTable(SERVER_IP, NEWBOX, CHANGED);
      // the new MAC is what the table holds from then on: refreshes, heartbeats
      for (Instant end = moved.plus(window).plus(POLL); lab.now.isBefore(end); ) {
        lab.after(POLL)
            .routerTable(SERVER_IP, NEWBOX, HELD)
            .heartbeat(ROUTER_TABLE, POLL.toMillis());
      }

      List<Alert> out = lab.alerts();
      assertThat(kinds(out)).containsExactly("MAC_CHANGED");
      assertThat(out.get(0).startedAt()).isEqualTo(moved);
      assertThat(out.get(0).evidence().facts())
          .containsEntry("from", SERVER.toString())
          .containsEntry("to", NEWBOX.toString());
    }
  }

  @Test
  void shouldNotTakeARefreshOfAStaleEntryForAClaimOnceTheWireHasMovedOn() {
    try (Lab lab = Lab.standard()) {
      // given the server's old NIC, on the wire and in the router's table
      lab.reply(SERVER_IP, SERVER).routerTable(SERVER_IP, SERVER, HELD).after(POLL);
      // when a new NIC takes the address and the old one is gone
      Instant moved = lab.now;
      lab.announce(SERVER_IP, NEWBOX).after(Duration.ofSeconds(1)).reply(SERVER_IP, NEWBOX);
      // while the router has not asked since: its table still holds the old MAC, refreshed
      for (Instant end = moved.plus(window).plus(POLL); lab.now.isBefore(end); ) {
        lab.after(POLL).routerTable(SERVER_IP, SERVER, HELD).reply(SERVER_IP, NEWBOX);
      }

      // then a MAC change, not a conflict: the old entry is the router's lag, not a claim
      List<Alert> out = lab.alerts();
      assertThat(kinds(out)).containsExactly("MAC_CHANGED");
      assertThat(out.get(0).startedAt()).isEqualTo(moved);
    }
  }

  @Test
  void shouldTakeAnEntryTheRouterLearnedAgainForAClaimEvenAfterTheWireMovedOn() {
    try (Lab lab = Lab.standard()) {
      lab.reply(SERVER_IP, SERVER).routerTable(SERVER_IP, SERVER, HELD).after(POLL);
      lab.announce(SERVER_IP, NEWBOX).after(POLL);
      // the router's entry changed back to the old MAC since its last poll: the old NIC spoke
      lab.routerTable(SERVER_IP, SERVER, CHANGED);

      assertThat(kinds(lab.alerts())).containsExactly("IP_CONFLICT");
    }
  }

  @Test
  void shouldNotNameTheRoutersTableAsASourceOfAWireConflictItNeverShowed() {
    try (Lab lab = Lab.standard()) {
      // given the router's table holding the server's MAC, refreshed at every poll
      lab.routerTable(SERVER_IP, SERVER, HELD).after(POLL);
      // when two devices answer one client for the server's address on the wire
      lab.replyTo(SERVER_IP, SERVER, CLIENT_IP, CLIENT)
          .after(Duration.ofMillis(300))
          .replyTo(SERVER_IP, ROUTER, CLIENT_IP, CLIENT)
          .after(Duration.ofSeconds(1));
      lab.routerTable(SERVER_IP, SERVER, HELD);

      // then the conflict is the wire's: the table, which only ever held one MAC, is no source
      List<Alert> out = lab.alerts();
      assertThat(kinds(out)).containsExactly("IP_CONFLICT");
      assertThat(out.get(0).evidence().facts()).doesNotContainKey("routerTable");
      assertThat(out.get(0).summary()).doesNotContain("ARP table");
    }
  }

  @Test
  void shouldNotCountATableEntryAsAnAnswerOfADoubleAnswer() {
    try (Lab lab = Lab.standard()) {
      // the server answers a client, and within the double-reply window the router's table
      // shows another MAC: the table is not an answer to that client
      lab.reply(SERVER_IP, SERVER).after(defaults.doubleReplyWindow().dividedBy(4));
      lab.routerTable(SERVER_IP, NEWBOX, NEW);
      assertThat(lab.alerts()).isEmpty();
      // and a second table entry of the server's MAC is no second answer either
      lab.after(Duration.ofMillis(100)).routerTable(SERVER_IP, SERVER, CHANGED);
      assertThat(lab.alerts()).extracting(Alert::kind).containsExactly("IP_CONFLICT");
      // (that one is A→B→A in the table: the server, the new box, the server again)
    }
  }

  @Test
  void shouldRelearnTheTableFromARefreshAfterLosingItsState() {
    try (Lab lab = Lab.standard()) {
      // a detection that knows nothing of the address hears the table's periodic refresh
      lab.routerTable(SERVER_IP, SERVER, HELD).after(POLL);
      // then the entry changes: a change A→B it can ask about, not a first sight of B
      lab.routerTable(SERVER_IP, ROUTER, CHANGED);
      assertThat(lab.probeRequests())
          .singleElement()
          .satisfies(r -> assertThat(r.macs()).containsExactly(SERVER, ROUTER));
    }
  }

  @Test
  void shouldNameTheRouterAsTheSensorOfANewStationFoundInItsTable() {
    try (Lab lab = new Lab(defaults.deterministic().withLearningPeriod(Duration.ofMinutes(1)))) {
      lab.routerTable(GATEWAY_IP, io.labwatch.streams.Lab.GATEWAY, HELD)
          .after(Duration.ofMinutes(2));
      lab.routerTable(CLIENT_IP, CLIENT, NEW);

      List<Alert> out = lab.alerts();
      assertThat(kinds(out)).containsExactly("NEW_STATION");
      assertThat(out.get(0).labels()).containsEntry("sensor", ROUTER_TABLE);
      assertThat(out.get(0).subject()).isEqualTo(CLIENT_IP.toString());
    }
  }

  @Test
  void shouldStillTellOneArpPoisoningWhenTheGatewaysOwnTableShowsTheLie() {
    io.labwatch.events.MacAddress attacker = io.labwatch.events.MacAddress.of("08:00:27:66:00:66");
    io.labwatch.events.IpAddress attackerIp = io.labwatch.events.IpAddress.of("10.77.0.66");
    io.labwatch.events.MacAddress gateway = io.labwatch.streams.Lab.GATEWAY;
    try (Lab lab = Lab.standard()) {
      // given the client and the gateway talking, and the gateway's table holding the client
      for (int i = 0; i < 4; i++) {
        lab.request(CLIENT_IP, CLIENT, GATEWAY_IP)
            .after(Duration.ofMillis(1))
            .replyTo(GATEWAY_IP, gateway, CLIENT_IP, CLIENT)
            .after(Duration.ofSeconds(7))
            .request(GATEWAY_IP, gateway, CLIENT_IP)
            .after(Duration.ofMillis(1))
            .replyTo(CLIENT_IP, CLIENT, GATEWAY_IP, gateway)
            .after(Duration.ofSeconds(7));
      }
      lab.routerTable(CLIENT_IP, CLIENT, HELD);
      // when arpspoof -r poisons both for two minutes, and the gateway's table (SNMP, every
      // 30 s) shows the lie, then the client again, then the lie...
      lab.request(attackerIp, attacker, CLIENT_IP)
          .after(Duration.ofMillis(1))
          .request(attackerIp, attacker, GATEWAY_IP)
          .after(Duration.ofMillis(5));
      boolean lie = true;
      for (int i = 0; i < 60; i++) {
        lab.replyTo(GATEWAY_IP, attacker, CLIENT_IP, CLIENT)
            .after(Duration.ofMillis(1))
            .replyTo(CLIENT_IP, attacker, GATEWAY_IP, gateway)
            .after(Duration.ofSeconds(2));
        if (i % 15 == 14) {
          lab.routerTable(CLIENT_IP, lie ? attacker : CLIENT, CHANGED);
          lie = !lie;
        }
        if (i % 7 == 3) {
          lab.request(CLIENT_IP, CLIENT, GATEWAY_IP).after(Duration.ofMillis(1));
          lab.request(GATEWAY_IP, gateway, CLIENT_IP).after(Duration.ofMillis(1));
        }
      }

      // then still one ARP_POISONING naming the impostor, and no IP_CONFLICT besides: what the
      // router's table says of the attacker is not something the attacker sent
      List<Alert> out = lab.alerts();
      assertThat(out).extracting(Alert::kind).containsOnly("ARP_POISONING");
      assertThat(out.get(out.size() - 1).fingerprint()).isEqualTo("ARP_POISONING:" + attacker);
    }
  }
}
