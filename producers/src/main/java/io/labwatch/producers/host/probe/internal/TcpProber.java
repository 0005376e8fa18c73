package io.labwatch.producers.host.probe.internal;

import io.labwatch.events.IpAddress;
import io.labwatch.events.ProbeResult.ErrorClass;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Locale;

/**
 * A TCP connect probe: opens a connection with the probe's timeout and closes it at once (a FIN,
 * nothing sent). It is ok when the three-way handshake completes; what the server does next is not
 * looked at, so an ssh server that accepts and then closes — or drops a client over its MaxStartups
 * — is ok (sshd logs such a probe as a connection closed before authentication). A failure is
 * classified from the exception the kernel's answer became: a reset to the SYN is REFUSED, no
 * answer within the timeout is TIMEOUT, "No route to host" (nobody answered ARP, or an ICMP host
 * unreachable) and "Network is unreachable" are UNREACHABLE.
 */
public final class TcpProber implements Prober {

  @Override
  public Outcome probe(IpAddress ip, Integer port, Duration timeout) {
    long start = System.nanoTime();
    Socket socket = new Socket();
    try {
      socket.connect(
          new InetSocketAddress(InetAddress.getByAddress(ip.toBytes()), port),
          (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis())));
      return Outcome.answered(Outcome.microsSince(start));
    } catch (UnknownHostException e) {
      return Outcome.failed(Outcome.microsSince(start), ErrorClass.ERROR, e.getMessage());
    } catch (IOException e) {
      long us = Outcome.microsSince(start);
      return Outcome.failed(us, classify(e), text(e, timeout));
    } finally {
      try {
        socket.close();
      } catch (IOException e) {
        // nothing was sent on it; the answer is already known
      }
    }
  }

  /** How a failed connect failed, from the exception Java made of the kernel's errno. */
  static ErrorClass classify(IOException e) {
    if (e instanceof SocketTimeoutException) {
      return ErrorClass.TIMEOUT;
    }
    if (e instanceof NoRouteToHostException) {
      return ErrorClass.UNREACHABLE;
    }
    String m = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
    if (m.contains("refused")) {
      return ErrorClass.REFUSED;
    }
    if (m.contains("unreachable") || m.contains("no route")) {
      return ErrorClass.UNREACHABLE;
    }
    if (m.contains("timed out")) {
      return ErrorClass.TIMEOUT;
    }
    if (m.contains("reset")) {
      return ErrorClass.RESET;
    }
    return ErrorClass.ERROR;
  }

  private static String text(IOException e, Duration timeout) {
    if (e instanceof SocketTimeoutException) {
      return "no answer within " + timeout.toMillis() + "ms";
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
