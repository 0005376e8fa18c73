package io.labwatch.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IpAddressTest {

  @ParameterizedTest
  @CsvSource({
    "10.77.0.10, 10.77.0.10",
    "0.0.0.0, 0.0.0.0",
    "255.255.255.255, 255.255.255.255",
    "::, ::",
    "::1, ::1",
    "FE80::0202:B3FF:FE1E:8329, fe80::202:b3ff:fe1e:8329",
    "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
    "2001:0db8:0000:0000:0000:0000:0002:0001, 2001:db8::2:1",
    "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
    "1:2:3:4:5:6:7::, 1:2:3:4:5:6:7:0",
    "::ffff:10.0.0.1, ::ffff:10.0.0.1",
    "::ffff:a00:1, ::ffff:10.0.0.1",
    "64:ff9b::192.0.2.33, 64:ff9b::c000:221"
  })
  void parsesToCanonicalText(String text, String canonical) {
    assertThat(IpAddress.of(text).toString()).isEqualTo(canonical);
    assertThat(IpAddress.of(canonical)).isEqualTo(IpAddress.of(text));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "localhost",
        "yamato.lab",
        "10.0.0",
        "10.0.0.256",
        "10.0.0.1.",
        "010.0.0.1",
        "10..0.1",
        "1:2:3:4:5:6:7:8:9",
        "1::2::3",
        "12345::1",
        "1.2.3.4::",
        "::1.2.3",
        "fe80::1%eth0",
        ":1:2:3:4:5:6:7",
        "g::1"
      })
  void rejectsWhatIsNotAnIpLiteralAndNamesTheText(String text) {
    assertThatThrownBy(() -> IpAddress.of(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + text + "'");
  }

  @Test
  void knowsItsFamilyAndTheUnspecifiedAddresses() {
    assertThat(IpAddress.of("10.0.0.1").isV4()).isTrue();
    assertThat(IpAddress.of("fe80::1").isV6()).isTrue();
    assertThat(IpAddress.of("0.0.0.0").isUnspecified()).isTrue();
    assertThat(IpAddress.of("::").isUnspecified()).isTrue();
    assertThat(IpAddress.of("10.0.0.1").isUnspecified()).isFalse();
    assertThat(IpAddress.V4_UNSPECIFIED).isEqualTo(IpAddress.of("0.0.0.0"));
  }

  @Test
  void roundTripsThroughBytes() {
    IpAddress v4 = IpAddress.of("192.168.1.254");
    assertThat(IpAddress.fromBytes(v4.toBytes())).isEqualTo(v4);
    IpAddress v6 = IpAddress.of("2001:db8::42");
    assertThat(IpAddress.fromBytes(v6.toBytes())).isEqualTo(v6);
    assertThatThrownBy(() -> IpAddress.fromBytes(new byte[5]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("5");
  }

  @Test
  void ordersV4BeforeV6AndNumerically() {
    assertThat(IpAddress.of("10.0.0.9")).isLessThan(IpAddress.of("10.0.0.10"));
    assertThat(IpAddress.of("10.0.0.200")).isGreaterThan(IpAddress.of("10.0.0.10"));
    assertThat(IpAddress.of("255.0.0.0")).isLessThan(IpAddress.of("::1"));
  }

  @Test
  void equalAddressesHashAlikeAndTheHostsOfALabNetworkAllDiffer() {
    assertThat(IpAddress.of("10.77.0.10").hashCode())
        .isEqualTo(IpAddress.fromBytes(new byte[] {10, 77, 0, 10}).hashCode());
    assertThat(IpAddress.of("fe80::1").hashCode()).isEqualTo(IpAddress.of("fe80:0::1").hashCode());
    // (a hash map of a /16's addresses stays a hash map: no two of them in one bucket's tree)
    java.util.Set<Integer> hashes = new java.util.HashSet<>();
    for (int host = 0; host < 65_536; host++) {
      hashes.add(IpAddress.of("10.100." + host / 256 + "." + host % 256).hashCode());
    }
    assertThat(hashes).hasSize(65_536);
  }
}
