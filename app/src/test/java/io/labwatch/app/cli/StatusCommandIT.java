package io.labwatch.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.labwatch.app.kafka.TopicManager;
import io.labwatch.app.testing.Cli;
import io.labwatch.app.testing.KafkaBrokerExtension;
import io.labwatch.app.testing.TestKafka;
import io.labwatch.events.Topics;
import io.labwatch.streams.DetectionConfig;
import io.labwatch.streams.DetectionTopology;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code labwatch status} on a real broker, about the consumers of labwatch's topics. */
@ExtendWith(KafkaBrokerExtension.class)
class StatusCommandIT {

  static final String LAG = "lag (records not yet read)\n";
  static final String NOBODY =
      "  no consumer has committed yet — is labwatch running against this broker?\n";

  @TempDir Path dir;

  @Test
  void aDetectionRunningWithNothingProcessedYetIsSaidToRunItsInstancesAndTheirPartitionsAreShown(
      TestKafka kafka) {
    Topics topics = TestKafka.uniqueTopics();
    try (var admin = kafka.admin()) {
      new TopicManager(admin).ensure(topics.all(), -1);
    }
    String group = topics.prefix() + "detect";
    Cli cli =
        new Cli()
            .env("LABWATCH_DETECTION_APPLICATION_ID", group)
            .env("LABWATCH_SLACK_CONSUMER_GROUP", topics.prefix() + "slack");
    String[] status = {"status", "-b", kafka.bootstrapServers(), "--topic-prefix", topics.prefix()};

    // nothing has joined the groups: the old question
    Cli.Result before = cli.run(status);
    assertThat(before.out()).as(before.err()).contains(LAG + NOBODY);

    // the detection, started on topics with nothing in them: a member of its group, no commit
    DetectionConfig config = DetectionConfig.defaults().withApplicationId(group);
    KafkaStreams detection = detection(kafka, topics, config, "labwatch-detect-one", "one");
    KafkaStreams second = null;
    try {
      detection.start();
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> detection.state() == KafkaStreams.State.RUNNING);
      Cli.Result running = cli.run(status);
      assertThat(running.out())
          .as(running.err())
          .contains(LAG + "  detect     running; nothing processed yet\n")
          .doesNotContain(NOBODY)
          .doesNotContain("  slack ");
      // issue 20: each instance, and the partitions it holds
      String arp = topics.arp().name();
      assertThat(running.out())
          .contains("detection instances (1, application " + group + ")\n  labwatch-detect-one ")
          .containsPattern("labwatch-detect-one +127\\.0\\.0\\.1 .*" + arp + " 0,1,2");

      // a second instance takes a share of the partitions ...
      second = detection(kafka, topics, config, "labwatch-detect-two", "two");
      second.start();
      await()
          .atMost(Duration.ofSeconds(60))
          .untilAsserted(
              () -> {
                String both = cli.run(status).out();
                assertThat(both)
                    .contains("detection instances (2, application " + group + ")")
                    .containsPattern("labwatch-detect-one .*" + arp + " \\d")
                    .containsPattern("labwatch-detect-two .*" + arp + " \\d");
              });
      // ... and gives them back when it stops (leaving the group, as Detection.close does)
      second.close(
          CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
              .withTimeout(Duration.ofSeconds(30)));
      second = null;
      await()
          .atMost(Duration.ofSeconds(60))
          .untilAsserted(
              () ->
                  assertThat(cli.run(status).out())
                      .contains("detection instances (1, application " + group + ")")
                      .containsPattern("labwatch-detect-one .*" + arp + " 0,1,2"));
    } finally {
      if (second != null) {
        second.close(Duration.ofSeconds(30));
      }
      detection.close(Duration.ofSeconds(30));
    }
  }

  private KafkaStreams detection(
      TestKafka kafka, Topics topics, DetectionConfig config, String clientId, String state) {
    Map<String, Object> client =
        Map.of("bootstrap.servers", kafka.bootstrapServers(), "client.id", clientId);
    return new KafkaStreams(
        DetectionTopology.build(topics, config),
        DetectionTopology.properties(config, topics, client, dir.resolve(state)));
  }
}
