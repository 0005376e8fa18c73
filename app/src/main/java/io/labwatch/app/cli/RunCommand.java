package io.labwatch.app.cli;

import io.labwatch.app.broker.EmbeddedBroker;
import io.labwatch.app.config.ConfigLoader;
import io.labwatch.app.config.LabwatchConfig;
import io.labwatch.app.kafka.KafkaAccess;
import io.labwatch.app.kafka.TopicManager;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code labwatch run}: the whole pipeline in one JVM. So far: the embedded broker (unless an
 * external cluster is configured) and the topics; the sensors, detection and sinks join it as they
 * are built.
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Run labwatch on this box until Ctrl-C or SIGTERM: an embedded Kafka broker (unless"
          + " --bootstrap-servers points at a cluster) and labwatch's topics.",
      "",
      "History is kept in the data dir and survives restarts."
    })
final class RunCommand implements Callable<Integer> {

  @ParentCommand Labwatch parent;
  @Mixin CommonOptions common;
  @Mixin KafkaOptions kafka;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description = "Where to keep data (dataDir). Default: ~/.local/share/labwatch.")
  Path dataDir;

  @Option(
      names = "--broker-port",
      paramLabel = "N",
      description = "Port of the embedded broker (broker.port); 0 picks a free one. Default: 9092.")
  Integer brokerPort;

  @Override
  public Integer call() throws Exception {
    long started = System.nanoTime();
    CliContext ctx = parent.context();
    CommonOptions.Overrides overrides =
        new CommonOptions.Overrides()
            .add("dataDir", dataDir, "--data-dir")
            .add("broker.port", brokerPort, "--broker-port");
    kafka.addTo(overrides);
    ConfigLoader.Loaded loaded = parent.loadConfig(common, overrides);
    LabwatchConfig config = loaded.config();
    Shutdown shutdown = ctx.shutdown();

    String bootstrap;
    String brokerLine;
    if (config.externalBootstrapServers().isPresent()) {
      bootstrap = config.externalBootstrapServers().get();
      brokerLine = bootstrap + " (external cluster)";
    } else {
      EmbeddedBroker broker =
          shutdown.register(
              "embedded broker",
              EmbeddedBroker.start(
                  config.dataDir(), config.broker().host(), config.broker().port()));
      bootstrap = broker.bootstrapServers();
      brokerLine =
          bootstrap
              + " (embedded; data in "
              + broker.logDir()
              + (broker.formattedNow() ? ", new)" : ")");
    }

    List<TopicManager.TopicState> topics;
    try (Admin admin = KafkaAccess.connectedAdmin(config.kafkaClientProperties(bootstrap))) {
      topics =
          new TopicManager(admin)
              .ensure(config.catalogue().all(), config.topics().replicationFactor());
    }

    PrintWriter out = ctx.out();
    out.printf("labwatch %s is running%n", Labwatch.version());
    out.printf("  broker   %s%n", brokerLine);
    out.printf(
        "  topics   %s%n",
        topics.stream()
            .map(t -> t.topic().name() + (t.createdNow() ? " (new)" : ""))
            .collect(Collectors.joining(", ")));
    out.printf(
        "  config   %s%n",
        loaded.file().map(Path::toString).orElse("built-in defaults (no labwatch.yml)"));
    // other commands find this broker through the same config; name it only when they would not
    String where =
        bootstrap.equals(config.bootstrapServers()) ? "" : " --bootstrap-servers " + bootstrap;
    out.printf("  look     labwatch tail %s%s%n", config.catalogue().alerts().name(), where);
    out.printf("ready in %.1f s; Ctrl-C stops.%n", (System.nanoTime() - started) / 1e9);
    out.flush();
    TopicsTable.warnDrifts(topics, ctx.err(), true);
    ctx.err().flush();

    shutdown.awaitStopRequest();
    shutdown.closeAll();
    return 0;
  }
}
