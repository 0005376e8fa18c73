package io.labwatch.producers.arp;

import static org.assertj.core.api.Assertions.assertThat;

import io.labwatch.events.IpAddress;
import io.labwatch.events.MacAddress;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ArpQueryTest {

  static final IpAddress SERVER_IP = IpAddress.of("10.77.0.10");
  static final MacAddress YAMAHA = MacAddress.of("00:a0:de:12:34:56");
  static final MacAddress ME = MacAddress.of("02:00:00:00:02:50");

  @Test
  void theFilterPassesRepliesFromTheTargetOnly() {
    assertThat(ArpQuery.filter(SERVER_IP))
        .isEqualTo("arp and arp[6:2] == 2 and arp[14:4] == 0x0a4d000a");
    assertThat(ArpQuery.filter(IpAddress.of("192.168.255.1"))).endsWith("== 0xc0a8ff01");
  }

  @Test
  void aReplyFromTheTargetNamesItsSender() {
    byte[] reply = reply(YAMAHA, SERVER_IP, ME, IpAddress.of("10.77.0.250"));

    assertThat(ArpQuery.replySender(reply, SERVER_IP)).isEqualTo(YAMAHA);
    assertThat(ArpQuery.replySender(reply, IpAddress.of("10.77.0.11"))).isNull();
  }

  @Test
  void aVlanTaggedReplyIsReadPastItsTag() {
    byte[] untagged = reply(YAMAHA, SERVER_IP, ME, IpAddress.of("10.77.0.250"));
    byte[] tagged = new byte[untagged.length + 4];
    System.arraycopy(untagged, 0, tagged, 0, 12);
    tagged[12] = (byte) 0x81;
    tagged[14] = 0x00;
    tagged[15] = 20;
    System.arraycopy(untagged, 12, tagged, 16, untagged.length - 12);

    assertThat(ArpQuery.replySender(tagged, SERVER_IP)).isEqualTo(YAMAHA);
  }

  @Test
  void requestsShortFramesAndOtherProtocolsAreNotReplies() {
    byte[] request = Prober.request(YAMAHA, SERVER_IP, IpAddress.of("10.77.0.1"));
    assertThat(ArpQuery.replySender(request, SERVER_IP)).isNull();
    byte[] reply = reply(YAMAHA, SERVER_IP, ME, IpAddress.of("10.77.0.250"));
    for (int len = 0; len < 42; len++) {
      assertThat(ArpQuery.replySender(Arrays.copyOf(reply, len), SERVER_IP)).isNull();
    }
    byte[] ipv4 = reply.clone();
    ipv4[13] = 0x00; // ethertype 0x0800
    assertThat(ArpQuery.replySender(ipv4, SERVER_IP)).isNull();
  }

  @Test
  void noInterfaceRoutesAnAddressThatIsNotIpv4OrIsNowhere() {
    assertThat(ArpQuery.route(IpAddress.of("fd00::10"))).isEmpty();
    assertThat(ArpQuery.route(IpAddress.V4_UNSPECIFIED)).isEmpty();
    // TEST-NET-2: on no interface of a test machine
    assertThat(ArpQuery.route(IpAddress.of("198.51.100.77"))).isEmpty();
  }

  private static byte[] reply(
      MacAddress sender, IpAddress senderIp, MacAddress target, IpAddress targetIp) {
    byte[] f = Prober.request(sender, senderIp, targetIp);
    System.arraycopy(target.toBytes(), 0, f, 0, 6);
    f[21] = 2;
    System.arraycopy(target.toBytes(), 0, f, 32, 6);
    return f;
  }
}
