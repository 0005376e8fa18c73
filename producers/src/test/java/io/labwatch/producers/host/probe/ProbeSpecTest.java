package io.labwatch.producers.host.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.labwatch.events.IpAddress;
import io.labwatch.events.LabwatchException;
import io.labwatch.events.ProbeResult.Kind;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProbeSpecTest {

  @Test
  void anSshPortWithTheDefaultIntervalAndTimeout() {
    ProbeSpec ssh = ProbeSpec.parse("tcp://10.77.0.10:22");

    assertThat(ssh.kind()).isEqualTo(Kind.TCP);
    assertThat(ssh.host()).isEqualTo("10.77.0.10");
    assertThat(ssh.port()).isEqualTo(22);
    assertThat(ssh.interval()).isEqualTo(ProbeSpec.DEFAULT_INTERVAL).hasSeconds(10);
    assertThat(ssh.timeout()).isEqualTo(ProbeSpec.DEFAULT_TIMEOUT).hasSeconds(2);
    assertThat(ssh.literal()).isEqualTo(IpAddress.of("10.77.0.10"));
    assertThat(ssh.text()).isEqualTo("tcp://10.77.0.10:22").isEqualTo(ssh.toString());
  }

  @Test
  void intervalAndTimeoutAreQueryParameters() {
    ProbeSpec p = ProbeSpec.parse("  icmp://yamato?interval=5s&timeout=500ms ");

    assertThat(p.kind()).isEqualTo(Kind.ICMP);
    assertThat(p.host()).isEqualTo("yamato");
    assertThat(p.port()).isNull();
    assertThat(p.literal()).isNull();
    assertThat(p.interval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(p.timeout()).isEqualTo(Duration.ofMillis(500));
    assertThat(p.text()).isEqualTo("icmp://yamato?interval=5s&timeout=500ms");
    assertThat(ProbeSpec.parse("arp://10.77.0.10?interval=1m30s").interval())
        .isEqualTo(Duration.ofSeconds(90));
  }

  @Test
  void anIpv6LiteralIsWrittenInBracketsAndHeldWithout() {
    ProbeSpec p = ProbeSpec.parse("TCP://[fd00:77::10]:2222");

    assertThat(p.kind()).isEqualTo(Kind.TCP);
    assertThat(p.host()).isEqualTo("fd00:77::10");
    assertThat(p.literal()).isEqualTo(IpAddress.of("fd00:77::10"));
    assertThat(p.port()).isEqualTo(2222);
  }

  @Test
  void badSpecsAreRefusedNamingTheSpecAndWhatIsWrong() {
    assertRefused("udp://10.77.0.10:53", "probe 'udp://10.77.0.10:53': unknown kind 'udp'");
    assertRefused("tcp://10.77.0.10", "probe 'tcp://10.77.0.10': missing port");
    assertRefused("tcp://10.77.0.10:0", "port 0 is not 1..65535");
    assertRefused("icmp://10.77.0.10:22", "probe 'icmp://10.77.0.10:22': icmp has no port");
    assertRefused("arp://10.77.0.10:22", "arp has no port");
    assertRefused("arp://[fd00::10]", "ARP is IPv4 only");
    assertRefused("10.77.0.10:22", "write tcp://HOST:PORT, icmp://HOST or arp://IPV4");
    assertRefused("10.77.0.10", "write tcp://HOST:PORT");
    assertRefused("tcp://", "probe 'tcp://'");
    assertRefused("tcp://a b:22", "not a URI");
    assertRefused("tcp://root@yamato:22", "no user part");
    assertRefused("tcp://yamato:22/ssh", "no path ('/ssh')");
    assertRefused("icmp://yamato?every=5s", "unknown parameter 'every' (interval, timeout)");
    assertRefused("icmp://yamato?interval", "'interval' is not NAME=VALUE");
    assertRefused("icmp://yamato?interval=5s&interval=6s", "'interval' is given twice");
    assertRefused("icmp://yamato?interval=5", "interval '5' is not a duration");
    assertRefused("icmp://yamato?timeout=soon", "timeout 'soon' is not a duration");
    assertRefused("icmp://yamato?interval=5s&timeout=6s", "timeout (6000ms) is longer than");
    assertRefused("icmp://yamato?interval=10ms&timeout=10ms", "interval must be at least 100ms");
    assertRefused("icmp://yamato?timeout=0s", "timeout must be at least 10ms");
    assertRefused(" ", "a probe target must not be blank");
  }

  private static void assertRefused(String spec, String message) {
    assertThatThrownBy(() -> ProbeSpec.parse(spec))
        .as(spec)
        .isInstanceOf(LabwatchException.class)
        .hasMessageContaining(message);
  }
}
