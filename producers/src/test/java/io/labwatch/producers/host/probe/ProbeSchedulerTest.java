package io.labwatch.producers.host.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.labwatch.events.IpAddress;
import io.labwatch.events.LabwatchException;
import io.labwatch.events.MacAddress;
import io.labwatch.events.ProbeResult;
import io.labwatch.events.ProbeResult.ErrorClass;
import io.labwatch.events.ProbeResult.Kind;
import io.labwatch.producers.host.probe.internal.Outcome;
import io.labwatch.producers.host.probe.internal.ProbeUnavailable;
import io.labwatch.producers.host.probe.internal.Prober;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ProbeSchedulerTest {

  static final IpAddress HANGS = IpAddress.of("10.77.0.66");

  final List<ProbeResult> results = new CopyOnWriteArrayList<>();
  final AtomicInteger arpAttempts = new AtomicInteger();

  /** TCP: 10.77.0.66 takes its whole timeout; everything else answers at once. */
  final Prober tcp =
      (ip, port, timeout) -> {
        if (ip.equals(HANGS)) {
          try {
            Thread.sleep(timeout.toMillis());
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return Outcome.failed(timeout.toMillis() * 1000, ErrorClass.TIMEOUT, "no answer");
        }
        return Outcome.answered(100);
      };

  /** ARP on a host without CAP_NET_RAW. */
  final Prober arp =
      (ip, port, timeout) -> {
        arpAttempts.incrementAndGet();
        throw new ProbeUnavailable("ARP probes cannot run: needs root or CAP_NET_RAW");
      };

  final Probes probes =
      new Probes(
          "lab-ws1",
          Clock.systemUTC(),
          host -> {
            throw new UnknownHostException(host);
          },
          Map.of(Kind.TCP, tcp, Kind.ARP, arp, Kind.ICMP, tcp),
          ip -> Optional.empty());

  @Test
  void aTargetThatHangsDoesNotDelayTheOthers() {
    List<ProbeSpec> specs =
        List.of(
            ProbeSpec.parse("tcp://10.77.0.66:22?interval=1s&timeout=1s"),
            ProbeSpec.parse("tcp://10.77.0.10:22?interval=100ms&timeout=50ms"),
            ProbeSpec.parse("icmp://10.77.0.11?interval=100ms&timeout=50ms"));

    try (ProbeScheduler scheduler = ProbeScheduler.start(specs, probes, results::add)) {
      // while the first target's first run waits out its second, the others run every 100 ms
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> count("tcp://10.77.0.10:22?interval=100ms&timeout=50ms") >= 5);
      assertThat(count("icmp://10.77.0.11?interval=100ms&timeout=50ms")).isGreaterThanOrEqualTo(3);
      assertThat(scheduler.running()).hasSize(3);
    }
    assertThat(results).allSatisfy(r -> assertThat(r.sensorId()).isEqualTo("lab-ws1"));
    assertThat(results)
        .filteredOn(r -> r.ip().equals(HANGS))
        .allSatisfy(r -> assertThat(r.error()).isEqualTo(ErrorClass.TIMEOUT));
    int after = results.size();
    assertThat(after).isPositive();
    // closed: nothing more arrives
    await().during(Duration.ofMillis(300)).until(() -> results.size() == after);
  }

  @Test
  void tcpAndIcmpProbesGoOutTogetherAndArpProbesHalfTheIntervalLater() {
    Probes answering =
        new Probes(
            "lab-ws1",
            Clock.systemUTC(),
            host -> List.of(),
            Map.of(
                Kind.TCP,
                tcp,
                Kind.ICMP,
                tcp,
                Kind.ARP,
                (ip, port, timeout) ->
                    Outcome.answeredBy(100, List.of(MacAddress.of("3c:fd:fe:0a:00:10")))),
            ip -> Optional.empty());
    String ssh = "tcp://10.77.0.10:22?interval=1s&timeout=50ms";
    String ping = "icmp://10.77.0.11?interval=1s&timeout=50ms";
    String who = "arp://10.77.0.10?interval=1s&timeout=50ms";
    List<ProbeSpec> specs =
        List.of(ProbeSpec.parse(ssh), ProbeSpec.parse(ping), ProbeSpec.parse(who));

    try (ProbeScheduler scheduler = ProbeScheduler.start(specs, answering, results::add)) {
      await().atMost(Duration.ofSeconds(5)).until(() -> count(who) >= 1);
      assertThat(scheduler.running()).hasSize(3);
    }
    long tcpAt = first(ssh);
    assertThat(Math.abs(first(ping) - tcpAt)).as("TCP and ICMP together").isLessThan(100);
    assertThat(first(who) - tcpAt).as("ARP half a second later").isBetween(400L, 700L);
    assertThat(ProbeScheduler.phase(ProbeSpec.parse(who), 10_000)).isEqualTo(5_000);
    assertThat(ProbeScheduler.phase(ProbeSpec.parse(ssh), 10_000)).isZero();
  }

  private long first(String target) {
    return results.stream()
        .filter(r -> r.target().equals(target))
        .mapToLong(r -> r.eventTime().toEpochMilli())
        .min()
        .orElseThrow();
  }

  @Test
  void aKindThisHostCannotRunStopsThatTargetOnceAndTheOthersGoOn() {
    List<ProbeSpec> specs =
        List.of(
            ProbeSpec.parse("arp://10.77.0.10?interval=100ms&timeout=50ms"),
            ProbeSpec.parse("tcp://10.77.0.10:22?interval=100ms&timeout=50ms"));

    try (ProbeScheduler scheduler = ProbeScheduler.start(specs, probes, results::add)) {
      await().atMost(Duration.ofSeconds(5)).until(() -> results.size() >= 5);

      assertThat(arpAttempts).hasValue(1);
      assertThat(scheduler.problems())
          .containsExactly(
              Map.entry(
                  "arp://10.77.0.10?interval=100ms&timeout=50ms",
                  "ARP probes cannot run: needs root or CAP_NET_RAW"));
      assertThat(scheduler.running())
          .containsExactly("tcp://10.77.0.10:22?interval=100ms&timeout=50ms");
      assertThat(results).allSatisfy(r -> assertThat(r.kind()).isEqualTo(Kind.TCP));
    }
  }

  @Test
  void aConsumerThatThrowsDoesNotStopTheProbing() {
    AtomicInteger calls = new AtomicInteger();
    List<ProbeSpec> specs =
        List.of(ProbeSpec.parse("tcp://10.77.0.10:22?interval=100ms&timeout=50ms"));

    try (ProbeScheduler scheduler =
        ProbeScheduler.start(
            specs,
            probes,
            r -> {
              calls.incrementAndGet();
              throw new IllegalStateException("broker gone");
            })) {
      await().atMost(Duration.ofSeconds(5)).until(() -> calls.get() >= 3);
      assertThat(scheduler.running()).hasSize(1);
    }
  }

  @Test
  void aTargetThatDoesNotResolveFailsTheStartNamingIt() {
    List<ProbeSpec> specs =
        List.of(ProbeSpec.parse("tcp://10.77.0.10:22"), ProbeSpec.parse("icmp://yamatoo"));

    assertThatThrownBy(() -> ProbeScheduler.start(specs, probes, results::add))
        .isInstanceOf(LabwatchException.class)
        .hasMessageStartingWith("probe 'icmp://yamatoo': cannot resolve 'yamatoo'");
    assertThat(results).isEmpty();
  }

  private long count(String target) {
    return results.stream().filter(r -> r.target().equals(target)).count();
  }
}
