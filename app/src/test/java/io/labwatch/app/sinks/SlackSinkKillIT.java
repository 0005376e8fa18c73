package io.labwatch.app.sinks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.labwatch.app.kafka.TopicManager;
import io.labwatch.app.testing.KafkaBrokerExtension;
import io.labwatch.app.testing.TestKafka;
import io.labwatch.events.Alert;
import io.labwatch.events.Evidence;
import io.labwatch.events.Severity;
import io.labwatch.events.Topics;
import io.labwatch.sinks.testing.FakeSlack;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** `labwatch sink slack` killed (SIGKILL) between a post and its commit, then started again. */
@ExtendWith(KafkaBrokerExtension.class)
class SlackSinkKillIT {

  @TempDir Path dir;
  private final List<Process> processes = new ArrayList<>();

  @AfterEach
  void stop() {
    processes.forEach(Process::destroyForcibly);
  }

  private Process sink(TestKafka kafka, Topics topics, FakeSlack slack, String group)
      throws IOException {
    ProcessBuilder pb =
        new ProcessBuilder(
                // Ctrl-C as a terminal sends it: a test run started in the background of a
                // script (`... &`) ignores SIGINT, and a child inherits that; the JVM then leaves
                // it ignored, and no Ctrl-C could ever reach the sink (seen in CI runs started so)
                "env",
                "--default-signal=INT",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                Path.of("target", "labwatch.jar").toString(),
                "sink",
                "slack",
                "-b",
                kafka.bootstrapServers(),
                "--topic-prefix",
                topics.prefix(),
                "--metrics-listen",
                "127.0.0.1:0")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("sink-" + processes.size() + ".log").toFile());
    pb.environment().put("LABWATCH_SLACK_WEBHOOK_URL", slack.webhookUrl());
    pb.environment().put("LABWATCH_SLACK_CONSUMER_GROUP", group);
    // the killed sink's partitions move to the next one after this, not Kafka's 45 s default
    pb.environment().put("LABWATCH_KAFKA_SESSION_TIMEOUT_MS", "6000");
    Process p = pb.start();
    processes.add(p);
    return p;
  }

  @Test
  void everyAlertReachesSlackAndAtMostOneTwice(TestKafka kafka) throws Exception {
    Topics topics = TestKafka.uniqueTopics();
    try (var admin = kafka.admin()) {
      new TopicManager(admin).ensure(topics.all(), -1);
    }
    String group = "slack-kill-" + UUID.randomUUID();
    try (FakeSlack slack = new FakeSlack()) {
      Process first = sink(kafka, topics, slack, group);
      awaitAssigned(kafka, group);
      slack.holdRequest(1); // the second post is received, and never answered
      Instant t0 = Instant.parse("2026-11-25T14:02:11Z");
      try (KafkaProducer<String, Alert> p = kafka.producer(topics.alerts())) {
        for (int i = 1; i <= 5; i++) {
          Alert a =
              Alert.firing(
                  "IP_CONFLICT",
                  "10.77.0." + i,
                  Severity.CRITICAL,
                  "IP conflict on 10.77.0." + i,
                  Evidence.NONE,
                  Map.of(),
                  t0.plusSeconds(i));
          p.send(
                  new ProducerRecord<>(
                      topics.alerts().name(), 0, a.updatedAt().toEpochMilli(), a.fingerprint(), a))
              .get();
        }
      }
      await().atMost(Duration.ofSeconds(60)).until(() -> slack.requests().size() == 2);
      first.destroyForcibly(); // between the post and its commit
      assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
      slack.release();

      Process second = sink(kafka, topics, slack, group);
      await().atMost(Duration.ofSeconds(90)).until(() -> subjects(slack).keySet().size() == 5);
      Map<String, Long> counts = subjects(slack);

      slack.then(FakeSlack.Answer.status(503, "")); // a retry, and its log line
      try (KafkaProducer<String, Alert> p = kafka.producer(topics.alerts())) {
        Alert a =
            Alert.firing(
                "IP_CONFLICT",
                "10.77.0.6",
                Severity.CRITICAL,
                "IP conflict on 10.77.0.6",
                Evidence.NONE,
                Map.of(),
                t0.plusSeconds(6));
        p.send(new ProducerRecord<>(topics.alerts().name(), 0, null, a.fingerprint(), a)).get();
      }
      await().atMost(Duration.ofSeconds(60)).until(() -> subjects(slack).containsKey("10.77.0.6"));

      // the sink alone serves its own metrics, when asked to
      Matcher url =
          Pattern.compile("(http://127\\.0\\.0\\.1:\\d+/metrics)")
              .matcher(Files.readString(dir.resolve("sink-1.log")));
      assertThat(url.find()).isTrue();
      String metrics =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(url.group(1))).build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      assertThat(metrics)
          .containsPattern("labwatch_slack_deliveries_total\\{outcome=\"delivered\"} [1-9]")
          .containsPattern("labwatch_slack_retries_total [1-9]")
          .contains("labwatch_part_up{part=\"slack_sink\"} 1.0");
      second.destroy();
      assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();

      assertThat(counts)
          .containsOnlyKeys("10.77.0.1", "10.77.0.2", "10.77.0.3", "10.77.0.4", "10.77.0.5");
      assertThat(counts.values().stream().filter(n -> n > 1).count())
          .as("posted twice: %s", counts)
          .isLessThanOrEqualTo(1);
      assertThat(counts.values()).allMatch(n -> n <= 2);
      assertThat(counts.get("10.77.0.1")).isEqualTo(1);

      // the webhook URL is a secret: the logs show where it points, never what it is
      String logs =
          Files.readString(dir.resolve("sink-0.log")) + Files.readString(dir.resolve("sink-1.log"));
      assertThat(logs)
          .contains("webhook http://127.0.0.1/…")
          .contains("503")
          .doesNotContain(FakeSlack.WEBHOOK_SECRET)
          .doesNotContain("T0LAB");
    }
  }

  @Test
  void ctrlCStopsInOrderAndASecondCtrlCStopsAtOnce(TestKafka kafka) throws Exception {
    Topics topics = TestKafka.uniqueTopics();
    try (var admin = kafka.admin()) {
      new TopicManager(admin).ensure(topics.all(), -1);
    }
    String group = "slack-int-" + UUID.randomUUID();
    try (FakeSlack slack = new FakeSlack()) {
      Process sink = sink(kafka, topics, slack, group);
      awaitAssigned(kafka, group);
      slack.holdRequest(0); // Slack takes the message and never answers: the stop has to wait
      try (KafkaProducer<String, Alert> p = kafka.producer(topics.alerts())) {
        Alert a =
            Alert.firing(
                "IP_CONFLICT",
                "10.77.0.1",
                Severity.CRITICAL,
                "IP conflict on 10.77.0.1",
                Evidence.NONE,
                Map.of(),
                Instant.parse("2026-11-25T14:02:11Z"));
        p.send(new ProducerRecord<>(topics.alerts().name(), a.fingerprint(), a)).get();
      }
      await().atMost(Duration.ofSeconds(60)).until(() -> slack.requests().size() == 1);
      interrupt(sink);
      assertThat(sink.waitFor(2, TimeUnit.SECONDS))
          .as("the first Ctrl-C waits for the message in flight")
          .isFalse();
      long t = System.nanoTime();
      interrupt(sink);
      assertThat(sink.waitFor(5, TimeUnit.SECONDS)).as("the second Ctrl-C stops at once").isTrue();
      assertThat(sink.exitValue()).isEqualTo(130);
      assertThat(Duration.ofNanos(System.nanoTime() - t)).isLessThan(Duration.ofSeconds(5));
      assertThat(Files.readString(dir.resolve("sink-" + (processes.size() - 1) + ".log")))
          .contains("labwatch: stopping at once (second Ctrl-C)");
    }
  }

  private static void interrupt(Process p) throws Exception {
    Process kill = new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start();
    assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
  }

  private static Map<String, Long> subjects(FakeSlack slack) {
    return slack.requests().stream()
        .map(r -> r.body().path("text").asText())
        .map(t -> t.substring(t.lastIndexOf(' ') + 1))
        .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
  }

  private static void awaitAssigned(TestKafka kafka, String group) {
    await()
        .atMost(Duration.ofSeconds(90))
        .ignoreExceptions() // the group is unknown until the sink joins
        .until(
            () -> {
              try (var admin = kafka.admin()) {
                var g = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
                return g.members().stream()
                    .anyMatch(m -> !m.assignment().topicPartitions().isEmpty());
              }
            });
  }
}
