package io.labwatch.app.sinks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.labwatch.app.kafka.TopicManager;
import io.labwatch.app.testing.Cli;
import io.labwatch.app.testing.KafkaBrokerExtension;
import io.labwatch.app.testing.TestKafka;
import io.labwatch.events.Alert;
import io.labwatch.events.Evidence;
import io.labwatch.events.Severity;
import io.labwatch.events.Topics;
import io.labwatch.sinks.Health;
import io.labwatch.sinks.prometheus.LabwatchMetrics;
import io.labwatch.sinks.prometheus.MetricsConfig;
import io.labwatch.sinks.prometheus.PrometheusSink;
import io.labwatch.sinks.slack.SlackConfig;
import io.labwatch.sinks.slack.SlackSink;
import io.labwatch.sinks.testing.FakeSlack;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Silences end to end: made with {@code labwatch silence}, kept on a real broker, honoured by the
 * Slack sink (against a local stand-in for Slack) and the Prometheus sink, shown by {@code labwatch
 * status}.
 */
@ExtendWith(KafkaBrokerExtension.class)
class SilencesIT {

  private static final Pattern ADDED =
      Pattern.compile("^silence ([0-9a-f]{8}) added: (\\S+) until \\S+ \\S+Z ");

  private final HttpClient http = HttpClient.newHttpClient();
  private final Cli cli = new Cli();

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
        // one partition: the order they were raised in is the order the sink handles them
        p.send(
                new ProducerRecord<>(
                    topics.alerts().name(), 0, a.updatedAt().toEpochMilli(), a.fingerprint(), a))
            .get();
      }
    }
  }

  private static SlackConfig webhook(FakeSlack slack) {
    return new SlackConfig(
        slack.webhookUrl(),
        null,
        null,
        Map.of(),
        Severity.WARNING,
        List.of(),
        List.of(),
        10,
        100,
        null,
        Duration.ofSeconds(5),
        "silences-it-" + System.nanoTime());
  }

  /** labwatch's own command line, against the test's broker and topics. */
  private Cli.Result labwatch(TestKafka kafka, Topics topics, String... args) {
    String[] all = new String[args.length + 4];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--bootstrap-servers";
    all[args.length + 1] = kafka.bootstrapServers();
    all[args.length + 2] = "--topic-prefix";
    all[args.length + 3] = topics.prefix();
    return cli.run(all);
  }

  /** Adds a silence as a user does; its id. */
  private String silence(TestKafka kafka, Topics topics, String matcher, String length) {
    Cli.Result r =
        labwatch(kafka, topics, "silence", "add", matcher, "--for", length, "--reason", "swap");
    assertThat(r.exitCode()).as(r.err()).isZero();
    Matcher m = ADDED.matcher(r.out());
    assertThat(m.find()).as(r.out()).isTrue();
    assertThat(m.group(2)).isEqualTo(matcher);
    return m.group(1);
  }

  private String metrics(PrometheusSink sink) throws Exception {
    return http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sink.port() + "/metrics"))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  private static List<String> about(FakeSlack slack, String ip) {
    return slack.texts().stream().filter(t -> t.contains(" " + ip)).toList();
  }

  @Test
  void aSilencedIncidentIsNotPostedShowsSilencedAndIsPostedOnceWhenTheSilenceIsExpired(
      TestKafka kafka) throws Exception {
    Topics topics = topics(kafka);
    Map<String, Object> props = Map.of("bootstrap.servers", kafka.bootstrapServers());
    Health health = new Health();
    try (FakeSlack slack = new FakeSlack();
        SlackSink sink = SlackSink.start(webhook(slack), topics, props);
        PrometheusSink prometheus =
            PrometheusSink.start(
                new MetricsConfig("127.0.0.1", 0, Duration.ofSeconds(1)),
                topics,
                props,
                new LabwatchMetrics(health),
                health,
                Map.of())) {
      // given a silence of one address's conflicts, known to the sink
      String id = silence(kafka, topics, "IP_CONFLICT:10.77.0.10", "2h");
      await().atMost(Duration.ofSeconds(30)).until(() -> sink.silences().containsKey(id));

      // when it and another address conflict
      Instant t0 = Instant.now().minusSeconds(30);
      produce(kafka, topics, conflict("10.77.0.10", t0), conflict("10.77.0.11", t0));

      // then Slack hears of the other one only (the silenced one came first, on one partition)
      await().atMost(Duration.ofSeconds(60)).until(() -> sink.delivered() == 1);
      assertThat(slack.texts())
          .containsExactly("CRITICAL IP_CONFLICT firing: IP conflict on 10.77.0.11");
      assertThat(sink.held()).isEqualTo(1);

      // Prometheus shows both firing, the one silenced
      String silenced = "labwatch_alert_silenced{kind=\"IP_CONFLICT\",subject=\"10.77.0.10\"} 1";
      await().atMost(Duration.ofSeconds(30)).until(() -> metrics(prometheus).contains(silenced));
      assertThat(metrics(prometheus))
          .contains(
              "labwatch_alert_firing{kind=\"IP_CONFLICT\",severity=\"critical\",subject=\"10.77.0.10\"} 1",
              "labwatch_alert_firing{kind=\"IP_CONFLICT\",severity=\"critical\",subject=\"10.77.0.11\"} 1")
          .doesNotContain("labwatch_alert_silenced{kind=\"IP_CONFLICT\",subject=\"10.77.0.11\"}");

      // status lists the silence and marks the incident; the other one still needs a look
      Cli.Result status = labwatch(kafka, topics, "status");
      assertThat(status.exitCode()).isEqualTo(3);
      assertThat(status.out())
          .contains("silences in force: 1")
          .containsPattern(
              id + " +IP_CONFLICT:10\\.77\\.0\\.10 +\\d+ min left \\(until .*\\), by .*: swap")
          .containsPattern(
              "IP_CONFLICT +since .* SILENCED by " + id + ": IP conflict on 10.77.0.10\n")
          .containsPattern("IP_CONFLICT +since [^\n]*\\): IP conflict on 10.77.0.11\n");
      assertThat(labwatch(kafka, topics, "silence", "list").out())
          .containsPattern("(?m)^" + id + " +IP_CONFLICT:10\\.77\\.0\\.10 .* swap$");

      // when the silence is expired
      Cli.Result expired = labwatch(kafka, topics, "silence", "expire", id);
      assertThat(expired.exitCode()).as(expired.err()).isZero();

      // then the incident, still firing, is posted once, saying so
      await().atMost(Duration.ofSeconds(30)).until(() -> about(slack, "10.77.0.10").size() == 1);
      assertThat(about(slack, "10.77.0.10"))
          .containsExactly(
              "CRITICAL IP_CONFLICT firing: IP conflict on 10.77.0.10 (still firing: the silence "
                  + id
                  + " over it ended)");
      // ... and only once: a later alert goes out alone
      produce(kafka, topics, conflict("10.77.0.12", t0.plusSeconds(10)));
      await().atMost(Duration.ofSeconds(30)).until(() -> about(slack, "10.77.0.12").size() == 1);
      assertThat(about(slack, "10.77.0.10")).hasSize(1);
      assertThat(slack.texts()).hasSize(3);

      await().atMost(Duration.ofSeconds(30)).until(() -> !metrics(prometheus).contains(silenced));
      assertThat(labwatch(kafka, topics, "silence", "list").out())
          .isEqualTo("no silences in force (labwatch silence add makes one)\n");
      assertThat(labwatch(kafka, topics, "silence", "list", "--all").out())
          .containsPattern(
              "(?m)^" + id + " +IP_CONFLICT:10\\.77\\.0\\.10 .* ended \\d+ s ago .* swap$");
    }
  }

  @Test
  void aSilenceThatRunsOutWhileItsIncidentFiresIsFollowedByOnePost(TestKafka kafka)
      throws Exception {
    Topics topics = topics(kafka);
    Map<String, Object> props = Map.of("bootstrap.servers", kafka.bootstrapServers());
    try (FakeSlack slack = new FakeSlack();
        SlackSink sink = SlackSink.start(webhook(slack), topics, props)) {
      // (long enough for a fresh group to be given its partitions before it ends)
      String id = silence(kafka, topics, "*:10.77.0.20", "15s");
      await().atMost(Duration.ofSeconds(30)).until(() -> sink.silences().containsKey(id));
      produce(kafka, topics, conflict("10.77.0.20", Instant.now()));
      await().atMost(Duration.ofSeconds(30)).until(() -> sink.held() == 1);
      assertThat(slack.texts()).isEmpty();

      await().atMost(Duration.ofSeconds(60)).until(() -> slack.texts().size() == 1);
      assertThat(slack.texts().get(0))
          .startsWith("CRITICAL IP_CONFLICT firing: IP conflict on 10.77.0.20 (still firing");
      // the sink looks every ~200 ms: a second one would come within this
      await()
          .during(Duration.ofSeconds(2))
          .atMost(Duration.ofSeconds(5))
          .until(() -> slack.texts().size() == 1);
    }
  }

  @Test
  void aBotSaysInTheIncidentsThreadThatItsSilenceEndedHavingHeldBackItsUpdate(TestKafka kafka)
      throws Exception {
    Topics topics = topics(kafka);
    Map<String, Object> props = Map.of("bootstrap.servers", kafka.bootstrapServers());
    Instant t0 = Instant.now().minusSeconds(60);
    Alert fired = conflict("10.77.0.30", t0);
    try (FakeSlack slack = new FakeSlack();
        SlackSink sink =
            SlackSink.start(
                SlackSinkIT.bot(slack, "silences-bot-" + System.nanoTime()), topics, props)) {
      // given an incident posted before anyone silenced it
      produce(kafka, topics, fired);
      await().atMost(Duration.ofSeconds(60)).until(() -> sink.delivered() == 1);
      assertThat(slack.requests())
          .extracting(FakeSlack.Request::path)
          .containsExactly("/api/chat.postMessage");

      // when it is silenced, updated (held back), and the silence expired
      String id = silence(kafka, topics, "IP_CONFLICT:10.77.0.30", "1h");
      await().atMost(Duration.ofSeconds(30)).until(() -> sink.silences().containsKey(id));
      produce(
          kafka,
          topics,
          fired.updated("IP conflict on 10.77.0.30, 9 flips", null, t0.plusSeconds(30)));
      await().atMost(Duration.ofSeconds(30)).until(() -> sink.held() == 1);
      assertThat(slack.requests()).hasSize(1);
      assertThat(labwatch(kafka, topics, "silence", "expire", id).exitCode()).isZero();

      // then its message is edited to say it still fires, and the thread is told
      await().atMost(Duration.ofSeconds(30)).until(() -> slack.requests().size() == 3);
      List<FakeSlack.Request> r = slack.requests();
      assertThat(r)
          .extracting(FakeSlack.Request::path)
          .containsExactly("/api/chat.postMessage", "/api/chat.update", "/api/chat.postMessage");
      String ts = "1764000000.000100"; // FakeSlack's first message
      assertThat(r.get(1).body().path("ts").asText()).isEqualTo(ts);
      assertThat(r.get(2).body().path("thread_ts").asText()).isEqualTo(ts);
      assertThat(r.get(2).body().path("text").asText())
          .isEqualTo(
              "CRITICAL IP_CONFLICT firing: IP conflict on 10.77.0.30, 9 flips (still firing: the"
                  + " silence "
                  + id
                  + " over it ended)");
    }
  }
}
