package io.labwatch.producers.arp;

import static org.assertj.core.api.Assertions.assertThat;

import io.labwatch.events.ArpObservation;
import io.labwatch.events.IpAddress;
import io.labwatch.events.MacAddress;
import io.labwatch.events.PacketClass;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Uses this machine's loopback address as "an address of another interface" (lo's). */
class BoxFluxTest {

  static final MacAddress MIRROR_PORT = MacAddress.of("76:71:aa:bc:37:84");
  static final IpAddress LOOPBACK = IpAddress.of("127.0.0.1");

  private static ArpObservation reply(IpAddress sender, MacAddress ethSrc, PacketClass c) {
    return new ArpObservation(
        Instant.parse("2026-12-03T15:19:22Z"),
        "lab-mon",
        "mon0",
        null,
        c,
        sender,
        ethSrc,
        IpAddress.of("10.213.77.10"),
        MacAddress.of("3c:fd:fe:0a:00:10"),
        ethSrc);
  }

  @Test
  void aReplyThisBoxSendsOnAPortForAnotherPortsAddressIsFlux() {
    BoxFlux flux = new BoxFlux("mon0", MIRROR_PORT);
    assertThat(flux.isFlux(reply(LOOPBACK, MIRROR_PORT, PacketClass.REPLY))).isTrue();
  }

  @Test
  void everythingElseIsPublished() {
    BoxFlux flux = new BoxFlux("mon0", MIRROR_PORT);
    // another device's reply for the box's address: a real conflict, if there is one
    assertThat(flux.isFlux(reply(LOOPBACK, MacAddress.of("00:a0:de:0a:00:10"), PacketClass.REPLY)))
        .isFalse();
    // the box's reply for an address that is not its own: a lie worth seeing
    assertThat(flux.isFlux(reply(IpAddress.of("10.213.77.1"), MIRROR_PORT, PacketClass.REPLY)))
        .isFalse();
    // its requests and announcements
    assertThat(flux.isFlux(reply(LOOPBACK, MIRROR_PORT, PacketClass.REQUEST))).isFalse();
    // and an interface answering for its own address
    assertThat(
            new BoxFlux("lo", MIRROR_PORT).isFlux(reply(LOOPBACK, MIRROR_PORT, PacketClass.REPLY)))
        .isFalse();
    // an interface without a MAC skips nothing
    assertThat(new BoxFlux("mon0", null).isFlux(reply(LOOPBACK, MIRROR_PORT, PacketClass.REPLY)))
        .isFalse();
  }
}
