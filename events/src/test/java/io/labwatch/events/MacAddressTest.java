package io.labwatch.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MacAddressTest {

  @ParameterizedTest
  @ValueSource(
      strings = {"00:a0:de:12:34:56", "00-A0-DE-12-34-56", "00a0.de12.3456", " 00:A0:de:12:34:56 "})
  void parsesTheThreeSpellingsToOneCanonicalText(String text) {
    assertThat(MacAddress.of(text).toString()).isEqualTo("00:a0:de:12:34:56");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "00:a0:de:12:34",
        "00:a0:de:12:34:56:78",
        "00:a0-de:12:34:56",
        "00:a0:de:12:34:5g",
        "0:a0:de:12:34:567",
        "00a0.de12.345",
        "00a0:de12:3456",
        "٠٠:a0:de:12:34:56",
        "zz:zz:zz:zz:zz:zz"
      })
  void rejectsWhatIsNotAMacAndNamesTheText(String text) {
    assertThatThrownBy(() -> MacAddress.of(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + text + "'");
  }

  @Test
  void knowsBroadcastZeroMulticastAndLocallyAdministered() {
    assertThat(MacAddress.of("ff:ff:ff:ff:ff:ff").isBroadcast()).isTrue();
    assertThat(MacAddress.of("ff:ff:ff:ff:ff:ff").isMulticast()).isTrue();
    assertThat(MacAddress.of("00:00:00:00:00:00").isZero()).isTrue();
    assertThat(MacAddress.of("01:00:5e:00:00:01").isMulticast()).isTrue();
    assertThat(MacAddress.of("33:33:00:00:00:01").isMulticast()).isTrue();
    assertThat(MacAddress.of("02:42:ac:11:00:02").isLocallyAdministered()).isTrue();
    assertThat(MacAddress.of("02:42:ac:11:00:02").isStation()).isTrue();

    MacAddress yamaha = MacAddress.of("00:a0:de:12:34:56");
    assertThat(yamaha.isBroadcast()).isFalse();
    assertThat(yamaha.isZero()).isFalse();
    assertThat(yamaha.isMulticast()).isFalse();
    assertThat(yamaha.isLocallyAdministered()).isFalse();
    assertThat(yamaha.isStation()).isTrue();
    assertThat(yamaha.oui()).isEqualTo(0x00a0de);
  }

  @Test
  void roundTripsThroughBytesAndLong() {
    MacAddress mac = MacAddress.of("dc:9b:9c:01:02:03");
    assertThat(MacAddress.fromBytes(mac.toBytes())).isEqualTo(mac);
    assertThat(MacAddress.fromLong(mac.toLong())).isEqualTo(mac);
    assertThat(mac.toBytes()).containsExactly(0xdc, 0x9b, 0x9c, 0x01, 0x02, 0x03);
    byte[] frame = {9, 9, (byte) 0xdc, (byte) 0x9b, (byte) 0x9c, 1, 2, 3};
    assertThat(MacAddress.fromBytes(frame, 2)).isEqualTo(mac);
  }

  @Test
  void refusesShortByteArrays() {
    assertThatThrownBy(() -> MacAddress.fromBytes(new byte[5]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("6 bytes");
    assertThatThrownBy(() -> MacAddress.fromBytes(new byte[8], 3))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void ordersAndComparesByValue() {
    assertThat(MacAddress.of("00:00:00:00:00:01")).isLessThan(MacAddress.of("00:00:00:00:01:00"));
    assertThat(MacAddress.of("AA-BB-CC-DD-EE-FF")).isEqualTo(MacAddress.of("aabb.ccdd.eeff"));
    assertThat(MacAddress.of("AA-BB-CC-DD-EE-FF").hashCode())
        .isEqualTo(MacAddress.of("aabb.ccdd.eeff").hashCode());
  }
}
