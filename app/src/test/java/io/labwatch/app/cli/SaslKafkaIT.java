package io.labwatch.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.labwatch.app.testing.Cli;
import io.labwatch.app.testing.PrometheusServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20: labwatch against a Kafka it does not run — a managed or existing cluster that wants
 * SASL — through the {@code kafka.*} passthrough alone. The broker here is Kafka's own server with
 * a SASL/SCRAM-SHA-256 listener on loopback and one user (made at format time, as {@code
 * kafka-storage format --add-scram} does). labwatch's commands work with the credentials given as
 * {@code LABWATCH_KAFKA_*} variables; with a wrong password they fail in one line that says why and
 * never shows the password; without SASL settings they say what to check.
 */
class SaslKafkaIT {

  static final String USER = "labwatch";
  static final String PASSWORD = "pw-" + UUID.randomUUID();

  @TempDir static Path dir;
  static KafkaRaftServer broker;
  static int saslPort;

  @BeforeAll
  static void aBrokerWithScram() throws Exception {
    int plainPort = PrometheusServer.freePort();
    saslPort = PrometheusServer.freePort();
    int controllerPort = PrometheusServer.freePort();
    String logDir = dir.resolve("kafka").toString();
    ByteArrayOutputStream said = new ByteArrayOutputStream();
    new Formatter()
        .setPrintStream(new PrintStream(said, true, StandardCharsets.UTF_8))
        .setNodeId(1)
        .setClusterId(Uuid.randomUuid().toString())
        .setControllerListenerName("CONTROLLER")
        .setMetadataLogDirectory(logDir)
        .addDirectory(logDir)
        .setReleaseVersion(MetadataVersion.latestProduction())
        .setHasDynamicQuorum(false)
        .setScramArguments(List.of("SCRAM-SHA-256=[name=" + USER + ",password=" + PASSWORD + "]"))
        .run();
    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", "1");
    p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    p.put("controller.listener.names", "CONTROLLER");
    p.put(
        "listeners",
        "PLAINTEXT://127.0.0.1:"
            + plainPort
            + ",SASL_PLAINTEXT://127.0.0.1:"
            + saslPort
            + ",CONTROLLER://127.0.0.1:"
            + controllerPort);
    p.put(
        "advertised.listeners",
        "PLAINTEXT://127.0.0.1:" + plainPort + ",SASL_PLAINTEXT://127.0.0.1:" + saslPort);
    p.put(
        "listener.security.protocol.map",
        "PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("sasl.enabled.mechanisms", "SCRAM-SHA-256");
    p.put(
        "listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config",
        "org.apache.kafka.common.security.scram.ScramLoginModule required;");
    p.put("log.dirs", logDir);
    p.put("auto.create.topics.enable", "false");
    p.put("offsets.topic.replication.factor", "1");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    p.put("group.initial.rebalance.delay.ms", "0");
    broker = new KafkaRaftServer(KafkaConfig.fromProps(p, false), Time.SYSTEM);
    broker.startup();
  }

  @AfterAll
  static void stop() {
    if (broker != null) {
      broker.shutdown();
      broker.awaitShutdown();
    }
  }

  private static Cli sasl(String password) {
    return new Cli()
        .env("LABWATCH_KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT")
        .env("LABWATCH_KAFKA_SASL_MECHANISM", "SCRAM-SHA-256")
        .env(
            "LABWATCH_KAFKA_SASL_JAAS_CONFIG",
            "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                + USER
                + "\" password=\""
                + password
                + "\";");
  }

  @Test
  void withTheCredentialsInTheEnvironmentLabwatchUsesASaslClusterAndNeverShowsThePassword() {
    String b = "127.0.0.1:" + saslPort;

    Cli.Result topics = sasl(PASSWORD).run("topics", "-b", b);
    assertThat(topics.exitCode()).as(topics.err()).isZero();
    assertThat(topics.out()).contains("labwatch.arp", "labwatch.alerts", "(created now)");
    Cli.Result status = sasl(PASSWORD).run("status", "-b", b);
    assertThat(status.out()).as(status.err()).contains("labwatch at " + b, "incidents firing: 0");
    assertThat(status.exitCode()).as(status.err()).isIn(0, 3);

    String wrong = "wrong-" + UUID.randomUUID();
    Cli.Result refused = sasl(wrong).run("topics", "-b", b);
    assertThat(refused.exitCode()).isNotZero();
    assertThat(refused.errLines()).as(refused.err()).hasSize(1);
    assertThat(refused.err()).containsIgnoringCase("authentication");
    assertThat(refused.out() + refused.err())
        .doesNotContain(wrong)
        .doesNotContain(PASSWORD)
        .doesNotContain("password=");

    Cli.Result plain = new Cli().run("topics", "-b", b);
    assertThat(plain.exitCode()).isNotZero();
    assertThat(plain.err()).contains("TLS/SASL settings");
  }
}
