package io.labwatch.app.cli;

import io.labwatch.app.config.LabwatchConfig;
import io.labwatch.app.detect.Detection;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code labwatch detect}: the detection topology against a broker, until stopped. */
@Command(
    name = "detect",
    mixinStandardHelpOptions = true,
    description = {
      "Run labwatch's detection (one Kafka Streams application) until Ctrl-C or SIGTERM: it reads"
          + " labwatch.arp and writes alerts to labwatch.alerts, exactly once.",
      "",
      "Its state is kept in DATA_DIR/streams and in Kafka; several instances with the same"
          + " detection.applicationId share the work. The inventory (detection.inventory) is written"
          + " to labwatch.inventory at start; `labwatch inventory` updates it while this runs."
    },
    exitCodeListHeading = ExitCodes.HEADING,
    exitCodeList = {
      ExitCodes.DONE,
      ExitCodes.FAILED,
      ExitCodes.USAGE,
      ExitCodes.INTERRUPTED,
      ExitCodes.TERMINATED
    })
final class DetectCommand implements Callable<Integer> {

  @ParentCommand Labwatch parent;
  @Mixin CommonOptions common;
  @Mixin KafkaOptions kafka;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description =
          "Where the detection keeps its state, in DIR/streams (dataDir); two instances on one box"
              + " need one each. Default: "
              + LabwatchConfig.DEFAULT_DATA_DIR
              + ".")
  Path dataDir;

  @Option(
      names = "--standby-replicas",
      paramLabel = "N",
      description =
          "Copies of each part of the detection's state kept warm by other instances (Kafka"
              + " Streams' num.standby.replicas), so that one taking over a dead instance's"
              + " partitions need not rebuild their state from Kafka first. Default: 1 (none is"
              + " kept while this instance is alone).")
  int standbyReplicas = 1;

  @Override
  public Integer call() throws Exception {
    CliContext ctx = parent.context();
    CommonOptions.Overrides overrides =
        new CommonOptions.Overrides().add("dataDir", dataDir, "--data-dir");
    kafka.addTo(overrides);
    LabwatchConfig config = parent.loadConfig(common, overrides).config();
    String bootstrap = config.bootstrapServers();
    Pipeline.prepare(config, bootstrap);
    Shutdown shutdown = ctx.shutdown();
    AtomicReference<String> failure = new AtomicReference<>();
    shutdown.register(
        "detection",
        Detection.start(
            config,
            bootstrap,
            standbyReplicas,
            why -> {
              failure.set(why);
              shutdown.requestStop();
            }));
    ctx.err()
        .printf(
            "labwatch detect: %s -> %s at %s; %s; Ctrl-C stops.%n",
            config.catalogue().arp().name(),
            config.catalogue().alerts().name(),
            bootstrap,
            standbyReplicas == 0
                ? "no standby replicas"
                : standbyReplicas
                    + " standby replica(s) of its state on other instances (none while alone;"
                    + " `labwatch status` lists the instances)");
    ctx.err().flush();
    shutdown.awaitStopRequest();
    shutdown.closeAll();
    if (failure.get() != null) {
      ctx.err().println("labwatch: error: " + failure.get());
      return ExitCode.SOFTWARE;
    }
    return ExitCode.OK;
  }
}
