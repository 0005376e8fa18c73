package io.labwatch.producers.arp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.labwatch.events.ArpObservation;
import io.labwatch.events.ArpProbe;
import io.labwatch.events.IpAddress;
import io.labwatch.events.MacAddress;
import io.labwatch.events.PacketClass;
import io.labwatch.events.ProbeRequest;
import io.labwatch.producers.testing.RecordingPublisher;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.pcap4j.core.PcapNativeException;

/**
 * The confirmation logic with a recording wire instead of libpcap: what is sent, in what order with
 * the SENT and DONE records, who is named as having answered, and what is skipped.
 */
class ConfirmerTest {

  private static final Duration SPACING = Duration.ofMillis(50);
  private static final MacAddress SENSOR = MacAddress.of("02:00:00:00:02:50");
  private static final MacAddress SERVER = MacAddress.of("3c:fd:fe:0a:00:10");
  private static final MacAddress ROUTER = MacAddress.of("00:a0:de:0a:00:10");
  private static final IpAddress SERVER_IP = IpAddress.of("10.77.0.10");
  private static final Interfaces.Ipv4Address LAB =
      new Interfaces.Ipv4Address(IpAddress.of("10.77.0.250"), 24);

  private final RecordingPublisher publisher = new RecordingPublisher();
  private final List<Prober> probers = new ArrayList<>();
  private Confirmer confirmer;

  /** A wire that keeps each frame with how many probe records were published before it. */
  private final class RecordingWire implements Prober.Wire {
    final List<byte[]> frames = new CopyOnWriteArrayList<>();
    final List<Integer> probesBefore = new CopyOnWriteArrayList<>();
    volatile boolean fail;

    @Override
    public void send(byte[] frame) throws PcapNativeException {
      if (fail) {
        throw new PcapNativeException("Operation not permitted");
      }
      probesBefore.add(publisher.probes.size());
      frames.add(frame);
    }

    @Override
    public void close() {}
  }

  private Confirmer.Station station(
      String iface, RecordingWire wire, List<Interfaces.Ipv4Address> addresses) {
    Prober p = new Prober(iface, SENSOR, wire, new OwnFrames());
    probers.add(p);
    return new Confirmer.Station("lab-sw1-" + iface, p, () -> addresses);
  }

  private Confirmer confirmer(ArpSensorConfig.Confirm config, Confirmer.Station... stations) {
    return confirmer(SPACING, config, stations);
  }

  private Confirmer confirmer(
      Duration spacing, ArpSensorConfig.Confirm config, Confirmer.Station... stations) {
    confirmer =
        new Confirmer(
            config, List.of(stations), publisher, Clock.systemUTC(), System::nanoTime, spacing);
    return confirmer;
  }

  @AfterEach
  void close() {
    if (confirmer != null) {
      confirmer.close();
    }
    probers.forEach(Prober::close);
  }

  private static ProbeRequest request(IpAddress ip, Instant at) {
    return new ProbeRequest(ip, at, List.of(SERVER, ROUTER), "test");
  }

  private static ArpObservation reply(MacAddress from, IpAddress ip) {
    return new ArpObservation(
        Instant.now(),
        "lab-sw1-eth0",
        "eth0",
        null,
        PacketClass.REPLY,
        ip,
        from,
        LAB.address(),
        SENSOR,
        from);
  }

  @Test
  void aRequestIsAnsweredBySentTwoArpRequestsAndDoneNamingEveryMacThatReplied() {
    RecordingWire wire = new RecordingWire();
    Duration spacing = Duration.ofMillis(500);
    Confirmer c =
        confirmer(spacing, ArpSensorConfig.Confirm.defaults(), station("eth0", wire, List.of(LAB)));

    c.onRequest(request(SERVER_IP, Instant.now()));
    await().atMost(Duration.ofSeconds(5)).until(() -> wire.frames.size() >= 1);
    c.onObservation("eth0", reply(SERVER, SERVER_IP));
    c.onObservation("eth0", reply(ROUTER, SERVER_IP));
    c.onObservation("eth0", reply(SERVER, SERVER_IP));
    c.onObservation("eth0", reply(MacAddress.of("52:54:00:0a:00:21"), IpAddress.of("10.77.0.21")));
    c.onObservation("eth1", reply(MacAddress.of("52:54:00:0a:00:22"), SERVER_IP));
    // (the same address answered for on VLAN 20, seen tagged on a trunk: another device)
    c.onObservation(
        "eth0",
        new ArpObservation(
            Instant.now(),
            "lab-sw1-eth0",
            "eth0",
            20,
            PacketClass.REPLY,
            SERVER_IP,
            MacAddress.of("52:54:00:0a:00:20"),
            LAB.address(),
            SENSOR,
            MacAddress.of("52:54:00:0a:00:20")));
    await().atMost(Duration.ofSeconds(5)).until(() -> publisher.probes.size() == 2);

    ArpProbe sent = publisher.probes.get(0);
    ArpProbe done = publisher.probes.get(1);
    assertThat(sent)
        .isEqualTo(ArpProbe.sent(sent.eventTime(), "lab-sw1-eth0", "eth0", SERVER_IP, SENSOR));
    assertThat(done)
        .isEqualTo(
            ArpProbe.done(
                done.eventTime(),
                "lab-sw1-eth0",
                "eth0",
                SERVER_IP,
                SENSOR,
                2,
                List.of(SERVER, ROUTER)));
    assertThat(Duration.between(sent.eventTime(), done.eventTime()))
        .isGreaterThanOrEqualTo(spacing.multipliedBy(2).minusMillis(5));
    assertThat(wire.frames)
        .hasSize(2)
        .allSatisfy(f -> assertThat(f).isEqualTo(Prober.request(SENSOR, LAB.address(), SERVER_IP)));
    // SENT was handed over before the first request left
    assertThat(wire.probesBefore).containsExactly(1, 1);
    assertThat(c.counts()).isEqualTo(new ProbeCounts(1, 1, 0, 0, 0));
  }

  @Test
  void aSensorInASegmentAnswersThatSegmentsRequestsOnlyAndSaysTheSegmentInItsRecords() {
    RecordingWire wire = new RecordingWire();
    Prober p = new Prober("eth0", SENSOR, wire, new OwnFrames());
    probers.add(p);
    Confirmer c =
        confirmer(
            Duration.ofMillis(100),
            ArpSensorConfig.Confirm.defaults(),
            new Confirmer.Station("lab-b-sw1", p, () -> List.of(LAB), "lab-b"));

    // a request about the default segment's address, and one about VLAN 20's: not its to ask
    c.onRequest(request(SERVER_IP, Instant.now()));
    c.onRequest(new ProbeRequest(SERVER_IP, Instant.now(), List.of(SERVER), "test", "vlan20"));
    assertThat(wire.frames).isEmpty();

    // one about lab-b's: asked, and both records say lab-b (so they are keyed there)
    c.onRequest(new ProbeRequest(SERVER_IP, Instant.now(), List.of(SERVER), "test", "lab-b"));
    await().atMost(Duration.ofSeconds(5)).until(() -> publisher.probes.size() == 2);
    assertThat(publisher.probes).extracting(ArpProbe::segment).containsOnly("lab-b");
    assertThat(publisher.probes).extracting(ArpProbe::key).containsOnly("10.77.0.10%lab-b");
    assertThat(wire.frames).hasSize(2);
    assertThat(c.counts()).isEqualTo(new ProbeCounts(3, 1, 0, 2, 0));
  }

  @Test
  void aReplyAfterDoneIsNotNamedAndNoMacIsNamedWhenNobodyAnswers() {
    RecordingWire wire = new RecordingWire();
    Confirmer c =
        confirmer(ArpSensorConfig.Confirm.defaults(), station("eth0", wire, List.of(LAB)));

    c.onRequest(request(SERVER_IP, Instant.now()));
    await().atMost(Duration.ofSeconds(5)).until(() -> publisher.probes.size() == 2);
    c.onObservation("eth0", reply(SERVER, SERVER_IP));

    assertThat(publisher.probes.get(1).answeredBy()).isEmpty();
    assertThat(publisher.probes.get(1).requests()).isEqualTo(2);
  }

  @Test
  void aStaleRequestAnotherNetworkAndTheOwnAddressAreSkippedAndCounted() {
    RecordingWire wire = new RecordingWire();
    Confirmer c =
        confirmer(ArpSensorConfig.Confirm.defaults(), station("eth0", wire, List.of(LAB)));
    Duration maxAge = ArpSensorConfig.Confirm.defaults().maxRequestAge();

    c.onRequest(request(SERVER_IP, Instant.now().minus(maxAge).minusSeconds(1)));
    c.onRequest(request(IpAddress.of("10.78.0.10"), Instant.now()));
    c.onRequest(request(LAB.address(), Instant.now()));

    assertThat(c.counts()).isEqualTo(new ProbeCounts(3, 0, 0, 3, 0));
    assertThat(publisher.probes).isEmpty();
    assertThat(wire.frames).isEmpty();
  }

  @Test
  void theSameIpAgainWithinTheIntervalIsRateLimited() {
    RecordingWire wire = new RecordingWire();
    Confirmer c =
        confirmer(ArpSensorConfig.Confirm.defaults(), station("eth0", wire, List.of(LAB)));

    c.onRequest(request(SERVER_IP, Instant.now()));
    c.onRequest(request(SERVER_IP, Instant.now()));
    await().atMost(Duration.ofSeconds(5)).until(() -> publisher.probes.size() == 2);
    c.onRequest(request(SERVER_IP, Instant.now()));

    assertThat(c.counts()).isEqualTo(new ProbeCounts(3, 1, 2, 0, 0));
  }

  @Test
  void moreRequestsThanTheRateAllowsAreSkippedAndCounted() {
    RecordingWire wire = new RecordingWire();
    ArpSensorConfig.Confirm shipped = ArpSensorConfig.Confirm.defaults();
    Confirmer c = confirmer(shipped, station("eth0", wire, List.of(LAB)));
    int asked = shipped.ratePerSecond() + 4;

    for (int i = 0; i < asked; i++) {
      c.onRequest(request(IpAddress.of("10.77.0." + (i + 1)), Instant.now()));
    }

    assertThat(c.counts().runs()).isEqualTo(shipped.ratePerSecond());
    assertThat(c.counts().rateLimited()).isEqualTo(4);
  }

  @Test
  void anInterfaceInTheSubnetIsPreferredOverOneWithoutIpv4WhichElseSendsFromZero() {
    RecordingWire numbered = new RecordingWire();
    RecordingWire unnumbered = new RecordingWire();
    Confirmer c =
        confirmer(
            ArpSensorConfig.Confirm.defaults(),
            station("eth0", numbered, List.of(LAB)),
            station("eth1", unnumbered, List.of()));

    c.onRequest(request(SERVER_IP, Instant.now()));
    c.onRequest(request(IpAddress.of("192.168.9.9"), Instant.now()));
    await().atMost(Duration.ofSeconds(5)).until(() -> publisher.probes.size() == 4);

    assertThat(numbered.frames)
        .containsOnly(Prober.request(SENSOR, LAB.address(), SERVER_IP))
        .hasSize(2);
    assertThat(unnumbered.frames)
        .containsOnly(Prober.request(SENSOR, IpAddress.V4_UNSPECIFIED, IpAddress.of("192.168.9.9")))
        .hasSize(2);
    assertThat(publisher.probes)
        .extracting(ArpProbe::iface, ArpProbe::phase)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("eth0", ArpProbe.Phase.SENT),
            org.assertj.core.groups.Tuple.tuple("eth0", ArpProbe.Phase.DONE),
            org.assertj.core.groups.Tuple.tuple("eth1", ArpProbe.Phase.SENT),
            org.assertj.core.groups.Tuple.tuple("eth1", ArpProbe.Phase.DONE));
  }

  @Test
  void aSendThatFailsEndsTheRunWithNoRequestsAndStopsProbing() {
    RecordingWire wire = new RecordingWire();
    wire.fail = true;
    // "lo" is up, so a failure there is not a passing link problem
    Confirmer c = confirmer(ArpSensorConfig.Confirm.defaults(), station("lo", wire, List.of(LAB)));

    c.onRequest(request(SERVER_IP, Instant.now()));
    await().atMost(Duration.ofSeconds(5)).until(() -> publisher.probes.size() == 2);
    c.onRequest(request(IpAddress.of("10.77.0.11"), Instant.now()));

    assertThat(publisher.probes.get(1).requests()).isZero();
    assertThat(probers.get(0).broken()).isTrue();
    assertThat(c.counts()).isEqualTo(new ProbeCounts(2, 1, 0, 1, 1));
    assertThat(publisher.probes).hasSize(2);
  }

  @Test
  void closingEndsARunUnderWayWithItsDone() {
    RecordingWire wire = new RecordingWire();
    Confirmer c =
        new Confirmer(
            ArpSensorConfig.Confirm.defaults(),
            List.of(station("eth0", wire, List.of(LAB))),
            publisher,
            Clock.systemUTC(),
            System::nanoTime,
            Duration.ofMinutes(1));
    confirmer = c;

    c.onRequest(request(SERVER_IP, Instant.now()));
    await().atMost(Duration.ofSeconds(5)).until(() -> wire.frames.size() == 1);
    c.onObservation("eth0", reply(ROUTER, SERVER_IP));
    c.close();

    assertThat(publisher.probes)
        .extracting(ArpProbe::phase)
        .containsExactly(ArpProbe.Phase.SENT, ArpProbe.Phase.DONE);
    assertThat(publisher.probes.get(1).answeredBy()).containsExactly(ROUTER);
    assertThat(publisher.probes.get(1).requests()).isEqualTo(1);
  }
}
