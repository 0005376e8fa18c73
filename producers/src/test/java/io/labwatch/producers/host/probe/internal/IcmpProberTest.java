package io.labwatch.producers.host.probe.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.labwatch.events.IpAddress;
import io.labwatch.events.ProbeResult.ErrorClass;
import io.labwatch.producers.testing.Requirements;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class IcmpProberTest {

  static final Duration TWO_SECONDS = Duration.ofSeconds(2);

  @Test
  void anEchoReplyIsAnsweredWithPingsOwnRoundTrip() {
    String out =
        """
        PING 10.77.0.10 (10.77.0.10) 56(84) bytes of data.
        64 bytes from 10.77.0.10: icmp_seq=1 ttl=64 time=0.412 ms

        --- 10.77.0.10 ping statistics ---
        1 packets transmitted, 1 received, 0% packet loss, time 0ms
        """;
    Outcome o = IcmpProber.interpret(0, out, 5_000, TWO_SECONDS);

    assertThat(o.ok()).isTrue();
    assertThat(o.latencyUs()).isEqualTo(412);
  }

  @Test
  void noReplyIsATimeoutAndAnUnreachableSaysWhoSaidSo() {
    String silent =
        """
        PING 10.77.0.99 (10.77.0.99) 56(84) bytes of data.

        --- 10.77.0.99 ping statistics ---
        1 packets transmitted, 0 received, 100% packet loss, time 0ms
        """;
    Outcome timeout = IcmpProber.interpret(1, silent, 2_001_000, TWO_SECONDS);
    assertThat(timeout.error()).isEqualTo(ErrorClass.TIMEOUT);
    assertThat(timeout.text()).isEqualTo("no echo reply within 2000ms");
    assertThat(timeout.latencyUs()).isEqualTo(2_001_000);

    String unreachable =
        """
        PING 10.77.0.99 (10.77.0.99) 56(84) bytes of data.
        From 10.77.0.250 icmp_seq=1 Destination Host Unreachable

        --- 10.77.0.99 ping statistics ---
        1 packets transmitted, 0 received, +1 errors, 100% packet loss, time 0ms
        """;
    Outcome o = IcmpProber.interpret(1, unreachable, 3_000_000, TWO_SECONDS);
    assertThat(o.error()).isEqualTo(ErrorClass.UNREACHABLE);
    assertThat(o.text()).isEqualTo("From 10.77.0.250 icmp_seq=1 Destination Host Unreachable");

    Outcome noNet =
        IcmpProber.interpret(2, "ping: connect: Network is unreachable\n", 300, TWO_SECONDS);
    assertThat(noNet.error()).isEqualTo(ErrorClass.UNREACHABLE);
  }

  @Test
  void pingsOwnErrorsAreErrorsAndAPermissionProblemMakesTheProbeUnavailable() {
    Outcome o =
        IcmpProber.interpret(2, "ping: sendmsg: No buffer space available\n", 9, TWO_SECONDS);
    assertThat(o.error()).isEqualTo(ErrorClass.ERROR);
    assertThat(o.text()).isEqualTo("ping: sendmsg: No buffer space available");
    assertThat(IcmpProber.interpret(2, "", 9, TWO_SECONDS).text()).isEqualTo("ping exited with 2");

    assertThatThrownBy(
            () ->
                IcmpProber.interpret(2, "ping: socket: Operation not permitted\n", 9, TWO_SECONDS))
        .isInstanceOf(ProbeUnavailable.class)
        .hasMessageContaining("net.ipv4.ping_group_range");
  }

  @Test
  void aPingThatHangsIsKilledAfterTheTimeoutAndIsATimeout() {
    // sleep stands in for a ping that never ends; ping's arguments make it sleep 30 s
    IcmpProber hanging = new IcmpProber(List.of("sh", "-c", "exec sleep 30", "ping"));
    long start = System.nanoTime();

    Outcome o = hanging.probe(IpAddress.of("127.0.0.1"), null, Duration.ofMillis(200));

    long tookMs = (System.nanoTime() - start) / 1_000_000;
    assertThat(o.error()).isEqualTo(ErrorClass.TIMEOUT);
    assertThat(o.text()).isEqualTo("ping did not end within 1200ms; killed");
    assertThat(tookMs).isBetween(1_100L, 5_000L);
  }

  @Test
  void aMissingPingMakesTheProbeUnavailableSayingWhatToInstall() {
    IcmpProber missing = new IcmpProber(List.of("/nonexistent/ping"));

    assertThatThrownBy(() -> missing.probe(IpAddress.of("127.0.0.1"), null, TWO_SECONDS))
        .isInstanceOf(ProbeUnavailable.class)
        .hasMessageContaining("apt-get install iputils-ping");
  }

  @Test
  void loopbackAnswersARealPing() {
    Requirements.command("ping", "iputils-ping");

    Outcome o = new IcmpProber().probe(IpAddress.of("127.0.0.1"), null, TWO_SECONDS);

    assertThat(o.ok()).as(String.valueOf(o.text())).isTrue();
    assertThat(o.latencyUs()).isBetween(0L, 1_000_000L);
  }
}
