package io.labwatch.app.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.labwatch.app.testing.Cli;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `labwatch analyze` of a trunk port's capture (issue 20): 802.1Q-tagged ARP frames, written here
 * byte by byte as a mirror of a trunk port records them. The same address answered for by two MACs
 * on two VLANs is two devices; on one VLAN it is an IP conflict that says the VLAN.
 */
class AnalyzeVlansTest {

  static final byte[] SERVER = mac("3c:fd:fe:0a:00:10");
  static final byte[] ROUTER = mac("00:a0:de:0a:00:10");
  static final byte[] CLIENT = mac("52:54:00:0a:00:21");
  static final byte[] SERVER_IP = {10, 77, 0, 10};
  static final byte[] CLIENT_IP = {10, 77, 0, 21};
  static final Instant T0 = Instant.parse("2026-11-26T01:45:18Z");

  @TempDir Path dir;

  @Test
  void theSameAddressAnsweredForOnTwoVlansIsNoConflict() throws IOException {
    Path file = capture("two-vlans.pcap", 10, 20);
    Cli.Result r = new Cli().run("analyze", file.toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).isEmpty();
    assertThat(r.errLines())
        .containsExactly(
            "read 16 packets from " + file + ": analysed 16 observations, skipped 0; 0 alerts");
  }

  @Test
  void twoMacsAnsweringForTheAddressOnOneVlanAreAConflictThatSaysTheVlan() throws IOException {
    Path file = capture("one-vlan.pcap", 20, 20);
    Cli.Result r = new Cli().run("analyze", file.toString(), "--sensor-id", "trunk-sw1");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.outLines())
        .containsExactly(
            "2026-11-26 01:45:18Z CRITICAL IP_CONFLICT firing: IP conflict on 10.77.0.10 in VLAN 20:"
                + " two devices answer for it, 00:a0:de:0a:00:10 (YAMAHA CORPORATION) and"
                + " 3c:fd:fe:0a:00:10 (Intel Corporate); first double answer at 01:45:18 UTC");
    assertThat(r.errLines())
        .containsExactly(
            "read 16 packets from " + file + ": analysed 16 observations, skipped 0; 1 alert",
            "still firing when the capture ends (2026-11-26 01:45:19Z):"
                + " IP_CONFLICT:10.77.0.10%vlan20 — for 1 s since 2026-11-26 01:45:18Z, 7 flips;"
                + " 00:a0:de:0a:00:10 (YAMAHA CORPORATION) 4 packets, 3c:fd:fe:0a:00:10 (Intel"
                + " Corporate) 4 packets");

    Cli.Result json = new Cli().run("analyze", file.toString(), "--json");
    assertThat(json.out())
        .contains(
            "\"fingerprint\":\"IP_CONFLICT:10.77.0.10%vlan20\"",
            "\"subject\":\"10.77.0.10%vlan20\"");
  }

  /**
   * The client asks for 10.77.0.10 on both VLANs every 400 ms; the server answers on {@code
   * serverVlan}, the router 40 ms later on {@code routerVlan}: 4 rounds of 4 frames.
   */
  private Path capture(String name, int serverVlan, int routerVlan) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(
        ByteBuffer.allocate(24)
            .order(ByteOrder.LITTLE_ENDIAN)
            .putInt(0xa1b2c3d4)
            .putShort((short) 2)
            .putShort((short) 4)
            .putInt(0)
            .putInt(0)
            .putInt(65535)
            .putInt(1) // Ethernet
            .array());
    byte[] broadcast = mac("ff:ff:ff:ff:ff:ff");
    byte[] zero = new byte[6];
    for (int round = 0; round < 4; round++) {
      long at = round * 400_000L; // µs
      record(out, at, tagged(serverVlan, broadcast, CLIENT, 1, CLIENT, CLIENT_IP, zero, SERVER_IP));
      record(
          out,
          at + 10,
          tagged(routerVlan, broadcast, CLIENT, 1, CLIENT, CLIENT_IP, zero, SERVER_IP));
      record(
          out,
          at + 1_000,
          tagged(serverVlan, CLIENT, SERVER, 2, SERVER, SERVER_IP, CLIENT, CLIENT_IP));
      record(
          out,
          at + 41_000,
          tagged(routerVlan, CLIENT, ROUTER, 2, ROUTER, SERVER_IP, CLIENT, CLIENT_IP));
    }
    return Files.write(dir.resolve(name), out.toByteArray());
  }

  private static void record(ByteArrayOutputStream out, long micros, byte[] frame) {
    long t = T0.getEpochSecond() * 1_000_000L + micros;
    out.writeBytes(
        ByteBuffer.allocate(16)
            .order(ByteOrder.LITTLE_ENDIAN)
            .putInt((int) (t / 1_000_000L))
            .putInt((int) (t % 1_000_000L))
            .putInt(frame.length)
            .putInt(frame.length)
            .array());
    out.writeBytes(frame);
  }

  /** An Ethernet frame with an 802.1Q tag of {@code vlan} around an ARP packet. */
  private static byte[] tagged(
      int vlan,
      byte[] dst,
      byte[] src,
      int op,
      byte[] senderMac,
      byte[] senderIp,
      byte[] targetMac,
      byte[] targetIp) {
    return ByteBuffer.allocate(14 + 4 + 28)
        .put(dst)
        .put(src)
        .putShort((short) 0x8100)
        .putShort((short) vlan)
        .putShort((short) 0x0806)
        .putShort((short) 1) // Ethernet
        .putShort((short) 0x0800) // IPv4
        .put((byte) 6)
        .put((byte) 4)
        .putShort((short) op)
        .put(senderMac)
        .put(senderIp)
        .put(targetMac)
        .put(targetIp)
        .array();
  }

  private static byte[] mac(String text) {
    String[] parts = text.split(":");
    byte[] b = new byte[6];
    for (int i = 0; i < 6; i++) {
      b[i] = (byte) Integer.parseInt(parts[i], 16);
    }
    return b;
  }
}
