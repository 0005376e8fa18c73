package io.labwatch.app.cli;

import io.labwatch.app.config.LabwatchConfig;
import io.labwatch.events.Topics;
import picocli.CommandLine.Option;

/** Where Kafka is, for commands that talk to a running broker or cluster. */
public final class KafkaOptions {

  @Option(
      names = {"-b", "--bootstrap-servers"},
      paramLabel = "HOST:PORT[,...]",
      description =
          "Kafka to use (kafka.bootstrap.servers). Default: the local labwatch broker at"
              + " broker.host:broker.port ("
              + LabwatchConfig.Broker.DEFAULT_HOST
              + ":"
              + LabwatchConfig.Broker.DEFAULT_PORT
              + ").")
  String bootstrapServers;

  @Option(
      names = "--topic-prefix",
      paramLabel = "PREFIX",
      description =
          "Prefix of labwatch's topic names (topics.prefix). Default: " + Topics.DEFAULT_PREFIX)
  String topicPrefix;

  void addTo(CommonOptions.Overrides overrides) {
    overrides
        .add("kafka.bootstrap.servers", bootstrapServers, "--bootstrap-servers")
        .add("topics.prefix", topicPrefix, "--topic-prefix");
  }
}
