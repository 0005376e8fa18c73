package io.labwatch.producers.host.probe.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.labwatch.events.IpAddress;
import io.labwatch.producers.host.probe.internal.IcmpEcho.Mode;
import io.labwatch.producers.testing.Requirements;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * ICMP echoes from the JVM. The datagram-socket path on a real wire is in the app's
 * ReachabilityProbeNetnsIT (its workstation namespace allows it); here the raw-socket path, which
 * root takes on a host that does not (Debian's default {@code ping_group_range}).
 */
class IcmpEchoTest {

  @Test
  void theChecksumIsRfc1071sAndARequestSumsToZeroWithIt() {
    // RFC 1071's example: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2, complemented 220d
    assertThat(
            IcmpEcho.checksum(
                new byte[] {
                  0, 1, (byte) 0xf2, 3, (byte) 0xf4, (byte) 0xf5, (byte) 0xf6, (byte) 0xf7
                }))
        .isEqualTo(0x220d);
    byte[] request = IcmpEcho.request(0x1234, 0xbeef);
    assertThat(request).hasSize(64);
    assertThat(request[0]).isEqualTo((byte) 8);
    assertThat(IcmpEcho.checksum(request)).isZero();
  }

  @Test
  void aReplyIsKnownByItsSequenceAndOnARawSocketByItsIdentifierToo() {
    byte[] reply = IcmpEcho.request(0x1234, 0x0007);
    reply[0] = 0; // echo reply
    assertThat(IcmpEcho.isReply(reply, reply.length, Mode.DATAGRAM, 0x9999, 7)).isTrue();
    assertThat(IcmpEcho.isReply(reply, reply.length, Mode.DATAGRAM, 0x1234, 8)).isFalse();
    assertThat(IcmpEcho.isReply(reply, 7, Mode.DATAGRAM, 0x1234, 7)).isFalse();

    byte[] raw = new byte[20 + reply.length];
    raw[0] = 0x45; // IPv4, a 20-byte header
    System.arraycopy(reply, 0, raw, 20, reply.length);
    assertThat(IcmpEcho.isReply(raw, raw.length, Mode.RAW, 0x1234, 7)).isTrue();
    assertThat(IcmpEcho.isReply(raw, raw.length, Mode.RAW, 0x1235, 7)).isFalse();
    byte[] ownRequest = raw.clone();
    ownRequest[20] = 8; // on loopback a raw socket also sees the request it sent
    assertThat(IcmpEcho.isReply(ownRequest, raw.length, Mode.RAW, 0x1234, 7)).isFalse();
  }

  @Test
  void loopbackAnswersAnEchoFromARawSocket() {
    Requirements.root("a raw ICMP socket");

    Outcome o = IcmpEcho.echo(IpAddress.of("127.0.0.1"), Duration.ofSeconds(2), Mode.RAW);

    assertThat(o.ok()).as(String.valueOf(o.text())).isTrue();
    assertThat(o.latencyUs()).isBetween(0L, 1_000_000L);
  }

  @Test
  void theProberSendsEchoesFromTheJvmWhereTheHostAllowsIt() {
    Requirements.root("a raw ICMP socket, or an ICMP datagram socket root's group may open");
    IcmpProber prober = new IcmpProber();

    assertThat(prober.method()).isIn("an ICMP datagram socket", "a raw ICMP socket");
    for (int i = 0; i < 3; i++) { // several: each is its own sequence number
      Outcome o = prober.probe(IpAddress.of("127.0.0.1"), null, Duration.ofSeconds(2));
      assertThat(o.ok()).as(String.valueOf(o.text())).isTrue();
    }
    assertThat(new IcmpProber(java.util.List.of("ping")).method()).isEqualTo("ping");
  }
}
