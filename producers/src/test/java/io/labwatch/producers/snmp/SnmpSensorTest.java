package io.labwatch.producers.snmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.labwatch.events.ArpObservation;
import io.labwatch.events.ArpObservation.TableEntry;
import io.labwatch.events.Heartbeat;
import io.labwatch.events.InterfaceCounters;
import io.labwatch.events.IpAddress;
import io.labwatch.events.LabwatchException;
import io.labwatch.events.MacAddress;
import io.labwatch.events.PacketClass;
import io.labwatch.producers.snmp.SnmpSensorConfig.Device;
import io.labwatch.producers.snmp.SnmpSensorConfig.DeviceSettings;
import io.labwatch.producers.testing.FakeSnmpAgent;
import io.labwatch.producers.testing.RecordingPublisher;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.snmp4j.smi.Counter32;
import org.snmp4j.smi.Counter64;
import org.snmp4j.smi.Integer32;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.OctetString;
import org.snmp4j.smi.TimeTicks;

/**
 * The SNMP sensor against fake agents on loopback, through snmp4j: what it publishes of a router's
 * ARP table and interfaces, and what it says when a device does not answer or answers nonsense.
 */
class SnmpSensorTest {

  static final String COMMUNITY = "s3cret-community";
  static final IpAddress SERVER_IP = IpAddress.of("10.77.0.10");
  static final IpAddress CLIENT_IP = IpAddress.of("10.77.0.21");
  static final MacAddress SERVER = MacAddress.of("dc:9b:9c:77:00:10");
  static final MacAddress CLIENT = MacAddress.of("52:54:00:77:00:21");

  private final List<FakeSnmpAgent> agents = new ArrayList<>();
  private final List<AutoCloseable> closing = new ArrayList<>();
  private final RecordingPublisher published = new RecordingPublisher();
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

  @BeforeEach
  void captureLogs() {
    logs.start();
    ((Logger) LoggerFactory.getLogger(SnmpSensor.class)).addAppender(logs);
  }

  @AfterEach
  void stopAll() throws Exception {
    ((Logger) LoggerFactory.getLogger(SnmpSensor.class)).detachAppender(logs);
    for (AutoCloseable c : closing) {
      c.close();
    }
    agents.forEach(FakeSnmpAgent::close);
  }

  private FakeSnmpAgent agent() throws Exception {
    FakeSnmpAgent a = FakeSnmpAgent.start(COMMUNITY);
    agents.add(a);
    return a;
  }

  /** The shipped settings, polling these devices with the test's community, quicker timeouts. */
  static SnmpSensorConfig config(Duration timeout, Device... devices) {
    SnmpSensorConfig d = SnmpSensorConfig.defaults();
    return new SnmpSensorConfig(
        List.of(devices),
        d.version(),
        COMMUNITY,
        d.user(),
        d.authProtocol(),
        d.authPassphrase(),
        d.privProtocol(),
        d.privPassphrase(),
        Duration.ofSeconds(1),
        timeout,
        1,
        d.maxRepetitions(),
        d.tables(),
        d.refreshInterval(),
        Duration.ofMillis(200));
  }

  static Device named(String name, String address) {
    return new Device(
        address, name, null, null, null, null, null, null, null, null, null, null, null);
  }

  private List<String> logLines() {
    return logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
  }

  @Test
  void shouldTurnTheRoutersArpTableIntoRouterTableObservationsOfTheDeviceAndItsInterfaces()
      throws Exception {
    // given a router with two interfaces and two neighbours on the second
    FakeSnmpAgent router =
        agent()
            .ifEntry(1, "lo", 0, 0)
            .ifXEntry(1, "lo", 0, 0)
            .ifEntry(2, "eth1", 0, 0)
            .ifXEntry(2, "eth1", 0, 0)
            .arp(2, SERVER_IP, SERVER)
            .arp(2, CLIENT_IP, CLIENT);

    // when it is polled once
    List<SnmpSensor.Outcome> outcomes =
        SnmpSensor.pollOnce(
            config(Duration.ofSeconds(1), named("lab-router", router.address())),
            published,
            Clock.systemUTC());

    // then both entries, as the router's, on its interface, held when the sensor started
    assertThat(outcomes).singleElement().satisfies(o -> assertThat(o.problem()).isNull());
    assertThat(published.observations)
        .extracting(
            ArpObservation::packetClass,
            ArpObservation::sensorId,
            ArpObservation::iface,
            ArpObservation::senderIp,
            ArpObservation::senderMac,
            ArpObservation::table)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                PacketClass.ROUTER_TABLE, "lab-router", "eth1", SERVER_IP, SERVER, TableEntry.HELD),
            org.assertj.core.groups.Tuple.tuple(
                PacketClass.ROUTER_TABLE,
                "lab-router",
                "eth1",
                CLIENT_IP,
                CLIENT,
                TableEntry.HELD));
    assertThat(published.observations).allMatch(o -> o.subjectIp().equals(o.senderIp()));
    assertThat(published.flushed).isTrue();
  }

  @Test
  void shouldReadIpv6NeighboursFromIpNetToPhysicalTableOnlyWhenAskedAndIpv4OnlyFromTheArpTable()
      throws Exception {
    IpAddress server6 = IpAddress.of("fd00:77::10");
    IpAddress router6 = IpAddress.of("fd00:77::1");
    MacAddress wrong = MacAddress.of("02:00:00:00:00:99");
    // given a router whose ipNetToPhysicalTable holds an IPv6 neighbour, its own address, and an
    // IPv4 row with another MAC than its ipNetToMediaTable (as Net-SNMP 5.9.3 may report)
    FakeSnmpAgent router =
        agent()
            .ifEntry(2, "eth1", 0, 0)
            .ifXEntry(2, "eth1", 0, 0)
            .arp(2, SERVER_IP, SERVER)
            .neighbour(2, SERVER_IP, wrong, 3)
            .neighbour(2, server6, SERVER, 3)
            .neighbour(2, router6, CLIENT, 5);
    Device withIpv6 =
        new Device(
            router.address(),
            "lab-router",
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            List.of(
                SnmpSensorConfig.Table.ARP,
                SnmpSensorConfig.Table.INTERFACES,
                SnmpSensorConfig.Table.IPV6));

    // when polled with the shipped tables, then no IPv6 at all
    SnmpSensor.pollOnce(
        config(Duration.ofSeconds(1), named("lab-router", router.address())),
        published,
        Clock.systemUTC());
    assertThat(published.observations)
        .extracting(ArpObservation::senderIp, ArpObservation::senderMac)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(SERVER_IP, SERVER));

    // when polled with ipv6 among its tables, then the IPv6 neighbour besides, the router's own
    // address not, and the IPv4 binding still only from ipNetToMediaTable
    published.observations.clear();
    List<SnmpSensor.Outcome> outcomes =
        SnmpSensor.pollOnce(config(Duration.ofSeconds(1), withIpv6), published, Clock.systemUTC());
    assertThat(outcomes).singleElement().satisfies(o -> assertThat(o.problem()).isNull());
    assertThat(published.observations)
        .extracting(
            ArpObservation::packetClass,
            ArpObservation::iface,
            ArpObservation::senderIp,
            ArpObservation::senderMac)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                PacketClass.ROUTER_TABLE, "eth1", SERVER_IP, SERVER),
            org.assertj.core.groups.Tuple.tuple(PacketClass.ROUTER_TABLE, "eth1", server6, SERVER));
  }

  @Test
  void shouldWalkAThousandEntryArpTableAsManyValuesPerRequestAsTheInterfaceWalk() throws Exception {
    FakeSnmpAgent router = agent();
    for (int i = 0; i < 1000; i++) {
      router.arp(
          2,
          IpAddress.of("10.78." + (i / 250) + "." + (1 + i % 250)),
          MacAddress.fromLong(0x02_00_00_00_00_00L + i));
    }
    SnmpSensorConfig config =
        config(Duration.ofSeconds(1), named("big", router.address()))
            .withDevices(
                List.of(
                    new Device(
                        router.address(),
                        "big",
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        List.of(SnmpSensorConfig.Table.ARP))));

    List<SnmpSensor.Outcome> outcomes = SnmpSensor.pollOnce(config, published, Clock.systemUTC());

    assertThat(published.observations).hasSize(1000);
    assertThat(published.observations).extracting(ArpObservation::senderIp).doesNotHaveDuplicates();
    // the interface names (one request) and the table: 1000 rows, as many values per request as
    // the interface walk's 25 rows of 19 columns (237 rows of the ARP table's 2), and the last
    // request that finds the end
    int perRequest = config.maxRepetitions() * 19 / 2;
    assertThat(outcomes.get(0).requests()).isBetween(1000 / perRequest, 1000 / perRequest + 3);
  }

  @Test
  void shouldReadEveryEntrysTypeAtTheFirstPollThenOnlyTheTypesOfNewOrChangedEntries()
      throws Exception {
    // given a router whose table holds an entry being removed (type invalid)
    IpAddress removed = IpAddress.of("10.77.0.30");
    FakeSnmpAgent router =
        agent()
            .arp(2, SERVER_IP, SERVER)
            .arp(2, CLIENT_IP, CLIENT)
            .arp(2, removed, MacAddress.of("02:00:00:77:00:30"))
            .put(typeOid(2, removed), new Integer32(Mib.MEDIA_TYPE_INVALID));
    List<OID> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
    router.rewrite(
        (request, response) -> {
          request.getVariableBindings().forEach(vb -> asked.add(vb.getOid()));
          return response;
        });
    SnmpSensorConfig config = config(Duration.ofSeconds(1), named("lab-router", router.address()));
    java.time.Instant t0 = java.time.Instant.parse("2026-11-10T09:00:00Z");
    try (Snmp4jSession session = Snmp4jSession.open()) {
      DeviceSettings settings = config.resolved().get(0);
      DevicePoller poller = new DevicePoller(settings, session.client(settings), 25);

      // when it is first polled: both columns walked, the invalid entry left out
      DevicePoller.Result first = poller.poll(t0);
      assertThat(first.arp())
          .extracting(DevicePoller.ArpEntry::ip)
          .containsExactlyInAnyOrder(SERVER_IP, CLIENT_IP);
      assertThat(asked).contains(Mib.IP_NET_TO_MEDIA_TYPE);

      // then, a poll later, a new invalid entry and a changed MAC: only their two types are asked
      IpAddress late = IpAddress.of("10.77.0.40");
      MacAddress other = MacAddress.of("00:a0:de:77:00:10");
      router
          .arp(2, late, MacAddress.of("02:00:00:77:00:40"))
          .put(typeOid(2, late), new Integer32(Mib.MEDIA_TYPE_INVALID))
          .arp(2, CLIENT_IP, other);
      asked.clear();
      DevicePoller.Result second = poller.poll(t0.plusSeconds(30));
      assertThat(second.problem()).isNull();
      assertThat(second.arp())
          .extracting(DevicePoller.ArpEntry::ip, DevicePoller.ArpEntry::mac)
          .containsExactlyInAnyOrder(
              org.assertj.core.groups.Tuple.tuple(SERVER_IP, SERVER),
              org.assertj.core.groups.Tuple.tuple(CLIENT_IP, other));
      assertThat(asked)
          .filteredOn(o -> o.startsWith(Mib.IP_NET_TO_MEDIA_TYPE))
          .containsExactlyInAnyOrder(typeOid(2, late), typeOid(2, CLIENT_IP));

      // nothing changed: no type asked at all
      asked.clear();
      poller.poll(t0.plusSeconds(60));
      assertThat(asked).noneMatch(o -> o.startsWith(Mib.IP_NET_TO_MEDIA_TYPE));

      // and every type again after the type-walk interval
      asked.clear();
      DevicePoller.Result later = poller.poll(t0.plus(DevicePoller.TYPE_WALK_EVERY));
      assertThat(asked).contains(Mib.IP_NET_TO_MEDIA_TYPE);
      assertThat(later.arp()).extracting(DevicePoller.ArpEntry::ip).doesNotContain(late, removed);
    }
  }

  private static OID typeOid(int ifIndex, IpAddress ip) {
    return new OID(Mib.IP_NET_TO_MEDIA_TYPE).append(ifIndex).append(ip.toString());
  }

  @Test
  void shouldPublishRaw64BitCountersWithSysUpTimeAndDiscontinuityKeyedByDeviceAndIfIndex()
      throws Exception {
    FakeSnmpAgent router =
        agent()
            .ifEntry(3, "eth1", 0, 0)
            .ifXEntry(3, "eth1", 5_000_000_000L, -2L) // out: 2^64 - 2, a counter about to wrap
            .upTime(99_000);

    SnmpSensor.pollOnce(
        config(Duration.ofSeconds(1), named("lab-router", router.address())),
        published,
        Clock.systemUTC());

    assertThat(published.counters).singleElement();
    InterfaceCounters c = published.counters.get(0);
    assertThat(c.key()).isEqualTo("lab-router/3");
    assertThat(c.ifName()).isEqualTo("eth1");
    assertThat(c.ifAlias()).isEqualTo("uplink eth1");
    assertThat(c.counterBits()).isEqualTo(64);
    assertThat(c.sysUpTime()).isEqualTo(99_000);
    assertThat(c.discontinuityTime()).isZero();
    assertThat(c.operStatus()).isEqualTo(InterfaceCounters.OperStatus.UP);
    assertThat(c.speedMbps()).isEqualTo(1000);
    assertThat(c.counters().inOctets()).isEqualTo(5_000_000_000L);
    assertThat(Long.toUnsignedString(c.counters().outOctets())).isEqualTo("18446744073709551614");
    assertThat(c.counters().inUcastPkts()).isEqualTo(100);
    assertThat(c.counters().inMulticastPkts()).isEqualTo(5);
    assertThat(c.counters().outBroadcastPkts()).isEqualTo(8);
    assertThat(c.counters().inErrors()).isEqualTo(2);
    assertThat(c.counters().outDiscards()).isEqualTo(3);
  }

  @Test
  void shouldFallBackTo32BitIfTableCountersAndCarryTheirWrapAsItIs() throws Exception {
    // given an old switch without ifXTable, its octet counter just below 2^32
    FakeSnmpAgent sw = agent().ifEntry(1, "FastEthernet0/1", 4_294_967_000L, 10).upTime(1000);
    SnmpSensorConfig config = config(Duration.ofSeconds(1), named("old-switch", sw.address()));
    try (Snmp4jSession session = Snmp4jSession.open()) {
      SnmpSensor.pollOnce(config, published, Clock.systemUTC(), session::client);
      // when the counter wraps before the next poll, the agent still up
      sw.put(FakeSnmpAgent.ifTable(10, 1), new Counter32(704)).upTime(4000);
      SnmpSensor.pollOnce(config, published, Clock.systemUTC(), session::client);
    }

    // then both readings, 32-bit, as they were: the wrap is the consumer's to see
    assertThat(published.counters).hasSize(2);
    assertThat(published.counters).allMatch(c -> c.counterBits() == 32);
    assertThat(published.counters)
        .extracting(c -> c.counters().inOctets())
        .containsExactly(4_294_967_000L, 704L);
    assertThat(published.counters)
        .extracting(InterfaceCounters::sysUpTime)
        .containsExactly(1000L, 4000L);
    assertThat(published.counters.get(0).ifName()).isEqualTo("FastEthernet0/1");
    assertThat(published.counters.get(0).counters().inMulticastPkts()).isNull();
  }

  @Test
  void shouldAskWithFewerRepetitionsWhenTheAgentAnswersTooBig() throws Exception {
    FakeSnmpAgent router = agent().maxVarbinds(30);
    for (int i = 1; i <= 100; i++) {
      router.arp(2, IpAddress.of("10.79.0." + i), MacAddress.fromLong(0x02_00_00_00_01_00L + i));
    }

    List<SnmpSensor.Outcome> outcomes =
        SnmpSensor.pollOnce(
            config(Duration.ofSeconds(1), named("small-pdus", router.address())),
            published,
            Clock.systemUTC());

    assertThat(outcomes.get(0).problem()).isNull();
    assertThat(published.observations).hasSize(100);
  }

  @Test
  void shouldNotLetASilentDeviceDelayAnotherAndShouldSayWhyInItsHeartbeats() throws Exception {
    // given a router that answers and one that does not (2 s per request, 2 tries)
    FakeSnmpAgent good = agent().ifEntry(1, "eth0", 1, 1).arp(1, SERVER_IP, SERVER);
    FakeSnmpAgent dead = agent().silent(true);
    SnmpSensorConfig config =
        config(
            Duration.ofSeconds(2),
            named("dead-router", dead.address()),
            named("good-router", good.address()));

    // when the sensor runs
    long started = System.nanoTime();
    SnmpSensor sensor = SnmpSensor.start(config, published, Clock.systemUTC());
    closing.add(sensor);

    // then the good router's table is out long before the dead one's first request times out
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                published.observations.stream().anyMatch(o -> o.sensorId().equals("good-router")));
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
    // and the dead one's heartbeats say what is wrong, once it has been given up on
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(lastHeartbeat("dead-router").problem())
                    .isEqualTo(
                        "no answer within 2s (2 tries): is the agent running, and is the"
                            + " community right? (an agent ignores a wrong community)"));
    assertThat(lastHeartbeat("good-router").problem()).isNull();
    assertThat(sensor.problem()).startsWith("dead-router: no answer within 2s");
    // and the good router goes on being polled meanwhile (every second)
    long polls = good.requests();
    await().atMost(Duration.ofSeconds(5)).until(() -> good.requests() > polls + 2);
    // one log line names the device, its address and the cause
    assertThat(logLines())
        .containsOnlyOnce(
            "SNMP dead-router ("
                + dead.address()
                + "): no answer within 2s (2 tries): is the agent running, and is the community"
                + " right? (an agent ignores a wrong community)");
  }

  private Heartbeat lastHeartbeat(String sensorId) {
    List<Heartbeat> of =
        published.heartbeats.stream().filter(h -> h.sensorId().equals(sensorId)).toList();
    assertThat(of).as("heartbeats of %s", sensorId).isNotEmpty();
    return of.get(of.size() - 1);
  }

  @Test
  void shouldPollEveryDeviceAtOnceFirstAndThenSpreadOverTheInterval() throws Exception {
    // given four routers polled every second
    List<Device> devices = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      FakeSnmpAgent router = agent().ifEntry(1, "eth0", 1, 1).ifXEntry(1, "eth0", 1, 1);
      devices.add(named("r" + i, router.address()));
    }
    SnmpSensor sensor =
        SnmpSensor.start(
            config(Duration.ofSeconds(1), devices.toArray(Device[]::new)),
            published,
            Clock.systemUTC());
    closing.add(sensor);

    // when each has been polled twice (a poll's counters carry its start as event time)
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> devices.stream().allMatch(d -> pollTimes(d.name()).size() >= 2));

    // then the first polls went out together, the second ones a quarter interval apart
    List<Long> first = devices.stream().map(d -> pollTimes(d.name()).get(0)).toList();
    List<Long> second = devices.stream().map(d -> pollTimes(d.name()).get(1)).toList();
    assertThat(first.stream().mapToLong(t -> t).max().getAsLong() - first.get(0))
        .as("first polls %s", first)
        .isLessThan(200);
    assertThat(second).as("second polls").isSorted();
    for (int i = 1; i < 4; i++) {
      assertThat(second.get(i) - second.get(i - 1))
          .as("second polls %s", second)
          .isBetween(150L, 350L);
    }
    assertThat(SnmpSensor.offset(0, 4, 1_000)).isZero();
    assertThat(SnmpSensor.offset(3, 4, 1_000)).isEqualTo(750);
    assertThat(SnmpSensor.offset(0, 1, 1_000)).isZero();
  }

  /** When each poll of a device started: the event times of its counters, one per poll. */
  private List<Long> pollTimes(String device) {
    return published.counters.stream()
        .filter(c -> c.sensorId().equals(device))
        .map(c -> c.eventTime().toEpochMilli())
        .distinct()
        .sorted()
        .toList();
  }

  @Test
  void shouldSayWhenAStoppedAgentAnswersAgain() throws Exception {
    FakeSnmpAgent router = agent().ifEntry(1, "eth0", 1, 1).ifXEntry(1, "eth0", 1, 1);
    SnmpSensor sensor =
        SnmpSensor.start(
            config(Duration.ofMillis(300), named("r1", router.address())),
            published,
            Clock.systemUTC());
    closing.add(sensor);
    await().atMost(Duration.ofSeconds(5)).until(() -> sensor.polls() >= 1);
    assertThat(sensor.problem()).isNull();

    router.silent(true);
    await().atMost(Duration.ofSeconds(10)).until(() -> sensor.problem() != null);
    assertThat(sensor.problem()).startsWith("r1: no answer within 300ms (2 tries)");
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(lastHeartbeat("r1").problem()).isNotNull());

    router.silent(false);
    await().atMost(Duration.ofSeconds(10)).until(() -> sensor.problem() == null);
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(lastHeartbeat("r1").problem()).isNull());
    assertThat(logLines()).contains("SNMP r1 (" + router.address() + ") answers again");
  }

  @Test
  void shouldNeverShowTheCommunityInProblemsLogsOrSettings() throws Exception {
    FakeSnmpAgent router = FakeSnmpAgent.start("another-community");
    agents.add(router);
    SnmpSensorConfig config = config(Duration.ofMillis(200), named("r1", router.address()));

    SnmpSensor sensor = SnmpSensor.start(config, published, Clock.systemUTC());
    closing.add(sensor);
    await().atMost(Duration.ofSeconds(5)).until(() -> sensor.problem() != null);

    assertThat(sensor.problem()).contains("is the community right?");
    assertThat(sensor.problem()).doesNotContain(COMMUNITY);
    assertThat(String.join("\n", logLines())).doesNotContain(COMMUNITY);
    assertThat(config.toString()).doesNotContain(COMMUNITY).contains("community=[secret]");
    assertThat(config.resolved().get(0).toString()).doesNotContain(COMMUNITY);
  }

  @Test
  void shouldSkipAndNameValuesOfTheWrongTypeAndPublishTheRest() throws Exception {
    FakeSnmpAgent router =
        agent()
            .ifEntry(1, "eth0", 0, 0)
            .ifXEntry(1, "eth0", 10, 20)
            .ifEntry(2, "eth1", 0, 0)
            .ifXEntry(2, "eth1", 30, 40)
            .put(FakeSnmpAgent.ifXTable(6, 2), new OctetString("lots"))
            .arp(1, SERVER_IP, SERVER)
            .put(
                new org.snmp4j.smi.OID("1.3.6.1.2.1.4.22.1.2.1.10.77.0.22"),
                new OctetString(new byte[] {1, 2, 3, 4}));

    List<SnmpSensor.Outcome> outcomes =
        SnmpSensor.pollOnce(
            config(Duration.ofSeconds(1), named("r1", router.address())),
            published,
            Clock.systemUTC());

    assertThat(outcomes.get(0).problem())
        .isEqualTo(
            "interfaces: 1 unusable value skipped (ifHCInOctets of ifIndex 2 is OCTET STRING, not"
                + " a Counter64); ARP table: 1 unusable value skipped"
                + " (ipNetToMediaPhysAddress.1.10.77.0.22 is 4 bytes long, not a MAC address)");
    assertThat(published.counters).hasSize(2);
    assertThat(published.counters.get(1).counters().inOctets()).isNull();
    assertThat(published.counters.get(1).counters().outOctets()).isEqualTo(40);
    assertThat(published.observations)
        .extracting(ArpObservation::senderIp)
        .containsExactly(SERVER_IP);
  }

  @Test
  void shouldSayAnAgentWithoutSysUpTimeCannotHaveItsCountersTold() throws Exception {
    FakeSnmpAgent router = agent().ifEntry(1, "eth0", 0, 0).ifXEntry(1, "eth0", 1, 1);
    router.remove(new org.snmp4j.smi.OID("1.3.6.1.2.1.1.3.0"));

    List<SnmpSensor.Outcome> outcomes =
        SnmpSensor.pollOnce(
            config(Duration.ofSeconds(1), named("r1", router.address())),
            published,
            Clock.systemUTC());

    assertThat(outcomes.get(0).problem()).startsWith("interfaces: the agent gave no sysUpTime");
    assertThat(published.counters).isEmpty();
  }

  @Test
  void shouldRefuseToStartWithoutDevices() {
    assertThatThrownBy(
            () -> SnmpSensor.start(SnmpSensorConfig.defaults(), published, Clock.systemUTC()))
        .isInstanceOf(LabwatchException.class)
        .hasMessageContaining("no SNMP devices to poll");
  }

  @Test
  void shouldPublishTheDiscontinuityTimeAndSysUpTimeAsTheAgentMovesThem() throws Exception {
    FakeSnmpAgent router = agent().ifEntry(1, "eth0", 0, 0).ifXEntry(1, "eth0", 1000, 1);
    SnmpSensorConfig config = config(Duration.ofSeconds(1), named("r1", router.address()));
    try (Snmp4jSession session = Snmp4jSession.open()) {
      SnmpSensor.pollOnce(config, published, Clock.systemUTC(), session::client);
      // the agent restarts: sysUpTime back to 1 s, counters from 0
      router.upTime(100).put(FakeSnmpAgent.ifXTable(6, 1), new Counter64(10));
      SnmpSensor.pollOnce(config, published, Clock.systemUTC(), session::client);
      // a line card is reinserted: its counters restart, the discontinuity time says when
      router
          .upTime(6000)
          .put(FakeSnmpAgent.ifXTable(19, 1), new TimeTicks(5900))
          .put(FakeSnmpAgent.ifXTable(6, 1), new Counter64(3));
      SnmpSensor.pollOnce(config, published, Clock.systemUTC(), session::client);
    }
    assertThat(published.counters)
        .extracting(InterfaceCounters::sysUpTime)
        .containsExactly(12_345L, 100L, 6000L);
    assertThat(published.counters)
        .extracting(InterfaceCounters::discontinuityTime)
        .containsExactly(0L, 0L, 5900L);
    assertThat(published.counters)
        .extracting(c -> c.counters().inOctets())
        .containsExactly(1000L, 10L, 3L);
  }
}
