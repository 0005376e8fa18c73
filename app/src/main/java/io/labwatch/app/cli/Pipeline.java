package io.labwatch.app.cli;

import io.labwatch.app.config.LabwatchConfig;
import io.labwatch.app.kafka.InventoryWriter;
import io.labwatch.app.kafka.KafkaAccess;
import io.labwatch.app.kafka.TopicManager;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;

/** What the commands that run or watch the pipeline share: its preparation, its consumers. */
final class Pipeline {

  private Pipeline() {}

  /**
   * The topics as they were found or created, and what the inventory sync wrote.
   *
   * @param topics every topic of the catalogue
   * @param inventory the inventory topic's changes
   */
  record Prepared(List<TopicManager.TopicState> topics, InventoryWriter.Result inventory) {}

  /** Topics exist and the inventory topic says what the config says. */
  static Prepared prepare(LabwatchConfig config, String bootstrap) {
    List<TopicManager.TopicState> topics;
    try (Admin admin = KafkaAccess.connectedAdmin(config.kafkaClientProperties(bootstrap))) {
      topics =
          new TopicManager(admin)
              .ensure(config.catalogue().all(), config.topics().replicationFactor());
    }
    InventoryWriter.Result inventory =
        InventoryWriter.sync(
            config.catalogue().inventory(),
            config.detection().inventory(),
            config.kafkaClientProperties(bootstrap));
    return new Prepared(topics, inventory);
  }

  /**
   * The consumer groups whose lag /metrics and status show: the detection's and the Slack sink's (a
   * group that has committed nothing, e.g. no Slack sink anywhere, shows no lag).
   */
  static Map<String, String> lagGroups(LabwatchConfig config) {
    Map<String, String> groups = new LinkedHashMap<>();
    groups.put("detect", config.detection().applicationId());
    groups.put("slack", config.slack().consumerGroup());
    return groups;
  }
}
