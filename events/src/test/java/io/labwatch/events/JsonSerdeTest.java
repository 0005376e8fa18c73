package io.labwatch.events;

import static io.labwatch.events.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class JsonSerdeTest {

  private final JsonSerde<SensorEvent> sensorSerde = JsonSerde.of(SensorEvent.class);
  private final JsonSerde<Alert> alertSerde = JsonSerde.of(Alert.class);

  @Test
  void arpObservationRoundTrips() {
    ArpObservation obs = Fixtures.replyFromRouter();
    byte[] bytes = sensorSerde.serialize("labwatch.arp", obs);
    assertThat(sensorSerde.deserialize("labwatch.arp", bytes)).isEqualTo(obs);
  }

  @Test
  void arpObservationJsonIsReadableAndNamesItsType() {
    String json =
        new String(sensorSerde.serialize("t", Fixtures.replyFromRouter()), StandardCharsets.UTF_8);
    assertThat(json)
        .contains("\"type\":\"arp\"")
        .contains("\"v\":1")
        .contains("\"eventTime\":\"2026-11-25T14:02:11.123456Z\"")
        .contains("\"interface\":\"eth0\"")
        .contains("\"class\":\"REPLY\"")
        .contains("\"senderIp\":\"10.77.0.10\"")
        .contains("\"senderMac\":\"00:a0:de:12:34:56\"")
        .doesNotContain("subjectIp")
        .doesNotContain("etherMismatch");
  }

  @Test
  void ipv6ObservationWithoutLinkLayerOptionRoundTrips() {
    ArpObservation dad =
        new ArpObservation(
            T0,
            "lab-sw1",
            "eth0",
            null,
            PacketClass.NEIGHBOR_SOLICITATION,
            IpAddress.of("::"),
            null,
            IpAddress.of("fe80::1"),
            null,
            MacAddress.of("02:00:00:00:00:01"));
    byte[] bytes = sensorSerde.serialize("t", dad);
    assertThat(new String(bytes, StandardCharsets.UTF_8))
        .doesNotContain("vlan")
        .doesNotContain("senderMac");
    assertThat(sensorSerde.deserialize("t", bytes)).isEqualTo(dad);
    assertThat(dad.subjectIp()).isEqualTo(IpAddress.of("fe80::1"));
  }

  @Test
  void aRouterTableEntryRoundTripsAndIsAboutItsIp() {
    ArpObservation entry = Fixtures.routerTableEntry();
    byte[] bytes = sensorSerde.serialize("labwatch.arp", entry);
    assertThat(new String(bytes, StandardCharsets.UTF_8))
        .contains("\"class\":\"ROUTER_TABLE\"")
        .contains("\"table\":\"CHANGED\"")
        .contains("\"sensorId\":\"10.77.0.1\"");
    assertThat(sensorSerde.deserialize("labwatch.arp", bytes)).isEqualTo(entry);
    assertThat(entry.subjectIp()).isEqualTo(Fixtures.SERVER_IP);
    assertThat(entry.etherMismatch()).isFalse();
    assertThat(entry.table().learned()).isTrue();
  }

  @Test
  void anIpv6NeighbourOfARouterRoundTripsAndAFamilyMixIsRefused() {
    ArpObservation entry =
        ArpObservation.routerTable(
            Instant.parse("2026-11-25T14:02:11Z"),
            "10.77.0.1",
            "eth1",
            IpAddress.of("fd00:77::10"),
            MacAddress.of("dc:9b:9c:77:00:10"),
            ArpObservation.TableEntry.NEW);
    byte[] bytes = sensorSerde.serialize("labwatch.arp", entry);
    assertThat(sensorSerde.deserialize("labwatch.arp", bytes)).isEqualTo(entry);
    assertThat(entry.subjectIp()).isEqualTo(IpAddress.of("fd00:77::10"));
    String mixed =
        new String(bytes, StandardCharsets.UTF_8)
            .replace("\"targetIp\":\"fd00:77::10\"", "\"targetIp\":\"10.77.0.10\"");
    assertThat(mixed).isNotEqualTo(new String(bytes, StandardCharsets.UTF_8));
    assertThatThrownBy(() -> sensorSerde.deserialize("t", mixed.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("ROUTER_TABLE needs its two addresses of one family");
  }

  @Test
  void aRouterTableEntryNeedsItsTableStateAndOnlyItHasOne() {
    String json =
        new String(sensorSerde.serialize("t", Fixtures.routerTableEntry()), StandardCharsets.UTF_8)
            .replace(",\"table\":\"CHANGED\"", "");
    assertThatThrownBy(() -> sensorSerde.deserialize("t", json.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("ArpObservation: 'table' is required for ROUTER_TABLE");
    String onAReply =
        new String(sensorSerde.serialize("t", Fixtures.replyFromRouter()), StandardCharsets.UTF_8)
            .replace("{", "{\"table\":\"NEW\",");
    assertThatThrownBy(
            () -> sensorSerde.deserialize("t", onAReply.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("ArpObservation: 'table' is only for ROUTER_TABLE");
  }

  @Test
  void interfaceCountersRoundTripWithUnsignedCountersAndTheirKey() {
    InterfaceCounters c = Fixtures.uplinkCounters();
    byte[] bytes = sensorSerde.serialize("labwatch.snmp", c);
    assertThat(new String(bytes, StandardCharsets.UTF_8))
        .contains("\"type\":\"counters\"")
        .contains("\"v\":1")
        .contains("\"inOctets\":18446744073709551614")
        .contains("\"operStatus\":\"UP\"")
        .contains("\"sysUpTime\":4294967295")
        .doesNotContain("key");
    assertThat(sensorSerde.deserialize("labwatch.snmp", bytes)).isEqualTo(c);
    assertThat(c.key()).isEqualTo("10.77.0.1/3");
  }

  @Test
  void countersOutOfTheirRangeAreRefusedNamingTheValue() {
    String json =
        new String(sensorSerde.serialize("t", Fixtures.uplinkCounters()), StandardCharsets.UTF_8);
    byte[] tooBig =
        json.replace("18446744073709551614", "18446744073709551616")
            .getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> sensorSerde.deserialize("t", tooBig))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("a counter must be 0..2^64-1, got 18446744073709551616");
    byte[] negative = json.replace("1234567890123", "-1").getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> sensorSerde.deserialize("t", negative))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("a counter must be 0..2^64-1, got -1");
    byte[] ticks =
        json.replace("\"sysUpTime\":4294967295", "\"sysUpTime\":4294967296")
            .getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> sensorSerde.deserialize("t", ticks))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("'sysUpTime' must be a TimeTicks value");
    byte[] bits32 =
        json.replace("\"counterBits\":64", "\"counterBits\":32").getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> sensorSerde.deserialize("t", bits32))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("a 32-bit counter (counterBits 32) cannot be 18446744073709551614");
  }

  @Test
  void anOperStatusIfMibDoesNotDefineIsUnknown() {
    assertThat(InterfaceCounters.OperStatus.of(1)).isEqualTo(InterfaceCounters.OperStatus.UP);
    assertThat(InterfaceCounters.OperStatus.of(7))
        .isEqualTo(InterfaceCounters.OperStatus.LOWER_LAYER_DOWN);
    assertThat(InterfaceCounters.OperStatus.of(0)).isEqualTo(InterfaceCounters.OperStatus.UNKNOWN);
    assertThat(InterfaceCounters.OperStatus.of(99)).isEqualTo(InterfaceCounters.OperStatus.UNKNOWN);
  }

  @Test
  void aFailedProbeRoundTripsNamingTheMacItWentTo() {
    ProbeResult refused = Fixtures.sshRefusedByRouter();
    byte[] bytes = sensorSerde.serialize("labwatch.host", refused);
    assertThat(new String(bytes, StandardCharsets.UTF_8))
        .contains("\"type\":\"probe-result\"")
        .contains("\"v\":1")
        .contains("\"target\":\"tcp://yamato:22?timeout=1s\"")
        .contains("\"kind\":\"TCP\"")
        .contains("\"ip\":\"10.77.0.10\"")
        .contains("\"port\":22")
        .contains("\"ok\":false")
        .contains("\"latencyUs\":187")
        .contains("\"error\":\"REFUSED\"")
        .contains("\"errorText\":\"Connection refused\"")
        .contains("\"mac\":\"00:a0:de:12:34:56\"")
        .doesNotContain("vendor");
    assertThat(sensorSerde.deserialize("labwatch.host", bytes)).isEqualTo(refused);
    assertThat(Vendors.describe(refused.mac())).containsIgnoringCase("yamaha");
  }

  @Test
  void anArpProbeAnsweredByTwoMacsRoundTripsWithoutPortOrError() {
    ProbeResult both = Fixtures.arpAnsweredByBoth();
    byte[] bytes = sensorSerde.serialize("labwatch.host", both);
    assertThat(new String(bytes, StandardCharsets.UTF_8))
        .contains("\"ok\":true")
        .contains("\"answeredBy\":[\"dc:9b:9c:01:02:03\",\"00:a0:de:12:34:56\"]")
        .doesNotContain("\"port\"")
        .doesNotContain("\"error");
    assertThat(sensorSerde.deserialize("labwatch.host", bytes)).isEqualTo(both);
  }

  @Test
  void anUnresolvedTargetHasNoIpAndNoMac() {
    ProbeResult unresolved =
        ProbeResult.failed(
            T0,
            "lab-ws1",
            "icmp://no-such-host.lab",
            ProbeResult.Kind.ICMP,
            null,
            null,
            3_000,
            ProbeResult.ErrorClass.UNRESOLVED,
            "no-such-host.lab: Name or service not known",
            null);
    byte[] bytes = sensorSerde.serialize("labwatch.host", unresolved);
    assertThat(new String(bytes, StandardCharsets.UTF_8))
        .doesNotContain("\"ip\"")
        .doesNotContain("\"mac\"");
    assertThat(sensorSerde.deserialize("labwatch.host", bytes)).isEqualTo(unresolved);
  }

  @Test
  void probeResultsThatContradictThemselvesAreRefusedByName() {
    String json =
        new String(
            sensorSerde.serialize("t", Fixtures.sshRefusedByRouter()), StandardCharsets.UTF_8);
    assertRefused(json.replace("\"port\":22,", ""), "ProbeResult: 'port' is required");
    assertRefused(json.replace("\"port\":22", "\"port\":65536"), "'port' must be 1..65535");
    assertRefused(
        json.replace("\"ok\":false", "\"ok\":true"), "an ok probe has no 'error' or 'errorText'");
    assertRefused(json.replace("\"error\":\"REFUSED\",", ""), "ProbeResult: 'error' is required");
    assertRefused(json.replace("\"ip\":\"10.77.0.10\",", ""), "'ip' is required unless");
    assertRefused(
        json.replace("\"latencyUs\":187", "\"latencyUs\":-1"), "'latencyUs' must be >= 0");
    assertRefused(json.replace("\"kind\":\"TCP\"", "\"kind\":\"ICMP\""), "'port' is only for TCP");
    String arp =
        new String(
            sensorSerde.serialize("t", Fixtures.arpAnsweredByBoth()), StandardCharsets.UTF_8);
    assertRefused(
        arp.replace("\"10.77.0.10\"", "\"fd00::10\""), "ARP needs an IPv4 address, got fd00::10");
    assertRefused(
        arp.replaceAll("\"answeredBy\":\\[[^]]*]", "\"answeredBy\":[]"),
        "an ARP probe is ok exactly when someone answered");
    assertRefused(
        arp.replace("\"kind\":\"ARP\"", "\"kind\":\"ICMP\""), "'answeredBy' is only for ARP");
  }

  private void assertRefused(String json, String reason) {
    assertThatThrownBy(() -> sensorSerde.deserialize("t", json.getBytes(StandardCharsets.UTF_8)))
        .as(json)
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining(reason);
  }

  @Test
  void hostMetricsRoundTripWithTheirTypeAndWithoutWhatWasNotRead() {
    HostMetrics m = Fixtures.yamatoMetrics();
    byte[] bytes = sensorSerde.serialize("labwatch.host", m);
    assertThat(sensorSerde.deserialize("labwatch.host", bytes)).isEqualTo(m);
    String json = new String(bytes, StandardCharsets.UTF_8);
    assertThat(json)
        .startsWith("{\"type\":\"host\",\"v\":1,\"eventTime\":\"2026-11-25T14:02:11.123456Z\"")
        .contains("\"sensorId\":\"yamato\"")
        .contains("\"cpu\":{\"windowMs\":10000,\"total\":{\"busy\":0.5,\"user\":0.375,")
        .contains("\"load\":{\"one\":2.5,\"five\":1.75,\"fifteen\":0.5}")
        .contains("\"availableBytes\":34359738368")
        .contains("\"busyMs\":469728")
        .contains("\"listenOverflows\":7")
        .contains("\"utilization\":0.97")
        .contains("\"temperatureC\":34.0}]")
        .contains("\"rxDrops\":3,\"addresses\":[\"10.77.0.10\"]}");
    // a sample from before interfaces carried their addresses: none known, not an error
    String older = json.replace(",\"addresses\":[\"10.77.0.10\"]", "");
    HostMetrics old =
        (HostMetrics)
            sensorSerde.deserialize("labwatch.host", older.getBytes(StandardCharsets.UTF_8));
    assertThat(old.interfaces().get(0).addresses()).isEmpty();
  }

  @Test
  void hostMetricsWithNothingReadButTheirHostAreStillAValue() {
    HostMetrics bare =
        new HostMetrics(T0, "yamato", null, null, null, null, null, null, null, null, null, null);
    byte[] bytes = sensorSerde.serialize("labwatch.host", bare);
    assertThat(sensorSerde.deserialize("labwatch.host", bytes)).isEqualTo(bare);
    assertThat(bare.disks()).isEmpty();
    assertThat(bare.gpus()).isEmpty();
  }

  @Test
  void hostMetricsOutOfTheirRangeAreRefusedNamingTheField() {
    String json =
        new String(sensorSerde.serialize("t", Fixtures.yamatoMetrics()), StandardCharsets.UTF_8);
    byte[] share = json.replace("\"busy\":0.5", "\"busy\":1.5").getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> sensorSerde.deserialize("t", share))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("HostMetrics: 'busy' must be a share of 0..1, got 1.5");
    byte[] negative =
        json.replace("\"busyMs\":469728", "\"busyMs\":-1").getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> sensorSerde.deserialize("t", negative))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("HostMetrics.disks: 'busyMs' must be >= 0, got -1");
    byte[] noHost = json.replace("\"sensorId\":\"yamato\",", "").getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> sensorSerde.deserialize("t", noHost))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("HostMetrics: 'sensorId' is required");
    byte[] noWindow =
        json.replace("\"windowMs\":10000", "\"windowMs\":0").getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> sensorSerde.deserialize("t", noWindow))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("HostMetrics.cpu: 'windowMs' must be > 0, got 0");
  }

  @Test
  void heartbeatRoundTrips() {
    Heartbeat hb = Fixtures.heartbeat();
    assertThat(sensorSerde.deserialize("t", sensorSerde.serialize("t", hb))).isEqualTo(hb);
  }

  @Test
  void alertRoundTripsFiringAndResolved() {
    Alert firing = Fixtures.ipConflict();
    assertThat(alertSerde.deserialize("t", alertSerde.serialize("t", firing))).isEqualTo(firing);
    Alert resolved = firing.resolved("resolved", T0.plusSeconds(900));
    assertThat(alertSerde.deserialize("t", alertSerde.serialize("t", resolved)))
        .isEqualTo(resolved);
    assertThat(resolved.incidentId()).isEqualTo(firing.incidentId());
    assertThat(resolved.duration().toMinutes()).isEqualTo(15);
  }

  @Test
  void nullPassesThroughBothWays() {
    assertThat(alertSerde.serialize("t", null)).isNull();
    assertThat(alertSerde.deserialize("t", null)).isNull();
  }

  @Test
  void garbageBytesBecomeASerializationExceptionWithLengthAndReason() {
    byte[] garbage = {(byte) 0xff, 0x00, 0x13, 0x37, 'x'};
    assertThatThrownBy(() -> sensorSerde.deserialize("labwatch.arp", garbage))
        .isInstanceOf(SerializationException.class)
        .hasMessageStartingWith("cannot decode SensorEvent on labwatch.arp from 5 bytes: ")
        .satisfies(e -> assertThat(((JsonSerde.Failure) e).length()).isEqualTo(5));
  }

  @Test
  void truncatedJsonIsRejectedWithTheLength() {
    byte[] whole = alertSerde.serialize("t", Fixtures.ipConflict());
    byte[] truncated = Arrays.copyOf(whole, whole.length / 2);
    assertThatThrownBy(() -> alertSerde.deserialize("t", truncated))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("from " + truncated.length + " bytes")
        .hasMessageContaining("end-of-input");
  }

  @Test
  void aNewerMajorVersionIsRejectedClearly() {
    String json =
        new String(alertSerde.serialize("t", Fixtures.ipConflict()), StandardCharsets.UTF_8)
            .replace("\"v\":1", "\"v\":2");
    assertThatThrownBy(() -> alertSerde.deserialize("t", json.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining(
            "Alert: schema version v=2 is not supported (this labwatch reads v=1");
  }

  @Test
  void aMissingVersionIsRejectedClearly() {
    String json =
        new String(sensorSerde.serialize("t", Fixtures.heartbeat()), StandardCharsets.UTF_8)
            .replace("\"v\":1,", "");
    assertThatThrownBy(() -> sensorSerde.deserialize("t", json.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("Heartbeat: schema version 'v' is missing");
  }

  @Test
  void unknownExtraFieldsAreTolerated() {
    String json =
        new String(sensorSerde.serialize("t", Fixtures.replyFromRouter()), StandardCharsets.UTF_8)
            .replace("{", "{\"addedInAFutureVersion\":{\"x\":[1,2]},\"note\":\"hi\",");
    assertThat(sensorSerde.deserialize("t", json.getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(Fixtures.replyFromRouter());
  }

  @Test
  void missingRequiredFieldsAreRejectedByName() {
    String json =
        new String(sensorSerde.serialize("t", Fixtures.replyFromRouter()), StandardCharsets.UTF_8)
            .replace("\"senderIp\":\"10.77.0.10\",", "");
    assertThatThrownBy(() -> sensorSerde.deserialize("t", json.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("ArpObservation: 'senderIp' is required");
  }

  @Test
  void badValuesInsideAreRejectedNamingTheValue() {
    String json =
        new String(sensorSerde.serialize("t", Fixtures.replyFromRouter()), StandardCharsets.UTF_8)
            .replace("00:a0:de:12:34:56", "00:a0:de:12:34");
    assertThatThrownBy(() -> sensorSerde.deserialize("t", json.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("not a MAC address: '00:a0:de:12:34'");
  }

  @Test
  void anUnknownRecordTypeIsRejectedNamingIt() {
    byte[] json = "{\"type\":\"snmp\",\"v\":1}".getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> sensorSerde.deserialize("t", json))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("'snmp'");
  }

  @Test
  void theJsonLiteralNullIsNotAValue() {
    byte[] json = "null".getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> alertSerde.deserialize("t", json))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("from 4 bytes");
  }

  @Test
  void observationsRefuseMixedAddressFamilies() {
    assertThatThrownBy(
            () ->
                new ArpObservation(
                    T0,
                    "s",
                    "eth0",
                    null,
                    PacketClass.REPLY,
                    IpAddress.of("fe80::1"),
                    Fixtures.SERVER_MAC,
                    Fixtures.GATEWAY_IP,
                    null,
                    Fixtures.SERVER_MAC))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("REPLY needs IPv4 addresses");
  }

  @Test
  void anAlertsFingerprintMustBeKindAndSubject() {
    Alert a = Fixtures.ipConflict();
    assertThat(a.fingerprint()).isEqualTo("IP_CONFLICT:10.77.0.10");
    assertThat(a.incidentId()).isEqualTo("IP_CONFLICT:10.77.0.10@2026-11-25T14:02:11.123456Z");
    assertThatThrownBy(
            () ->
                new Alert(
                    1,
                    "IP_CONFLICT:10.0.0.1",
                    a.incidentId(),
                    a.kind(),
                    a.subject(),
                    a.severity(),
                    a.state(),
                    a.summary(),
                    a.evidence(),
                    a.labels(),
                    a.startedAt(),
                    a.updatedAt(),
                    null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'fingerprint' must be kind:subject (IP_CONFLICT:10.77.0.10)");
  }

  @Test
  void observationsKnowTheirSubjectAndEtherMismatch() {
    ArpObservation reply = Fixtures.replyFromRouter();
    assertThat(reply.subjectIp()).isEqualTo(Fixtures.SERVER_IP);
    assertThat(reply.etherMismatch()).isFalse();
    ArpObservation probe =
        new ArpObservation(
            T0,
            "s",
            "eth0",
            null,
            PacketClass.PROBE,
            IpAddress.V4_UNSPECIFIED,
            Fixtures.YAMAHA_MAC,
            Fixtures.SERVER_IP,
            MacAddress.ZERO,
            Fixtures.SERVER_MAC);
    assertThat(probe.subjectIp()).isEqualTo(Fixtures.SERVER_IP);
    assertThat(probe.etherMismatch()).isTrue();
  }
}
