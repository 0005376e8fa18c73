package io.labwatch.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.labwatch.app.kafka.TopicManager;
import io.labwatch.app.testing.Cli;
import io.labwatch.app.testing.KafkaBrokerExtension;
import io.labwatch.app.testing.TestKafka;
import io.labwatch.events.Alert;
import io.labwatch.events.Evidence;
import io.labwatch.events.Severity;
import io.labwatch.events.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KafkaBrokerExtension.class)
class TailCommandIT {

  private final ObjectMapper json = new ObjectMapper();

  private static Topics topicsOn(TestKafka kafka) {
    Topics topics = TestKafka.uniqueTopics();
    try (var admin = kafka.admin()) {
      new TopicManager(admin).ensure(topics.all(), -1);
    }
    return topics;
  }

  private static Alert alertAt(String subject, Instant at) {
    return Alert.firing(
        "IP_CONFLICT",
        subject,
        Severity.CRITICAL,
        "conflict on " + subject,
        Evidence.NONE,
        Map.of(),
        at);
  }

  private void produce(TestKafka kafka, Topics topics, Alert... alerts) throws Exception {
    try (KafkaProducer<String, Alert> producer = kafka.producer(topics.alerts())) {
      for (Alert a : alerts) {
        producer
            .send(
                new ProducerRecord<>(
                    topics.alerts().name(), null, a.startedAt().toEpochMilli(), a.fingerprint(), a))
            .get();
      }
    }
  }

  @Test
  void onAFreshTopicFromBeginningPrintsNothingAndStopsAtTheEnd(TestKafka kafka) {
    Topics topics = topicsOn(kafka);
    Cli.Result r =
        new Cli()
            .env("LABWATCH_TOPICS_PREFIX", topics.prefix())
            .run(
                "tail",
                topics.alerts().name(),
                "--from-beginning",
                "--exit-at-end",
                "-b",
                kafka.bootstrapServers());
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).isEmpty();
  }

  @Test
  void sincePicksOnlyTheRecordsThatRecent(TestKafka kafka) throws Exception {
    Topics topics = topicsOn(kafka);
    Instant now = Instant.now();
    produce(
        kafka,
        topics,
        alertAt("10.0.0.1", now.minus(Duration.ofMinutes(30))),
        alertAt("10.0.0.2", now.minus(Duration.ofMinutes(20))),
        alertAt("10.0.0.3", now.minus(Duration.ofMinutes(5))),
        alertAt("10.0.0.4", now.minus(Duration.ofSeconds(10))));

    Cli.Result r =
        new Cli()
            .env("LABWATCH_TOPICS_PREFIX", topics.prefix())
            .run("tail", "alerts", "--since", "10m", "-e", "-b", kafka.bootstrapServers());

    assertThat(r.exitCode()).as(r.err()).isZero();
    List<JsonNode> lines = parse(r.out());
    assertThat(lines)
        .extracting(l -> l.get("value").get("subject").asText())
        .containsExactlyInAnyOrder("10.0.0.3", "10.0.0.4");
    JsonNode first = lines.get(0);
    assertThat(first.get("topic").asText()).isEqualTo(topics.alerts().name());
    assertThat(first.get("key").asText()).startsWith("IP_CONFLICT:10.0.0.");
    assertThat(first.get("value").get("state").asText()).isEqualTo("FIRING");
    assertThat(first.has("partition")).isTrue();
    assertThat(first.has("offset")).isTrue();
    assertThat(Instant.parse(first.get("timestamp").asText()))
        .isAfter(now.minus(Duration.ofMinutes(10)));
  }

  @Test
  void maxStopsAfterThatManyRecords(TestKafka kafka) throws Exception {
    Topics topics = topicsOn(kafka);
    Instant now = Instant.now();
    produce(
        kafka,
        topics,
        alertAt("10.0.0.1", now),
        alertAt("10.0.0.2", now),
        alertAt("10.0.0.3", now));

    Cli.Result r =
        new Cli()
            .env("LABWATCH_TOPICS_PREFIX", topics.prefix())
            .run(
                "tail", "alerts", "--from-beginning", "--max", "2", "-b", kafka.bootstrapServers());

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.outLines()).hasSize(2);
  }

  @Test
  void aRecordThatDoesNotDecodeIsShownWithTheReason(TestKafka kafka) throws Exception {
    Topics topics = topicsOn(kafka);
    try (KafkaProducer<byte[], byte[]> raw =
        new KafkaProducer<>(
            Map.of("bootstrap.servers", kafka.bootstrapServers()),
            new ByteArraySerializer(),
            new ByteArraySerializer())) {
      raw.send(
              new ProducerRecord<>(
                  topics.alerts().name(),
                  "IP_CONFLICT:10.0.0.9".getBytes(StandardCharsets.UTF_8),
                  "{\"v\":1,\"kind\":".getBytes(StandardCharsets.UTF_8)))
          .get();
    }

    Cli.Result r =
        new Cli()
            .env("LABWATCH_TOPICS_PREFIX", topics.prefix())
            .run("tail", "alerts", "--from-beginning", "-e", "-b", kafka.bootstrapServers());

    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonNode line = parse(r.out()).get(0);
    assertThat(line.get("key").asText()).isEqualTo("IP_CONFLICT:10.0.0.9");
    assertThat(line.get("valueError").asText())
        .startsWith("cannot decode Alert on " + topics.alerts().name() + " from 14 bytes");
    assertThat(line.get("valueText").asText()).isEqualTo("{\"v\":1,\"kind\":");
  }

  @Test
  void aTopicThatDoesNotExistIsOneClearLine(TestKafka kafka) {
    Cli.Result r = new Cli().run("tail", "no.such.topic", "-e", "-b", kafka.bootstrapServers());
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.errLines())
        .containsExactly(
            "labwatch: error: topic no.such.topic does not exist (`labwatch topics` creates labwatch's topics)");
  }

  private List<JsonNode> parse(String out) {
    return out.lines()
        .map(
            l -> {
              try {
                return json.readTree(l);
              } catch (Exception e) {
                throw new AssertionError("not a JSON line: " + l, e);
              }
            })
        .toList();
  }
}
