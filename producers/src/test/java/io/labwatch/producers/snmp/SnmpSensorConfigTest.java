package io.labwatch.producers.snmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.labwatch.producers.snmp.SnmpSensorConfig.Device;
import io.labwatch.producers.snmp.SnmpSensorConfig.DeviceSettings;
import io.labwatch.producers.snmp.SnmpSensorConfig.Table;
import io.labwatch.producers.snmp.SnmpSensorConfig.Version;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SnmpSensorConfigTest {

  private final SnmpSensorConfig d = SnmpSensorConfig.defaults();

  private SnmpSensorConfig with(String community, String user, Device... devices) {
    return new SnmpSensorConfig(
        List.of(devices),
        d.version(),
        community,
        user,
        d.authProtocol(),
        "auth-pass-1",
        d.privProtocol(),
        "priv-pass-1",
        d.interval(),
        d.timeout(),
        d.retries(),
        d.maxRepetitions(),
        d.tables(),
        d.refreshInterval(),
        d.heartbeatInterval());
  }

  private static Device v3(String address, String name) {
    return new Device(
        address, name, Version.V3, null, null, null, null, null, null, null, null, null, null);
  }

  @Test
  void whatShipsPollsNothingEveryThirtySecondsWhenGivenADevice() {
    assertThat(d.enabled()).isFalse();
    assertThat(d.interval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(d.tables()).containsExactly(Table.ARP, Table.INTERFACES);
  }

  @Test
  void aDeviceGivenByItsAddressTakesEverySettingFromTheSensorAndIsNamedByIt() {
    DeviceSettings s = with("public", "", Device.of("10.77.0.1")).resolved().get(0);

    assertThat(s.name()).isEqualTo("10.77.0.1");
    assertThat(s.address()).isEqualTo("10.77.0.1:161");
    assertThat(s.version()).isEqualTo(Version.V2C);
    assertThat(s.community()).isEqualTo("public");
    assertThat(s.interval()).isEqualTo(d.interval());
    assertThat(s.tables()).isEqualTo(d.tables());
  }

  @Test
  void addressesMayCarryAPortAndIpv6IsInBrackets() {
    assertThat(with("c", "", Device.of("router.lab:1161")).resolved().get(0).address())
        .isEqualTo("router.lab:1161");
    assertThat(with("c", "", Device.of("[fe80::1]:162")).resolved().get(0).address())
        .isEqualTo("[fe80::1]:162");
    assertThat(with("c", "", Device.of("fe80::1")).resolved().get(0).address())
        .isEqualTo("[fe80::1]:161");
    assertThatThrownBy(() -> Device.of("router:0"))
        .hasMessage("devices: 'router:0' has no usable port (1..65535)");
    assertThatThrownBy(() -> Device.of("  ")).hasMessage("devices: a device needs an address");
  }

  @Test
  void v2cWithoutACommunityIsRefusedNamingTheDeviceAndWhereACommunityGoes() {
    assertThatThrownBy(() -> with("", "", Device.of("10.77.0.1")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("devices: 10.77.0.1: SNMP v2c needs a community (")
        .hasMessageContaining("LABWATCH_SENSOR_SNMP_COMMUNITY");
  }

  @Test
  void v3NeedsAUserAndPassphrasesOfEightCharacters() {
    assertThatThrownBy(() -> with("", "", v3("10.77.0.1", null)))
        .hasMessage(
            "devices: 10.77.0.1: SNMP v3 needs a user (the device's user, or sensor.snmp.user)");
    Device shortKey =
        new Device(
            "10.77.0.1",
            null,
            Version.V3,
            null,
            "labwatch",
            null,
            "short",
            null,
            null,
            null,
            null,
            null,
            null);
    assertThatThrownBy(() -> with("", "", shortKey))
        .hasMessageContaining("authentication passphrase is shorter than 8 characters")
        .hasMessageNotContaining("tiny7ch");
    DeviceSettings s = with("", "labwatch", v3("10.77.0.1", "gw")).resolved().get(0);
    assertThat(s.securityLevel()).isEqualTo("authPriv");
    assertThat(s.auth()).isEqualTo(SnmpSensorConfig.Auth.SHA);
    assertThat(s.priv()).isEqualTo(SnmpSensorConfig.Priv.AES);
  }

  @Test
  void protocolsAreReadAsNetSnmpNamesThem() {
    assertThat(SnmpSensorConfig.Auth.of("sha-256", "k")).isEqualTo(SnmpSensorConfig.Auth.SHA_256);
    assertThat(SnmpSensorConfig.Priv.of("AES256", "k")).isEqualTo(SnmpSensorConfig.Priv.AES_256);
    assertThat(SnmpSensorConfig.Priv.of("aes-128", "k")).isEqualTo(SnmpSensorConfig.Priv.AES);
    assertThatThrownBy(() -> SnmpSensorConfig.Auth.of("SHA-3", "authProtocol"))
        .hasMessageStartingWith("authProtocol: must be one of MD5, SHA, SHA-224");
  }

  @Test
  void twoDevicesOfOneNameAreRefused() {
    assertThatThrownBy(() -> with("c", "", Device.of("10.77.0.1"), Device.of("10.77.0.1")))
        .hasMessage("devices: two devices are named 10.77.0.1; give one a name of its own");
  }

  @Test
  void secretsAreNeverInTheTextOfTheSettings() {
    Device device =
        new Device(
            "10.77.0.1",
            "gw",
            Version.V3,
            "dev-community",
            "labwatch",
            "SHA-256",
            "dev-auth-passphrase",
            "AES-256",
            "dev-priv-passphrase",
            null,
            null,
            null,
            null);
    SnmpSensorConfig c = with("sensor-community", "labwatch", device);

    for (String text : List.of(c.toString(), device.toString(), c.resolved().toString())) {
      assertThat(text)
          .doesNotContain("community-")
          .doesNotContain("sensor-community")
          .doesNotContain("dev-community")
          .doesNotContain("passphrase-")
          .doesNotContain("auth-pass-1")
          .doesNotContain("priv-pass-1");
    }
    assertThat(c.toString()).contains("community=[secret]", "authPassphrase=[secret]");
  }
}
