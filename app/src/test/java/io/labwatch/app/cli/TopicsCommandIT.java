package io.labwatch.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.labwatch.app.testing.Cli;
import io.labwatch.app.testing.KafkaBrokerExtension;
import io.labwatch.app.testing.TestKafka;
import io.labwatch.events.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KafkaBrokerExtension.class)
class TopicsCommandIT {

  @Test
  void createsTheTopicsOnceAndListsThemAlike(TestKafka kafka) {
    Topics topics = TestKafka.uniqueTopics();
    Cli cli = new Cli();
    String[] args = {"topics", "-b", kafka.bootstrapServers(), "--topic-prefix", topics.prefix()};

    Cli.Result first = cli.run(args);
    assertThat(first.exitCode()).as(first.err()).isZero();
    assertThat(first.out())
        .contains(topics.arp().name(), topics.alerts().name(), topics.dlq().name())
        .contains("(created now)")
        .contains("counts each commit's marker too");
    assertThat(first.out().lines().filter(l -> l.startsWith(topics.alerts().name())).findFirst())
        .hasValueSatisfying(l -> assertThat(l).contains("365d").contains("compact,delete"));
    assertThat(first.err()).isEmpty();

    Cli.Result second = cli.run(args);
    assertThat(second.exitCode()).isZero();
    assertThat(second.out()).doesNotContain("created now");
    assertThat(second.out().replace("  (created now)", ""))
        .isEqualTo(first.out().replace("  (created now)", ""));
    assertThat(second.err()).isEmpty();
  }

  @Test
  void reportsARetentionThatDiffersAndFixesItWhenAsked(TestKafka kafka) throws Exception {
    Topics topics = TestKafka.uniqueTopics();
    Cli cli = new Cli().env("LABWATCH_TOPICS_PREFIX", topics.prefix());
    assertThat(cli.run("topics", "-b", kafka.bootstrapServers()).exitCode()).isZero();
    try (var admin = kafka.admin()) {
      admin
          .incrementalAlterConfigs(
              Map.of(
                  new ConfigResource(ConfigResource.Type.TOPIC, topics.arp().name()),
                  List.of(
                      new AlterConfigOp(
                          new ConfigEntry("retention.ms", "86400000"), AlterConfigOp.OpType.SET))))
          .all()
          .get();
      ConfigResource arp = new ConfigResource(ConfigResource.Type.TOPIC, topics.arp().name());
      await()
          .atMost(Duration.ofSeconds(15))
          .until(
              () ->
                  admin
                      .describeConfigs(List.of(arp))
                      .all()
                      .get()
                      .get(arp)
                      .get("retention.ms")
                      .value(),
              "86400000"::equals);
    }

    Cli.Result drifted = cli.run("topics", "-b", kafka.bootstrapServers());
    assertThat(drifted.exitCode()).isZero();
    assertThat(drifted.errLines())
        .containsExactly(
            "warning: "
                + topics.arp().name()
                + ": retention.ms is 86400000 (1d), labwatch expects 2592000000 (30d)"
                + " — `labwatch topics --fix` sets it");

    Cli.Result fixed = cli.run("topics", "-b", kafka.bootstrapServers(), "--fix");
    assertThat(fixed.exitCode()).isZero();
    assertThat(fixed.err()).isEmpty();
    assertThat(cli.run("topics", "-b", kafka.bootstrapServers()).err()).isEmpty();
  }
}
