package io.labwatch.app.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.labwatch.app.testing.Cli;
import io.labwatch.app.testing.KafkaBrokerExtension;
import io.labwatch.app.testing.TestKafka;
import io.labwatch.events.InventoryEntry;
import io.labwatch.events.IpAddress;
import io.labwatch.events.MacAddress;
import io.labwatch.events.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(KafkaBrokerExtension.class)
class InventoryWriterIT {

  @TempDir Path dir;

  @Test
  void theInventoryTopicFollowsTheConfigWritingOnlyWhatChanged(TestKafka kafka) throws Exception {
    Topics topics = TestKafka.uniqueTopics();
    Path config = dir.resolve("labwatch.yml");
    Files.writeString(
        config,
        "detection:\n  inventory:\n    10.77.0.1: [\"00:1b:21:77:00:01\"]\n    10.77.0.10: [\"dc:9b:9c:77:00:10\"]\n");
    Cli cli = new Cli().env("LABWATCH_TOPICS_PREFIX", topics.prefix());
    String[] args = {"inventory", "--config", config.toString(), "-b", kafka.bootstrapServers()};

    Cli.Result first = cli.run(args);
    assertThat(first.exitCode()).as(first.err()).isZero();
    assertThat(first.out()).contains("2 written, 0 removed, 0 unchanged");
    Map<String, InventoryEntry> table =
        InventoryWriter.read(
            topics.inventory(), Map.of("bootstrap.servers", kafka.bootstrapServers()));
    assertThat(table).containsOnlyKeys("10.77.0.1", "10.77.0.10");
    assertThat(table.get("10.77.0.1").macs()).containsExactly(MacAddress.of("00:1b:21:77:00:01"));

    assertThat(cli.run(args).out()).contains("0 written, 0 removed, 2 unchanged");

    Files.writeString(
        config,
        "detection:\n  inventory:\n    10.77.0.1: [\"00:1b:21:77:00:01\", \"00:1b:21:77:00:02\"]\n");
    assertThat(cli.run(args).out()).contains("1 written, 1 removed, 0 unchanged");
    table =
        InventoryWriter.read(
            topics.inventory(), Map.of("bootstrap.servers", kafka.bootstrapServers()));
    assertThat(table).containsOnlyKeys("10.77.0.1");
    assertThat(table.get("10.77.0.1").ip()).isEqualTo(IpAddress.of("10.77.0.1"));
    assertThat(table.get("10.77.0.1").macs()).hasSize(2);
    assertThat(List.copyOf(table.keySet())).containsExactly("10.77.0.1");
  }
}
