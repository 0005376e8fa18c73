package io.labwatch.producers.host.probe.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.labwatch.events.IpAddress;
import io.labwatch.events.ProbeResult.ErrorClass;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.NoRouteToHostException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Against listeners on loopback only. */
class TcpProberTest {

  static final IpAddress LOOPBACK = IpAddress.of("127.0.0.1");
  final TcpProber prober = new TcpProber();

  @Test
  void aListenerThatGreetsAndClosesLikeSshIsAnswered() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      Thread sshd =
          new Thread(
              () -> {
                try (Socket s = server.accept();
                    OutputStream out = s.getOutputStream()) {
                  out.write("SSH-2.0-OpenSSH_9.2\r\n".getBytes(StandardCharsets.US_ASCII));
                } catch (IOException e) {
                  // the probe closed first
                }
              });
      sshd.start();
      Outcome o = prober.probe(LOOPBACK, server.getLocalPort(), Duration.ofSeconds(2));
      sshd.join(5_000);

      assertThat(o.ok()).isTrue();
      assertThat(o.error()).isNull();
      assertThat(o.latencyUs()).isBetween(0L, 2_000_000L);
      assertThat(o.answeredBy()).isEmpty();
    }
  }

  @Test
  void aPortNobodyListensOnIsRefusedAtOnce() throws Exception {
    int port;
    try (ServerSocket gone = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      port = gone.getLocalPort();
    }
    Outcome o = prober.probe(LOOPBACK, port, Duration.ofSeconds(2));

    assertThat(o.ok()).isFalse();
    assertThat(o.error()).isEqualTo(ErrorClass.REFUSED);
    assertThat(o.text()).isEqualTo("Connection refused");
    assertThat(o.latencyUs()).isLessThan(1_000_000L);
  }

  @Test
  void aListenerWhoseBacklogIsFullLetsTheProbeTimeOut() throws Exception {
    // Linux drops a SYN when the accept queue is full: the connect waits like one to a dead host
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      List<Socket> queued = new ArrayList<>();
      try {
        Outcome o = null;
        for (int i = 0; i < 8; i++) {
          o = prober.probe(LOOPBACK, server.getLocalPort(), Duration.ofMillis(300));
          if (!o.ok()) {
            break;
          }
          // keep the queue full: an open connection the server never accepts
          Socket s = new Socket();
          s.connect(server.getLocalSocketAddress(), 300);
          queued.add(s);
        }
        assertThat(o.ok()).isFalse();
        assertThat(o.error()).isEqualTo(ErrorClass.TIMEOUT);
        assertThat(o.text()).isEqualTo("no answer within 300ms");
        assertThat(o.latencyUs()).isBetween(250_000L, 2_000_000L);
      } catch (SocketTimeoutException e) {
        // the filler itself timed out: the queue was full already, so probe once more
        Outcome o = prober.probe(LOOPBACK, server.getLocalPort(), Duration.ofMillis(300));
        assertThat(o.error()).isEqualTo(ErrorClass.TIMEOUT);
      } finally {
        for (Socket s : queued) {
          s.close();
        }
      }
    }
  }

  @Test
  void theKernelsAnswersAreClassifiedFromTheirExceptions() {
    assertThat(TcpProber.classify(new SocketTimeoutException("Connect timed out")))
        .isEqualTo(ErrorClass.TIMEOUT);
    assertThat(TcpProber.classify(new ConnectException("Connection refused")))
        .isEqualTo(ErrorClass.REFUSED);
    assertThat(TcpProber.classify(new NoRouteToHostException("No route to host")))
        .isEqualTo(ErrorClass.UNREACHABLE);
    assertThat(TcpProber.classify(new ConnectException("Network is unreachable")))
        .isEqualTo(ErrorClass.UNREACHABLE);
    assertThat(TcpProber.classify(new ConnectException("Connection timed out")))
        .isEqualTo(ErrorClass.TIMEOUT);
    assertThat(TcpProber.classify(new SocketException("Connection reset")))
        .isEqualTo(ErrorClass.RESET);
    assertThat(TcpProber.classify(new SocketException("Too many open files")))
        .isEqualTo(ErrorClass.ERROR);
    assertThat(TcpProber.classify(new SocketException())).isEqualTo(ErrorClass.ERROR);
  }
}
