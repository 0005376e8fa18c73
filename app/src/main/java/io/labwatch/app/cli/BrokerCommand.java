package io.labwatch.app.cli;

import io.labwatch.app.broker.EmbeddedBroker;
import io.labwatch.app.config.LabwatchConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code labwatch broker}: the embedded Kafka broker, alone or a node of a cluster, until stopped.
 */
@Command(
    name = "broker",
    mixinStandardHelpOptions = true,
    description = {
      "Run labwatch's embedded Kafka broker (KRaft) until Ctrl-C or SIGTERM: alone, or with"
          + " --node-id and --voters one node of a cluster (three on three boxes survive one's"
          + " loss).",
      "",
      "Sensors, the detection and sinks elsewhere can then use --bootstrap-servers HOST:PORT."
          + " Data is kept in DIR/kafka and survives restarts; the directory is formatted on first"
          + " use only. Topics are not created automatically: `labwatch topics` creates"
          + " labwatch's."
    },
    exitCodeListHeading = ExitCodes.HEADING,
    exitCodeList = {
      ExitCodes.DONE,
      ExitCodes.FAILED,
      ExitCodes.USAGE,
      ExitCodes.INTERRUPTED,
      ExitCodes.TERMINATED
    })
final class BrokerCommand implements Callable<Integer> {

  @ParentCommand Labwatch parent;
  @Mixin CommonOptions common;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description =
          "Where to keep data (dataDir). Default: " + LabwatchConfig.DEFAULT_DATA_DIR + ".")
  Path dataDir;

  @Option(
      names = "--host",
      paramLabel = "ADDRESS",
      description =
          "Address to listen on (broker.host). Default: "
              + LabwatchConfig.Broker.DEFAULT_HOST
              + ".")
  String host;

  @Option(
      names = {"-p", "--port"},
      paramLabel = "N",
      description =
          "Port to listen on (broker.port); 0 picks a free one. Default: "
              + LabwatchConfig.Broker.DEFAULT_PORT
              + ".")
  Integer port;

  @Option(
      names = "--node-id",
      paramLabel = "N",
      description =
          "This node's id in a cluster of several (broker.nodeId); one of --voters'. Default: 1.")
  Integer nodeId;

  @Option(
      names = "--voters",
      paramLabel = "ID@HOST:PORT[,...]",
      description = {
        "The cluster's nodes, each as its id and its controller's address (broker.voters):"
            + " the same list on every node, e.g. 1@10.0.0.1:9093,2@10.0.0.2:9093,3@10.0.0.3:9093."
            + " Each node is broker and controller; topics get 3 replicas, 2 in sync for a write.",
        "Default: none, a broker alone."
      })
  String voters;

  @Override
  public Integer call() throws Exception {
    CliContext ctx = parent.context();
    LabwatchConfig config =
        parent
            .loadConfig(
                common,
                new CommonOptions.Overrides()
                    .add("dataDir", dataDir, "--data-dir")
                    .add("broker.host", host, "--host")
                    .add("broker.port", port, "--port")
                    .add("broker.nodeId", nodeId, "--node-id")
                    .add("broker.voters", voters, "--voters"))
            .config();
    Shutdown shutdown = ctx.shutdown();
    EmbeddedBroker broker =
        shutdown.register(
            "broker",
            EmbeddedBroker.start(
                config.dataDir(),
                config.broker().host(),
                config.broker().advertisedHost(),
                config.broker().port(),
                0,
                config.broker().quorum()));
    ctx.out()
        .printf(
            "labwatch broker: Kafka listening on %s, data in %s%s%n",
            broker.bootstrapServers(), broker.logDir(), broker.formattedNow() ? " (new)" : "");
    ctx.out().println("Ctrl-C stops it.");
    ctx.out().flush();
    shutdown.awaitStopRequest();
    shutdown.closeAll();
    return ExitCode.OK;
  }
}
