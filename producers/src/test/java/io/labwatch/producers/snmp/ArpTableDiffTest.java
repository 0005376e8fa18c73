package io.labwatch.producers.snmp;

import static org.assertj.core.api.Assertions.assertThat;

import io.labwatch.events.ArpObservation;
import io.labwatch.events.IpAddress;
import io.labwatch.events.MacAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What of a router's ARP table is published at each poll. */
class ArpTableDiffTest {

  static final Instant T0 = Instant.parse("2026-12-03T10:00:00Z");
  static final Duration POLL = SnmpSensorConfig.defaults().interval();
  static final Duration REFRESH = SnmpSensorConfig.defaults().refreshInterval();

  static final IpAddress SERVER_IP = IpAddress.of("10.77.0.10");
  static final IpAddress CLIENT_IP = IpAddress.of("10.77.0.21");
  static final MacAddress SERVER = MacAddress.of("dc:9b:9c:77:00:10");
  static final MacAddress ROUTER = MacAddress.of("00:a0:de:77:00:10");
  static final MacAddress CLIENT = MacAddress.of("52:54:00:77:00:21");

  private final ArpTableDiff diff = new ArpTableDiff(REFRESH);

  private static DevicePoller.Result reading(Instant at, DevicePoller.ArpEntry... entries) {
    return new DevicePoller.Result(at, List.of(entries), null, Map.of(2, "eth1"), null, false, 1);
  }

  private static DevicePoller.ArpEntry entry(IpAddress ip, MacAddress mac) {
    return new DevicePoller.ArpEntry(ip, mac, 2);
  }

  private static List<String> told(List<ArpObservation> out) {
    return out.stream().map(o -> o.senderIp() + "=" + o.senderMac() + " " + o.table()).toList();
  }

  @Test
  void theFirstReadingIsPublishedWholeAsHeldWhenTheRouterLearnedItIsNotKnown() {
    List<ArpObservation> out =
        diff.next(reading(T0, entry(SERVER_IP, SERVER), entry(CLIENT_IP, CLIENT)), "10.77.0.1");

    assertThat(told(out))
        .containsExactly(SERVER_IP + "=" + SERVER + " HELD", CLIENT_IP + "=" + CLIENT + " HELD");
    assertThat(out).allMatch(o -> o.sensorId().equals("10.77.0.1") && o.iface().equals("eth1"));
    assertThat(out).allMatch(o -> o.eventTime().equals(T0));
  }

  @Test
  void anUnchangedTableIsNotPublishedAgainUntilTheRefresh() {
    diff.next(reading(T0, entry(SERVER_IP, SERVER)), "r");
    Instant t = T0;
    for (Instant next = t.plus(POLL); next.isBefore(T0.plus(REFRESH)); next = next.plus(POLL)) {
      assertThat(diff.next(reading(next, entry(SERVER_IP, SERVER)), "r")).isEmpty();
      t = next;
    }
    assertThat(told(diff.next(reading(T0.plus(REFRESH), entry(SERVER_IP, SERVER)), "r")))
        .containsExactly(SERVER_IP + "=" + SERVER + " HELD");
    assertThat(diff.next(reading(T0.plus(REFRESH).plus(POLL), entry(SERVER_IP, SERVER)), "r"))
        .isEmpty();
  }

  @Test
  void aNewEntryAndAChangedMacArePublishedAtOnceAsLearnedWhileTheRestIsNot() {
    diff.next(reading(T0, entry(SERVER_IP, SERVER)), "r");

    List<ArpObservation> out =
        diff.next(reading(T0.plus(POLL), entry(SERVER_IP, ROUTER), entry(CLIENT_IP, CLIENT)), "r");

    assertThat(told(out))
        .containsExactly(SERVER_IP + "=" + ROUTER + " CHANGED", CLIENT_IP + "=" + CLIENT + " NEW");
    assertThat(out).allMatch(o -> o.table().learned());
  }

  @Test
  void theRoutersTableFlippingAbaAcrossPollsIsPublishedAsTwoChanges() {
    diff.next(reading(T0, entry(SERVER_IP, SERVER)), "r");
    List<ArpObservation> b = diff.next(reading(T0.plus(POLL), entry(SERVER_IP, ROUTER)), "r");
    List<ArpObservation> a =
        diff.next(reading(T0.plus(POLL.multipliedBy(2)), entry(SERVER_IP, SERVER)), "r");

    assertThat(told(b)).containsExactly(SERVER_IP + "=" + ROUTER + " CHANGED");
    assertThat(told(a)).containsExactly(SERVER_IP + "=" + SERVER + " CHANGED");
  }

  @Test
  void anEntryThatExpiredAndCameBackIsNew() {
    diff.next(reading(T0, entry(SERVER_IP, SERVER)), "r");
    assertThat(diff.next(reading(T0.plus(POLL)), "r")).isEmpty();
    assertThat(
            told(diff.next(reading(T0.plus(POLL.multipliedBy(2)), entry(SERVER_IP, SERVER)), "r")))
        .containsExactly(SERVER_IP + "=" + SERVER + " NEW");
  }

  @Test
  void aPollThatCouldNotReadTheTableChangesNothing() {
    diff.next(reading(T0, entry(SERVER_IP, SERVER)), "r");
    DevicePoller.Result failed =
        new DevicePoller.Result(T0.plus(POLL), null, null, Map.of(), "no answer", true, 1);

    assertThat(diff.next(failed, "r")).isEmpty();
    assertThat(diff.next(reading(T0.plus(POLL.multipliedBy(2)), entry(SERVER_IP, SERVER)), "r"))
        .isEmpty();
    assertThat(diff.size()).isEqualTo(1);
  }

  @Test
  void anInterfaceWithoutANameIsCalledByItsIfIndex() {
    DevicePoller.Result r =
        new DevicePoller.Result(
            T0,
            List.of(new DevicePoller.ArpEntry(SERVER_IP, SERVER, 7)),
            null,
            Map.of(),
            null,
            false,
            1);
    assertThat(diff.next(r, "r").get(0).iface()).isEqualTo("ifIndex 7");
  }
}
