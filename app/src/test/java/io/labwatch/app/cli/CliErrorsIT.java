package io.labwatch.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.labwatch.app.testing.Cli;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a user sees when something is wrong: one line, and a non-zero exit code. */
class CliErrorsIT {

  @TempDir Path dir;

  @Test
  void aWrongConfigKeyIsOneLineNamingItWithASuggestion() throws IOException {
    Path config = Files.writeString(dir.resolve("labwatch.yml"), "broker:\n  prot: 9093\n");
    Cli.Result r = new Cli().run("topics", "--config", config.toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.errLines())
        .containsExactly(
            "labwatch: configuration error: broker.prot: unknown property (did you mean broker.port?) (in "
                + config
                + ":2)");
  }

  @Test
  void aConfigErrorIsOneLineEvenWithDebugOn() throws Exception {
    Path config = Files.writeString(dir.resolve("bad.yml"), "broker:\n  prot: 9093\n");
    Cli.Result r = new Cli().run("topics", "--debug", "--config", config.toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.errLines())
        .singleElement()
        .asString()
        .startsWith("labwatch: configuration error: broker.prot: unknown property");
    // (--debug turned debug logging on for this JVM: back to the tests' level)
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.labwatch"))
        .setLevel(ch.qos.logback.classic.Level.INFO);
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("org.apache.kafka"))
        .setLevel(ch.qos.logback.classic.Level.WARN);
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("kafka"))
        .setLevel(ch.qos.logback.classic.Level.WARN);
  }

  @Test
  void nothingListeningAtTheBootstrapAddressIsOneLine() throws IOException {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    Cli.Result r = new Cli().run("topics", "--bootstrap-servers", "127.0.0.1:" + closed);
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.errLines()).hasSize(1);
    assertThat(r.err())
        .startsWith("labwatch: error: cannot reach Kafka at 127.0.0.1:" + closed)
        .contains("connection refused");
  }

  @Test
  void anUnknownBootstrapHostIsOneLine() {
    Cli.Result r =
        new Cli().run("tail", "alerts", "-e", "--bootstrap-servers", "kafka.invalid:9092");
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.errLines())
        .containsExactly(
            "labwatch: error: cannot reach Kafka at kafka.invalid:9092 (kafka.invalid:9092: unknown host)"
                + " — is the broker running? (labwatch run / labwatch broker start one;"
                + " --bootstrap-servers points elsewhere)");
  }

  @Test
  void aBootstrapAddressWithoutPortIsOneLine() {
    Cli.Result r = new Cli().run("topics", "--bootstrap-servers", "kafka1");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.errLines())
        .containsExactly(
            "labwatch: configuration error: kafka.bootstrap.servers: 'kafka1' is not host:port (e.g. kafka1:9092)");
  }

  @Test
  void somethingThatIsNotKafkaAtTheAddressIsOneLine() throws IOException {
    try (ServerSocket silent = new ServerSocket()) {
      silent.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      String address = "127.0.0.1:" + silent.getLocalPort();
      Cli.Result r = new Cli().run("topics", "--bootstrap-servers", address);
      assertThat(r.exitCode()).isEqualTo(1);
      assertThat(r.errLines()).hasSize(1);
      assertThat(r.err())
          .startsWith("labwatch: error: Kafka at " + address + " did not answer within 15 s");
    }
  }

  @Test
  void anOccupiedBrokerPortIsOneLineNamingPortAndProcess() throws IOException {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      int port = taken.getLocalPort();
      Cli.Result r =
          new Cli().run("broker", "--data-dir", dir.toString(), "--port", Integer.toString(port));
      assertThat(r.exitCode()).isEqualTo(1);
      assertThat(r.errLines()).hasSize(1);
      assertThat(r.err())
          .startsWith(
              "labwatch: error: port "
                  + port
                  + " on 127.0.0.1 is already in use by pid "
                  + ProcessHandle.current().pid())
          .contains("choose another port (broker.port; 0 picks a free one)");
    }
  }

  @Test
  void anUnusableDataDirIsOneLineNamingIt() throws IOException {
    Path file = Files.writeString(dir.resolve("file"), "x");
    Cli.Result r =
        new Cli().run("run", "--data-dir", file.resolve("sub").toString(), "--broker-port", "0");
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.errLines()).hasSize(1);
    assertThat(r.err())
        .startsWith("labwatch: error: data dir " + file.resolve("sub") + " cannot be created");
  }

  @Test
  void aBadValueInTheEnvironmentIsOneLineNamingTheVariable() {
    Cli.Result r = new Cli().env("LABWATCH_BROKER_PORT", "ninety").run("run");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.errLines())
        .containsExactly(
            "labwatch: configuration error: broker.port: 'ninety' is not a whole number (from environment variable LABWATCH_BROKER_PORT)");
  }
}
