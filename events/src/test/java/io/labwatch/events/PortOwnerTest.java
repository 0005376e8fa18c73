package io.labwatch.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class PortOwnerTest {

  @Test
  void namesTheProcessListeningOnAPort() throws Exception {
    assumeTrue(Files.isReadable(Path.of("/proc/net/tcp")), "needs Linux /proc");
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      assertThat(PortOwner.describe(socket.getLocalPort()))
          .hasValueSatisfying(
              d -> assertThat(d).startsWith("pid " + ProcessHandle.current().pid() + " (java"));
    }
  }

  @Test
  void findsNothingOnAFreePort() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    assertThat(PortOwner.describe(port)).isEmpty();
  }
}
