package io.labwatch.app.sinks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.labwatch.app.kafka.TopicManager;
import io.labwatch.app.testing.KafkaBrokerExtension;
import io.labwatch.app.testing.TestKafka;
import io.labwatch.events.Alert;
import io.labwatch.events.DeadLetters;
import io.labwatch.events.Evidence;
import io.labwatch.events.Severity;
import io.labwatch.events.Topics;
import io.labwatch.sinks.slack.SlackConfig;
import io.labwatch.sinks.slack.SlackSink;
import io.labwatch.sinks.testing.FakeSlack;
import io.labwatch.sinks.testing.FakeSlack.Answer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The Slack sink on a real broker, against a local stand-in for Slack. */
@ExtendWith(KafkaBrokerExtension.class)
class SlackSinkIT {

  static final Instant T0 = Instant.parse("2026-11-25T14:02:11Z");

  static Alert conflict(String ip, Instant at) {
    return Alert.firing(
        "IP_CONFLICT",
        ip,
        Severity.CRITICAL,
        "IP conflict on " + ip,
        Evidence.NONE,
        Map.of("sensor", "lab-sw1"),
        at);
  }

  static SlackConfig webhook(FakeSlack slack, int digestThreshold) {
    return new SlackConfig(
        slack.webhookUrl(),
        null,
        null,
        Map.of(),
        Severity.WARNING,
        List.of(),
        List.of(),
        digestThreshold,
        100,
        null,
        Duration.ofSeconds(5),
        "slack-it-" + System.nanoTime());
  }

  static SlackConfig bot(FakeSlack slack, String group) {
    return new SlackConfig(
        null,
        "xoxb-test",
        "#lab",
        Map.of(),
        Severity.WARNING,
        List.of(),
        List.of(),
        10,
        100,
        slack.apiUrl(),
        Duration.ofSeconds(5),
        group);
  }

  private static Topics topics(TestKafka kafka) {
    Topics topics = TestKafka.uniqueTopics();
    try (var admin = kafka.admin()) {
      new TopicManager(admin).ensure(topics.all(), -1);
    }
    return topics;
  }

  private static void produce(TestKafka kafka, Topics topics, Alert... alerts) throws Exception {
    try (KafkaProducer<String, Alert> p = kafka.producer(topics.alerts())) {
      for (Alert a : alerts) {
        // one partition, so that the order they were raised in is the order to expect
        p.send(
                new ProducerRecord<>(
                    topics.alerts().name(), 0, a.updatedAt().toEpochMilli(), a.fingerprint(), a))
            .get();
      }
    }
  }

  private static List<String> subjects(FakeSlack slack) {
    return slack.requests().stream().map(r -> r.body().path("text").asText()).toList();
  }

  @Test
  void waitsOutRateLimitsRetriesServerErrorsAndLosesNothingInOrder(TestKafka kafka)
      throws Exception {
    Topics topics = topics(kafka);
    try (FakeSlack slack = new FakeSlack()) {
      SlackConfig config = webhook(slack, 10);
      try (SlackSink sink = SlackSink.start(config, topics, props(kafka))) {
        awaitAssigned(kafka, config);
        slack.then(Answer.rateLimited(2), Answer.status(500, ""), Answer.status(502, ""));
        produce(
            kafka,
            topics,
            conflict("10.77.0.1", T0),
            conflict("10.77.0.2", T0.plusSeconds(1)),
            conflict("10.77.0.3", T0.plusSeconds(2)));

        // Slack has seen the sixth request before the sink has read its answer: wait for both
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> slack.requests().size() >= 6 && sink.delivered() == 3);
        List<FakeSlack.Request> r = slack.requests();
        // the first alert: 429, wait 2 s, 500, 502 (backoff), ok; then the others in order
        assertThat(r.get(1).nanoTime() - r.get(0).nanoTime())
            .isGreaterThanOrEqualTo(Duration.ofSeconds(2).toNanos());
        assertThat(subjects(slack).subList(0, 4)).allMatch(t -> t.endsWith("10.77.0.1"));
        assertThat(subjects(slack).subList(3, 6))
            .allMatch(t -> t.startsWith("CRITICAL IP_CONFLICT firing: IP conflict on 10.77.0."))
            .extracting(t -> t.substring(t.length() - 1))
            .containsExactly("1", "2", "3");
        assertThat(sink.retries()).isEqualTo(3);
        assertThat(sink.delivered()).isEqualTo(3);
      }
    }
  }

  @Test
  void aNewSinkDeliversWhatIsRaisedOnceItStartedEvenBeforeItJoinsItsGroupAndNothingOlder(
      TestKafka kafka) throws Exception {
    Topics topics = topics(kafka);
    try (FakeSlack slack = new FakeSlack()) {
      produce(kafka, topics, conflict("10.77.0.1", T0)); // before Slack was configured
      SlackConfig config = webhook(slack, 10);
      try (SlackSink sink = SlackSink.start(config, topics, props(kafka))) {
        // at once: the group has not been assigned its partitions yet
        produce(kafka, topics, conflict("10.77.0.2", T0.plusSeconds(1)));
        await().atMost(Duration.ofSeconds(60)).until(() -> sink.delivered() == 1);
        // one partition, in order: had the old alert been sent, it would have been first
        assertThat(subjects(slack)).singleElement().asString().endsWith("10.77.0.2");
      }
    }
  }

  @Test
  void aStopFirstDeliversWhatIsWaiting(TestKafka kafka) throws Exception {
    Topics topics = topics(kafka);
    try (FakeSlack slack = new FakeSlack()) {
      SlackConfig config = webhook(slack, 10);
      SlackSink sink = SlackSink.start(config, topics, props(kafka));
      awaitAssigned(kafka, config);
      produce(
          kafka,
          topics,
          conflict("10.77.0.1", T0),
          conflict("10.77.0.2", T0.plusSeconds(1)),
          conflict("10.77.0.3", T0.plusSeconds(2)));
      sink.close(); // at once: the alerts are in Kafka, maybe not yet fetched
      assertThat(sink.delivered()).isEqualTo(3);
      assertThat(subjects(slack)).hasSize(3);
    }
  }

  @Test
  void aPermanentRefusalIsDeadLetteredWithSlacksErrorAndTheNextGoesOn(TestKafka kafka)
      throws Exception {
    Topics topics = topics(kafka);
    try (FakeSlack slack = new FakeSlack()) {
      SlackConfig config = webhook(slack, 10);
      try (SlackSink sink = SlackSink.start(config, topics, props(kafka))) {
        awaitAssigned(kafka, config);
        slack.then(Answer.status(400, "invalid_payload"));
        produce(kafka, topics, conflict("10.77.0.1", T0), conflict("10.77.0.2", T0.plusSeconds(1)));
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> slack.requests().size() >= 2 && sink.deadLettered() == 1);
        List<ConsumerRecord<byte[], byte[]>> dead = kafka.readAll(topics.dlq());
        assertThat(dead).hasSize(1);
        assertThat(header(dead.get(0), DeadLetters.REASON))
            .isEqualTo("slack: invalid_payload (HTTP 400)");
        assertThat(header(dead.get(0), DeadLetters.COMPONENT)).isEqualTo("sink.slack");
        assertThat(header(dead.get(0), DeadLetters.CODE)).isEqualTo("invalid_payload");
        assertThat(new String(dead.get(0).key(), StandardCharsets.UTF_8))
            .isEqualTo("IP_CONFLICT:10.77.0.1");
        assertThat(subjects(slack).get(1)).endsWith("10.77.0.2");
        assertThat(sink.problem()).as("one bad message is not a broken setup").isNull();

        // the webhook was deleted in Slack: every message is refused, and health says so
        slack.then(Answer.status(404, "no_service"));
        produce(kafka, topics, conflict("10.77.0.3", T0.plusSeconds(2)));
        await().atMost(Duration.ofSeconds(30)).until(() -> sink.deadLettered() == 2);
        assertThat(sink.problem())
            .startsWith("Slack refuses every message (no_service (HTTP 404))")
            .contains("2 so far");
        produce(kafka, topics, conflict("10.77.0.4", T0.plusSeconds(3)));
        await().atMost(Duration.ofSeconds(30)).until(() -> sink.delivered() == 2);
        assertThat(sink.problem()).isNull();
      }
    }
  }

  @Test
  void aStormBecomesOneDigest(TestKafka kafka) throws Exception {
    Topics topics = topics(kafka);
    try (FakeSlack slack = new FakeSlack()) {
      SlackConfig config = webhook(slack, 10);
      SlackSink first = SlackSink.start(config, topics, props(kafka));
      awaitAssigned(kafka, config);
      produce(kafka, topics, conflict("10.77.9.9", T0));
      await().atMost(Duration.ofSeconds(30)).until(() -> slack.requests().size() == 1);
      first.close();
      // 30 alerts wait while the sink is stopped: the next start finds them all at once
      Alert[] storm = new Alert[30];
      for (int i = 0; i < storm.length; i++) {
        storm[i] = conflict("10.77.1." + i, T0.plusSeconds(i));
      }
      produce(kafka, topics, storm);
      try (SlackSink second = SlackSink.start(config, topics, props(kafka))) {
        await().atMost(Duration.ofSeconds(30)).until(() -> second.digests() == 1);
        assertThat(slack.requests()).hasSize(2);
        assertThat(slack.requests().get(1).body().toString())
            .contains("30 alerts at once — a digest")
            .contains("10.77.1.29");
      }
    }
  }

  @Test
  void aBotEditsTheIncidentsMessageAndRepliesInItsThreadAcrossARestart(TestKafka kafka)
      throws Exception {
    Topics topics = topics(kafka);
    Alert firing = conflict("10.77.0.10", T0);
    Alert resolved = firing.resolved("IP conflict on 10.77.0.10 resolved", T0.plusSeconds(900));
    try (FakeSlack slack = new FakeSlack()) {
      SlackConfig config = bot(slack, "slack-bot-" + System.nanoTime());
      try (SlackSink sink = SlackSink.start(config, topics, props(kafka))) {
        awaitAssigned(kafka, config);
        produce(kafka, topics, firing);
        await().atMost(Duration.ofSeconds(30)).until(() -> sink.delivered() == 1);
      }
      assertThat(slack.requests())
          .singleElement()
          .satisfies(r -> assertThat(r.path()).isEqualTo("/api/chat.postMessage"));
      String ts = "1764000000.000100";

      // a new sink (a restart) finds where the message is, on the slack-threads topic
      try (SlackSink sink = SlackSink.start(config, topics, props(kafka))) {
        produce(kafka, topics, resolved);
        await().atMost(Duration.ofSeconds(30)).until(() -> sink.delivered() == 1);
      }
      List<FakeSlack.Request> r = slack.requests();
      assertThat(r)
          .extracting(FakeSlack.Request::path)
          .containsExactly("/api/chat.postMessage", "/api/chat.update", "/api/chat.postMessage");
      assertThat(r.get(1).body().path("ts").asText()).isEqualTo(ts);
      assertThat(r.get(1).body().path("text").asText()).startsWith("CRITICAL IP_CONFLICT resolved");
      assertThat(r.get(2).body().path("thread_ts").asText()).isEqualTo(ts);
    }
  }

  @Test
  void aBotRoutesKindsToTheirChannelsLeavesOutWhatIsNotWantedAndReplacesADeletedMessage(
      TestKafka kafka) throws Exception {
    Topics topics = topics(kafka);
    Alert conflict = conflict("10.77.0.20", T0);
    Alert silent =
        Alert.firing(
            "SENSOR_SILENT",
            "lab-sw1",
            Severity.WARNING,
            "sensor lab-sw1 is silent",
            Evidence.NONE,
            Map.of(),
            T0.plusSeconds(1));
    Alert station =
        Alert.event(
            "NEW_STATION",
            "10.77.0.99",
            Severity.INFO,
            "new station 10.77.0.99",
            Evidence.NONE,
            Map.of(),
            T0.plusSeconds(2));
    Alert update =
        conflict.updated("IP conflict on 10.77.0.20, 3 flips", Evidence.NONE, T0.plusSeconds(300));
    try (FakeSlack slack = new FakeSlack()) {
      SlackConfig config =
          new SlackConfig(
              null,
              "xoxb-test",
              "#lab",
              Map.of("SENSOR_SILENT", "#labwatch-ops"),
              Severity.WARNING,
              List.of(),
              List.of(),
              10,
              100,
              slack.apiUrl(),
              Duration.ofSeconds(5),
              "slack-route-" + System.nanoTime());
      try (SlackSink sink = SlackSink.start(config, topics, props(kafka))) {
        produce(kafka, topics, conflict, silent, station);
        await().atMost(Duration.ofSeconds(30)).until(() -> sink.delivered() == 2);
        // someone deleted the incident's message in Slack: its update starts a new one
        slack.then(FakeSlack.Answer.apiError("message_not_found"));
        produce(kafka, topics, update);
        await().atMost(Duration.ofSeconds(30)).until(() -> sink.delivered() == 3);
        assertThat(sink.deadLettered()).isZero();
      }
      List<FakeSlack.Request> r = slack.requests();
      assertThat(r)
          .extracting(q -> q.path() + " " + q.body().path("channel").asText())
          .containsExactly(
              "/api/chat.postMessage #lab",
              "/api/chat.postMessage #labwatch-ops",
              "/api/chat.update C0LAB",
              "/api/chat.postMessage #lab");
      assertThat(r).noneMatch(q -> q.body().toString().contains("10.77.0.99"));
      assertThat(r.get(3).body().has("thread_ts")).isFalse();
      assertThat(r.get(3).body().path("text").asText()).contains("3 flips");
      assertThat(r).allMatch(q -> "Bearer xoxb-test".equals(q.authorization()));
    }
  }

  private static Map<String, Object> props(TestKafka kafka) {
    return Map.of("bootstrap.servers", kafka.bootstrapServers());
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }

  /** The sink starts from the end of the topic: alerts count once its group owns the partitions. */
  private static void awaitAssigned(TestKafka kafka, SlackConfig config) {
    await()
        .atMost(Duration.ofSeconds(60))
        .ignoreExceptions() // the group is unknown until the sink joins
        .until(
            () -> {
              try (var admin = kafka.admin()) {
                var group =
                    admin
                        .describeConsumerGroups(List.of(config.consumerGroup()))
                        .all()
                        .get()
                        .get(config.consumerGroup());
                return group.members().stream()
                    .anyMatch(m -> !m.assignment().topicPartitions().isEmpty());
              }
            });
  }
}
