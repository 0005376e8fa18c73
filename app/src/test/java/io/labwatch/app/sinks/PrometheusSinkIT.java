package io.labwatch.app.sinks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.labwatch.app.kafka.TopicManager;
import io.labwatch.app.testing.Cli;
import io.labwatch.app.testing.KafkaBrokerExtension;
import io.labwatch.app.testing.PrometheusServer;
import io.labwatch.app.testing.TestKafka;
import io.labwatch.events.Alert;
import io.labwatch.events.ArpObservation;
import io.labwatch.events.DeadLetters;
import io.labwatch.events.Evidence;
import io.labwatch.events.Heartbeat;
import io.labwatch.events.IpAddress;
import io.labwatch.events.MacAddress;
import io.labwatch.events.PacketClass;
import io.labwatch.events.SensorEvent;
import io.labwatch.events.Severity;
import io.labwatch.events.Topics;
import io.labwatch.producers.testing.Requirements;
import io.labwatch.sinks.Health;
import io.labwatch.sinks.prometheus.LabwatchMetrics;
import io.labwatch.sinks.prometheus.MetricsConfig;
import io.labwatch.sinks.prometheus.PrometheusSink;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The Prometheus sink on a real broker, scraped by a real Prometheus server. */
@ExtendWith(KafkaBrokerExtension.class)
class PrometheusSinkIT {

  static final Path DEPLOY = Path.of("..", "deploy");

  @TempDir Path dir;

  private final HttpClient http = HttpClient.newHttpClient();

  static Alert conflict(String ip, Instant at) {
    return Alert.firing(
        "IP_CONFLICT", ip, Severity.CRITICAL, "IP conflict on " + ip, Evidence.NONE, Map.of(), at);
  }

  private static Topics topics(TestKafka kafka) {
    Topics topics = TestKafka.uniqueTopics();
    try (var admin = kafka.admin()) {
      new TopicManager(admin).ensure(topics.all(), -1);
    }
    return topics;
  }

  private static void alerts(TestKafka kafka, Topics topics, Alert... alerts) throws Exception {
    try (KafkaProducer<String, Alert> p = kafka.producer(topics.alerts())) {
      for (Alert a : alerts) {
        p.send(new ProducerRecord<>(topics.alerts().name(), a.fingerprint(), a)).get();
      }
    }
  }

  private static PrometheusSink sink(TestKafka kafka, Topics topics, int port) {
    Health health = new Health();
    return PrometheusSink.start(
        new MetricsConfig("127.0.0.1", port, Duration.ofSeconds(1)),
        topics,
        Map.of("bootstrap.servers", kafka.bootstrapServers()),
        new LabwatchMetrics(health),
        health,
        Map.of("detect", topics.prefix() + "detect"));
  }

  private HttpResponse<String> get(int port, String path, String accept) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
    if (accept != null) {
      b.header("Accept", accept);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The value of a one-sample vector, "" for none. */
  private static String value(JsonNode vector) {
    return vector.isEmpty() ? "" : vector.get(0).path("value").get(1).asText();
  }

  private static Set<String> subjects(JsonNode vector) {
    Set<String> out = new HashSet<>();
    vector.forEach(s -> out.add(s.path("metric").path("subject").asText()));
    return out;
  }

  @Test
  void prometheusSeesWhatFiresAcrossARestartOfTheSinkAndTheRulesAlert(TestKafka kafka)
      throws Exception {
    Requirements.command("prometheus", "prometheus");
    Topics topics = topics(kafka);
    Instant t0 = Instant.now().minusSeconds(60);
    alerts(kafka, topics, conflict("10.77.0.10", t0), conflict("10.77.0.11", t0));
    int port = PrometheusServer.freePort();
    PrometheusSink first = sink(kafka, topics, port);
    try (PrometheusServer prometheus =
        PrometheusServer.start(
            dir,
            "127.0.0.1:" + port,
            List.of(DEPLOY.resolve("prometheus").resolve("labwatch-rules.yml")))) {
      String query = "labwatch_alert_firing{kind=\"IP_CONFLICT\"}";
      await()
          .atMost(PrometheusServer.SETTLE)
          .until(() -> subjects(prometheus.vector(query)).size() == 2);
      assertThat(subjects(prometheus.vector(query))).containsOnly("10.77.0.10", "10.77.0.11");
      // the deployed rule turns it into an alert for Alertmanager
      await()
          .atMost(PrometheusServer.SETTLE)
          .until(
              () ->
                  subjects(
                              prometheus.vector(
                                  "ALERTS{alertname=\"LabwatchIpConflict\",alertstate=\"firing\"}"))
                          .size()
                      == 2);

      // down for a while; one incident resolves meanwhile; a new sink rebuilds what fires
      first.close();
      String up = "up{job=\"labwatch\"}";
      await().atMost(PrometheusServer.SETTLE).until(() -> value(prometheus.vector(up)).equals("0"));
      assertThat(prometheus.vector(query)).isEmpty(); // a failed scrape makes its series stale
      alerts(kafka, topics, conflict("10.77.0.11", t0).resolved("resolved", t0.plusSeconds(30)));
      try (PrometheusSink second = sink(kafka, topics, port)) {
        await()
            .atMost(PrometheusServer.SETTLE)
            .until(() -> value(prometheus.vector(up)).equals("1"));
        // the first scrape after the restart already shows exactly what fires: not nothing, and
        // not the incident that resolved while the sink was down
        assertThat(subjects(prometheus.vector(query))).containsOnly("10.77.0.10");
        assertThat(second.port()).isEqualTo(port);
        assertThat(subjects(prometheus.vector("labwatch_alert_firing[1m]")))
            .containsOnly("10.77.0.10", "10.77.0.11"); // (the old series, before the restart)

        alerts(kafka, topics, conflict("10.77.0.10", t0).resolved("resolved", t0.plusSeconds(40)));
        await().atMost(PrometheusServer.SETTLE).until(() -> prometheus.vector(query).isEmpty());
        assertThat(prometheus.vector("labwatch_part_up").get(0).path("value").get(1).asText())
            .isEqualTo("1");
        assertThat(prometheus.vector("up{job=\"labwatch\"}").get(0).path("value").get(1).asText())
            .isEqualTo("1");

        // every query of the Grafana dashboard is valid PromQL
        List<String> failed = new ArrayList<>();
        for (String expr : dashboardQueries()) {
          JsonNode answer = prometheus.query(expr.replace("$job", ".*").replace("$instance", ".*"));
          if (!"success".equals(answer.path("status").asText())) {
            failed.add(expr + " -> " + answer);
          }
        }
        assertThat(failed).isEmpty();
        // (every kind's series is there, at 0 unless it happened)
        assertThat(value(prometheus.vector("sum(labwatch_alerts_total{state=\"resolved\"})")))
            .isEqualTo("1"); // counted by the second sink: what happened after it started
      }
    } finally {
      first.close();
    }
  }

  @Test
  void theExpositionPassesPromtoolInEveryFormatAndHealthAnswers(TestKafka kafka) throws Exception {
    Requirements.command("promtool", "prometheus");
    Topics topics = topics(kafka);
    Instant now = Instant.now();
    try (PrometheusSink sink = sink(kafka, topics, 0)) {
      // before anything happened, the counters a rule's increase() needs are there, at 0
      assertThat(get(sink.port(), "/metrics", null).body())
          .contains(
              "labwatch_dead_letters_total{component=\"detect\",reason=\"undecodable\"} 0.0",
              "labwatch_alerts_total{kind=\"IP_CONFLICT\",severity=\"critical\",state=\"firing\"} 0.0",
              "labwatch_metrics_undecodable_records_total{topic=\""
                  + topics.arp().name()
                  + "\"} 0.0");
      alerts(
          kafka,
          topics,
          conflict("10.77.0.10", now),
          Alert.event(
              "MAC_CHANGED",
              "10.77.0.12",
              Severity.WARNING,
              "moved",
              Evidence.NONE,
              Map.of(),
              now));
      try (KafkaProducer<String, SensorEvent> p = kafka.producer(topics.arp())) {
        p.send(
                new ProducerRecord<>(
                    topics.arp().name(),
                    "lab-sw1",
                    new Heartbeat(now, "lab-sw1", 10_000, new Heartbeat.Capture(1000, 2, 1))))
            .get();
        p.send(
                new ProducerRecord<>(
                    topics.arp().name(),
                    "10.77.0.10",
                    new ArpObservation(
                        now,
                        "lab-sw1",
                        "eth0",
                        null,
                        PacketClass.REPLY,
                        IpAddress.of("10.77.0.10"),
                        MacAddress.of("00:a0:de:0a:00:10"),
                        IpAddress.of("10.77.0.1"),
                        MacAddress.of("00:11:22:33:44:55"),
                        MacAddress.of("00:a0:de:0a:00:10"))))
            .get();
      }
      try (KafkaProducer<byte[], byte[]> p =
          new KafkaProducer<>(
              Map.of("bootstrap.servers", kafka.bootstrapServers()),
              new ByteArraySerializer(),
              new ByteArraySerializer())) {
        ProducerRecord<byte[], byte[]> dead =
            new ProducerRecord<>(
                topics.dlq().name(), null, "garbage".getBytes(StandardCharsets.UTF_8));
        dead.headers().add(DeadLetters.COMPONENT, "detect".getBytes(StandardCharsets.UTF_8));
        dead.headers().add(DeadLetters.CODE, "undecodable".getBytes(StandardCharsets.UTF_8));
        p.send(dead).get();
        // a record the exporter cannot decode is counted and left out, never fatal
        p.send(
                new ProducerRecord<>(
                    topics.arp().name(), null, "{not json".getBytes(StandardCharsets.UTF_8)))
            .get();
      }
      // the detection's group has read nothing of the three ARP records yet
      try (var admin = kafka.admin()) {
        Map<TopicPartition, OffsetAndMetadata> start = new HashMap<>();
        for (int i = 0; i < topics.arp().partitions(); i++) {
          start.put(new TopicPartition(topics.arp().name(), i), new OffsetAndMetadata(0));
        }
        admin.alterConsumerGroupOffsets(topics.prefix() + "detect", start).all().get();
      }
      int port = sink.port();
      String lag =
          "labwatch_consumer_lag_records{consumer=\"detect\",topic=\""
              + topics.arp().name()
              + "\"} 3.0";
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> get(port, "/metrics", null).body().contains(lag));
      // (the series are there from the start: what is awaited is their counts)
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                String body = get(port, "/metrics", null).body();
                return body.contains(
                        "labwatch_dead_letters_total{component=\"detect\",reason=\"undecodable\"} 1.0")
                    && body.contains(
                        "labwatch_metrics_undecodable_records_total{topic=\""
                            + topics.arp().name()
                            + "\"} 1.0")
                    && body.contains(
                        "labwatch_arp_observations_total{class=\"reply\",sensor=\"lab-sw1\"} 1.0")
                    && body.contains(
                        "labwatch_alerts_total{kind=\"MAC_CHANGED\",severity=\"warning\",state=\"resolved\"} 1.0");
              });
      String text = get(port, "/metrics", null).body();
      assertThat(text)
          .contains(
              "labwatch_alert_firing{kind=\"IP_CONFLICT\",severity=\"critical\",subject=\"10.77.0.10\"} 1.0",
              "labwatch_alerts_total{kind=\"MAC_CHANGED\",severity=\"warning\",state=\"resolved\"} 1.0",
              "labwatch_arp_observations_total{class=\"reply\",sensor=\"lab-sw1\"} 1.0",
              "labwatch_sensor_packets_dropped_total{sensor=\"lab-sw1\"} 3.0",
              "labwatch_dead_letters_total{component=\"detect\",reason=\"undecodable\"} 1.0",
              "labwatch_metrics_undecodable_records_total{topic=\""
                  + topics.arp().name()
                  + "\"} 1.0",
              "jvm_memory_used_bytes");
      assertThat(promtool(text)).isEmpty();

      HttpResponse<String> open =
          get(port, "/metrics", "application/openmetrics-text; version=1.0.0");
      assertThat(open.headers().firstValue("Content-Type").orElse(""))
          .startsWith("application/openmetrics-text");
      assertThat(open.body()).contains("labwatch_alert_firing").endsWith("# EOF\n");
      HttpResponse<String> proto =
          get(
              port,
              "/metrics",
              "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited");
      assertThat(proto.headers().firstValue("Content-Type").orElse(""))
          .startsWith("application/vnd.google.protobuf");

      HttpResponse<String> healthy = get(port, "/-/healthy", null);
      assertThat(healthy.statusCode()).isEqualTo(200);
      assertThat(healthy.body()).startsWith("OK\n").contains("prometheus sink: ok");
    }
  }

  /** promtool's complaints about an exposition; empty when it passes. */
  private static String promtool(String exposition) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
    try (var in = p.getOutputStream()) {
      in.write(exposition.getBytes(StandardCharsets.UTF_8));
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return p.exitValue() == 0 ? out.strip() : "exit " + p.exitValue() + ": " + out;
  }

  private static List<String> dashboardQueries() throws IOException {
    JsonNode dashboard =
        new ObjectMapper()
            .readTree(DEPLOY.resolve("grafana").resolve("labwatch-dashboard.json").toFile());
    List<String> exprs = new ArrayList<>();
    dashboard
        .path("panels")
        .forEach(p -> p.path("targets").forEach(t -> exprs.add(t.path("expr").asText())));
    assertThat(exprs).hasSizeGreaterThan(5);
    return exprs;
  }

  @Test
  void aPortInUseIsOneLineNamingWhoHasIt(TestKafka kafka) throws Exception {
    Topics topics = topics(kafka);
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      int port = taken.getLocalPort();
      Cli.Result r =
          new Cli()
              .run(
                  "sink",
                  "prometheus",
                  "--listen",
                  "127.0.0.1:" + port,
                  "-b",
                  kafka.bootstrapServers(),
                  "--topic-prefix",
                  topics.prefix());
      assertThat(r.exitCode()).isEqualTo(1);
      assertThat(r.errLines())
          .singleElement()
          .asString()
          .startsWith("labwatch: error: port " + port + " on 127.0.0.1 is already in use by pid ")
          .endsWith("— stop it, or choose another address for /metrics (metrics.listen)");
    }
  }
}
