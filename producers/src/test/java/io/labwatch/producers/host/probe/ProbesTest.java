package io.labwatch.producers.host.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.labwatch.events.IpAddress;
import io.labwatch.events.LabwatchException;
import io.labwatch.events.MacAddress;
import io.labwatch.events.ProbeResult;
import io.labwatch.events.ProbeResult.ErrorClass;
import io.labwatch.events.ProbeResult.Kind;
import io.labwatch.events.Vendors;
import io.labwatch.producers.host.probe.internal.NeighbourTable;
import io.labwatch.producers.host.probe.internal.Outcome;
import io.labwatch.producers.host.probe.internal.Prober;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The seed: ssh to the server, whose IP the router in AP mode took as well. */
class ProbesTest {

  static final Instant T0 = Instant.parse("2026-11-25T14:02:11Z");
  static final IpAddress SERVER_IP = IpAddress.of("10.77.0.10");
  static final MacAddress SERVER = MacAddress.of("3c:fd:fe:0a:00:10");
  static final MacAddress YAMAHA = MacAddress.of("00:a0:de:0a:00:10");

  /** The kernel's entry for the server's IP, as the test sets it between probes. */
  final Deque<MacAddress> neighbour = new ArrayDeque<>();

  final Prober ssh =
      (ip, port, timeout) ->
          YAMAHA.equals(neighbour.peek())
              ? Outcome.failed(180, ErrorClass.REFUSED, "Connection refused")
              : Outcome.answered(420);

  final Prober arp = (ip, port, timeout) -> Outcome.answeredBy(350, List.of(SERVER, YAMAHA));

  Probes probes(Probes.Resolver resolver) {
    NeighbourTable table =
        ip -> ip.equals(SERVER_IP) ? Optional.ofNullable(neighbour.peek()) : Optional.empty();
    return new Probes(
        "lab-ws1",
        Clock.fixed(T0, ZoneOffset.UTC),
        resolver,
        Map.of(Kind.TCP, ssh, Kind.ARP, arp, Kind.ICMP, ssh),
        table);
  }

  final Probes probes =
      probes(
          host -> {
            if (host.equals("yamato")) {
              return List.of(InetAddress.getByAddress("yamato", SERVER_IP.toBytes()));
            }
            if (host.equals("v6only")) {
              return List.of(InetAddress.getByName("fd00::10"));
            }
            throw new UnknownHostException(host + ": Name or service not known");
          });

  @Test
  void eachResultNamesTheMacTheServersIpResolvedToSoTheFailuresPointAtTheRouter() {
    ProbeSpec spec = ProbeSpec.parse("tcp://yamato:22?timeout=1s");

    neighbour.push(SERVER);
    ProbeResult ok = probes.run(spec);
    neighbour.clear();
    neighbour.push(YAMAHA);
    ProbeResult refused = probes.run(spec);

    assertThat(ok)
        .isEqualTo(
            ProbeResult.answered(
                T0,
                "lab-ws1",
                "tcp://yamato:22?timeout=1s",
                Kind.TCP,
                SERVER_IP,
                22,
                420,
                SERVER,
                List.of()));
    assertThat(refused)
        .isEqualTo(
            ProbeResult.failed(
                T0,
                "lab-ws1",
                "tcp://yamato:22?timeout=1s",
                Kind.TCP,
                SERVER_IP,
                22,
                180,
                ErrorClass.REFUSED,
                "Connection refused",
                YAMAHA));
    assertThat(Vendors.describe(refused.mac())).containsIgnoringCase("yamaha");
  }

  @Test
  void noNeighbourEntryIsNoMac() {
    ProbeResult r = probes.run(ProbeSpec.parse("icmp://10.77.0.10"));

    assertThat(r.ok()).isTrue();
    assertThat(r.mac()).isNull();
  }

  @Test
  void anArpProbeNamesEveryMacThatAnsweredAndTheFirstAsItsMac() {
    ProbeResult r = probes.run(ProbeSpec.parse("arp://yamato"));

    assertThat(r.kind()).isEqualTo(Kind.ARP);
    assertThat(r.ok()).isTrue();
    assertThat(r.answeredBy()).containsExactly(SERVER, YAMAHA);
    assertThat(r.mac()).isEqualTo(SERVER);
    assertThat(r.port()).isNull();
  }

  @Test
  void aNameThatDoesNotResolveIsAnUnresolvedResultWithoutAnAddress() {
    ProbeResult r = probes.run(ProbeSpec.parse("icmp://nosuchhost"));

    assertThat(r.ok()).isFalse();
    assertThat(r.error()).isEqualTo(ErrorClass.UNRESOLVED);
    assertThat(r.ip()).isNull();
    assertThat(r.mac()).isNull();
    assertThat(r.errorText())
        .isEqualTo("cannot resolve 'nosuchhost' (nosuchhost: Name or service not known)");
    assertThat(probes.run(ProbeSpec.parse("arp://v6only")).errorText())
        .isEqualTo("'v6only' resolves to no IPv4 address");
  }

  @Test
  void aResolverThatHangsIsCutAtTheProbesTimeout() {
    Probes stalled =
        probes(
            host -> {
              try {
                Thread.sleep(30_000); // a DNS server that never answers
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              throw new java.net.UnknownHostException(host);
            });
    long start = System.nanoTime();

    ProbeResult r = stalled.run(ProbeSpec.parse("tcp://yamato:22?timeout=300ms"));

    long tookMs = (System.nanoTime() - start) / 1_000_000;
    assertThat(r.error()).isEqualTo(ErrorClass.UNRESOLVED);
    assertThat(r.errorText()).isEqualTo("no answer from the resolver for 'yamato' within 300ms");
    assertThat(tookMs).isBetween(250L, 10_000L);
  }

  @Test
  void resolvingForAStartNamesTheSpec() {
    assertThat(probes.resolve(ProbeSpec.parse("tcp://yamato:22"))).isEqualTo(SERVER_IP);
    assertThat(probes.resolve(ProbeSpec.parse("tcp://v6only:22")))
        .isEqualTo(IpAddress.of("fd00::10"));
    assertThatThrownBy(() -> probes.resolve(ProbeSpec.parse("tcp://nosuchhost:22")))
        .isInstanceOf(LabwatchException.class)
        .hasMessage(
            "probe 'tcp://nosuchhost:22': cannot resolve 'nosuchhost' (nosuchhost: Name or service"
                + " not known)");
    assertThatThrownBy(() -> probes.resolve(ProbeSpec.parse("arp://v6only")))
        .hasMessage("probe 'arp://v6only': 'v6only' resolves to no IPv4 address");
  }
}
