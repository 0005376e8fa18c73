package io.labwatch.app.host;

import static org.assertj.core.api.Assertions.assertThat;

import io.labwatch.app.testing.NetnsLab;
import io.labwatch.app.testing.ProbeAgent;
import io.labwatch.events.IpAddress;
import io.labwatch.events.MacAddress;
import io.labwatch.events.ProbeResult;
import io.labwatch.events.ProbeResult.ErrorClass;
import io.labwatch.events.Vendors;
import io.labwatch.producers.testing.Requirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host sensor's reachability probes on a real wire, the seed incident's way: a workstation, a
 * GPU server with an ssh-like listener, and a router in AP mode that took the server's address —
 * three network namespaces on a bridge in a fourth, nothing in this one. The probes run in the
 * workstation's namespace ({@link ProbeAgent}, a JVM started there); the test decides which device
 * the workstation's ARP entry for the server's address points at, the way the real one
 * flip-flopped: the device that talks to the workstation last (an ARP request from it, for the
 * workstation) overwrites the entry. Every TCP probe that went to the router is refused, every one
 * that went to the server answers — and each result names the MAC it went to. Nothing is sent
 * outside the lab's namespaces, which the test removes.
 */
class ReachabilityProbeNetnsIT {

  static final MacAddress WORKSTATION = MacAddress.of("02:77:00:00:00:20");
  static final MacAddress SERVER = MacAddress.of("3c:fd:fe:0a:00:10");
  static final MacAddress ROUTER = MacAddress.of("00:a0:de:0a:00:10");

  @TempDir Path dir;
  private NetnsLab lab;
  private final List<ProbeAgent> agents = new ArrayList<>();

  @BeforeEach
  void needsRootAndTools() {
    Requirements.root("the network-namespace lab");
    Requirements.command("ip", "iproute2");
    Requirements.command("ping", "iputils-ping");
    Requirements.libpcap();
  }

  @AfterEach
  void tearDown() throws Exception {
    for (ProbeAgent agent : agents) {
      agent.close();
    }
    if (lab != null) {
      lab.close();
    }
  }

  @Test
  void sshToAServerWhoseIpARouterAlsoClaimsFailsExactlyWhenItGoesToTheRoutersMac()
      throws Exception {
    lab = NetnsLab.isolated();
    IpAddress serverIp = lab.ip(10);
    IpAddress workstationIp = lab.ip(20);
    lab.host("ws", WORKSTATION, workstationIp);
    lab.host("srv", SERVER, serverIp);
    lab.host("rtr", ROUTER, serverIp);
    assertThat(lab.exec("rtr", "ip", "link", "set", "eth0", "down")).isZero(); // not yet in AP mode
    ProbeAgent sshd = listen(serverIp);
    // the workstation lets every group open an ICMP datagram socket (as Ubuntu does): its echoes
    // go out through one; this host's own (net.ipv4.ping_group_range "1 0", Debian's default)
    // makes root's go out through a raw socket, which IcmpEchoTest covers
    assertThat(lab.exec("ws", "sysctl", "-qw", "net.ipv4.ping_group_range=0 2147483647")).isZero();
    ProbeAgent ws = agent("ws", "probe", "lab-ws1");
    assertThat(ws.await("ICMP ", 30)).isEqualTo("an ICMP datagram socket");
    String ssh = "tcp://" + serverIp + ":22?timeout=1s";
    String icmp = "icmp://" + serverIp + "?timeout=1s";
    String arp = "arp://" + serverIp + "?timeout=1s";

    // a healthy lab: ssh, ping and ARP all answered by the server
    ProbeResult first = ws.probe(ssh);
    assertThat(first.ok()).as(String.valueOf(first)).isTrue();
    assertThat(first.sensorId()).isEqualTo("lab-ws1");
    assertThat(first.target()).isEqualTo(ssh);
    assertThat(first.ip()).isEqualTo(serverIp);
    assertThat(first.port()).isEqualTo(22);
    assertThat(first.mac()).isEqualTo(SERVER);
    assertThat(first.latencyUs()).isBetween(1L, 1_000_000L);
    ProbeResult ping = ws.probe(icmp);
    assertThat(ping.ok()).as(String.valueOf(ping)).isTrue();
    assertThat(ping.mac()).isEqualTo(SERVER);
    ProbeResult who = ws.probe(arp);
    assertThat(who.ok()).as(String.valueOf(who)).isTrue();
    assertThat(who.answeredBy()).containsExactly(SERVER);
    assertThat(who.mac()).isEqualTo(SERVER);

    // sshd stops: the server's kernel refuses the connection
    sshd.close();
    agents.remove(sshd);
    ProbeResult refused = ws.probe(ssh);
    assertThat(refused.ok()).isFalse();
    assertThat(refused.error()).isEqualTo(ErrorClass.REFUSED);
    assertThat(refused.errorText()).isEqualTo("Connection refused");
    assertThat(refused.mac()).isEqualTo(SERVER);
    listen(serverIp);

    // the router goes to AP mode with the server's address: ARP draws two answers
    assertThat(lab.exec("rtr", "ip", "link", "set", "eth0", "up")).isZero();
    ProbeResult both = ws.probe(arp);
    assertThat(both.ok()).isTrue();
    assertThat(both.answeredBy()).containsExactlyInAnyOrder(SERVER, ROUTER);

    // the workstation's entry flips between them; ssh goes where it points
    List<String> turns =
        List.of("rtr", "srv", "srv", "rtr", "srv", "rtr", "rtr", "srv", "srv", "srv", "rtr", "srv");
    Map<String, MacAddress> macOf = Map.of("srv", SERVER, "rtr", ROUTER);
    List<ProbeResult> sshResults = new ArrayList<>();
    for (String device : turns) {
      speakTo(device, workstationIp);
      ProbeResult r = ws.probe(ssh);
      sshResults.add(r);
      assertThat(r.mac()).as("turn of %s: %s", device, r).isEqualTo(macOf.get(device));
      ProbeResult p = ws.probe(icmp);
      // ping is answered by both devices: it cannot tell, only the MAC does
      assertThat(p.ok()).as(String.valueOf(p)).isTrue();
      assertThat(p.mac()).isEqualTo(macOf.get(device));
    }
    long routerTurns = turns.stream().filter("rtr"::equals).count();
    List<ProbeResult> failures = sshResults.stream().filter(r -> !r.ok()).toList();
    assertThat(failures).hasSize((int) routerTurns);
    assertThat(failures)
        .allSatisfy(
            r -> {
              assertThat(r.error()).isEqualTo(ErrorClass.REFUSED);
              assertThat(r.mac()).isEqualTo(ROUTER);
            });
    assertThat(sshResults.stream().filter(ProbeResult::ok))
        .hasSize(turns.size() - (int) routerTurns)
        .allSatisfy(r -> assertThat(r.mac()).isEqualTo(SERVER));
    assertThat(Vendors.describe(ROUTER)).containsIgnoringCase("yamaha");

    // an address nobody holds: ARP goes unanswered, so there is no MAC to name
    IpAddress nobody = lab.ip(99);
    ProbeResult unreachable = ws.probe("tcp://" + nobody + ":22?timeout=5s");
    assertThat(unreachable.error())
        .as(String.valueOf(unreachable))
        .isEqualTo(ErrorClass.UNREACHABLE);
    assertThat(unreachable.mac()).isNull();
    ProbeResult noEcho = ws.probe("icmp://" + nobody + "?timeout=5s");
    assertThat(noEcho.error()).as(String.valueOf(noEcho)).isEqualTo(ErrorClass.UNREACHABLE);
    assertThat(noEcho.errorText()).isEqualTo("Destination Host Unreachable");
    assertThat(noEcho.mac()).isNull();
    ProbeResult silent = ws.probe("arp://" + nobody + "?timeout=500ms");
    assertThat(silent.error()).isEqualTo(ErrorClass.TIMEOUT);
    assertThat(silent.mac()).isNull();
    assertThat(silent.answeredBy()).isEmpty();
  }

  /**
   * IPv6: the MAC a probe went to comes from the kernel's NDP cache (rtnetlink), as IPv4's from
   * {@code /proc/net/arp}. The server answers ssh at its address; the router holds another one and
   * refuses; an address nobody holds has no MAC. Addresses without duplicate address detection, so
   * they are usable at once.
   */
  @Test
  void anIpv6ProbeNamesTheMacItWentTo() throws Exception {
    lab = NetnsLab.isolated();
    lab.host("ws", WORKSTATION, lab.ip(20));
    lab.host("srv", SERVER, lab.ip(10));
    lab.host("rtr", ROUTER, lab.ip(1));
    IpAddress serverIp = IpAddress.of("fd77::10");
    IpAddress routerIp = IpAddress.of("fd77::1");
    for (String[] h :
        new String[][] {{"ws", "fd77::20"}, {"srv", "fd77::10"}, {"rtr", "fd77::1"}}) {
      assertThat(lab.exec(h[0], "ip", "-6", "addr", "add", h[1] + "/64", "dev", "eth0", "nodad"))
          .isZero();
    }
    listen(serverIp);
    ProbeAgent ws = agent("ws", "probe", "lab-ws1");
    ws.await("ICMP ", 30);

    ProbeResult ssh = ws.probe("tcp://[" + serverIp + "]:22?timeout=2s");
    assertThat(ssh.ok()).as(String.valueOf(ssh)).isTrue();
    assertThat(ssh.ip()).isEqualTo(serverIp);
    assertThat(ssh.mac()).isEqualTo(SERVER);
    ProbeResult ping = ws.probe("icmp://[" + serverIp + "]?timeout=2s");
    assertThat(ping.ok()).as(String.valueOf(ping)).isTrue();
    assertThat(ping.mac()).isEqualTo(SERVER);
    ProbeResult refused = ws.probe("tcp://[" + routerIp + "]:22?timeout=2s");
    assertThat(refused.error()).as(String.valueOf(refused)).isEqualTo(ErrorClass.REFUSED);
    assertThat(refused.mac()).isEqualTo(ROUTER);
    ProbeResult nobody = ws.probe("tcp://[fd77::99]:22?timeout=5s");
    assertThat(nobody.ok()).as(String.valueOf(nobody)).isFalse();
    assertThat(nobody.mac()).isNull();
  }

  /**
   * The device talks to the workstation first thing: it forgets the workstation, so its ping starts
   * with an ARP request from it for the workstation — and a request to the workstation's own
   * address overwrites the workstation's entry for the sender's address (the device's MAC now).
   */
  private void speakTo(String device, IpAddress workstationIp) throws Exception {
    lab.forgetNeighbours(device);
    assertThat(lab.exec(device, "ping", "-c", "1", "-W", "1", "-n", workstationIp.toString()))
        .as("%s pings the workstation", device)
        .isZero();
  }

  private ProbeAgent listen(IpAddress ip) throws Exception {
    ProbeAgent sshd = agent("srv", "listen", ip.toString(), "22");
    sshd.await("LISTENING ", 30);
    return sshd;
  }

  private ProbeAgent agent(String host, String... args) throws Exception {
    Path err = Files.createTempFile(dir, host, ".err");
    ProbeAgent agent = ProbeAgent.start(lab, host, err, args);
    agents.add(agent);
    return agent;
  }
}
