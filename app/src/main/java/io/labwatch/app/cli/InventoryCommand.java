package io.labwatch.app.cli;

import io.labwatch.app.config.LabwatchConfig;
import io.labwatch.app.kafka.InventoryWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/** {@code labwatch inventory}: publish the configured inventory, live. */
@Command(
    name = "inventory",
    mixinStandardHelpOptions = true,
    description = {
      "Write detection.inventory (protected IPs and the MACs that may hold them) from the config to"
          + " the labwatch.inventory topic: new and changed entries, and removals. A running"
          + " detection picks the change up at once; nothing needs a restart."
    },
    exitCodeListHeading = ExitCodes.HEADING,
    exitCodeList = {ExitCodes.DONE, ExitCodes.FAILED, ExitCodes.USAGE})
final class InventoryCommand implements Callable<Integer> {

  @ParentCommand Labwatch parent;
  @Mixin CommonOptions common;
  @Mixin KafkaOptions kafka;

  @Override
  public Integer call() {
    CliContext ctx = parent.context();
    CommonOptions.Overrides overrides = new CommonOptions.Overrides();
    kafka.addTo(overrides);
    LabwatchConfig config = parent.loadConfig(common, overrides).config();
    InventoryWriter.Result r = Pipeline.prepare(config, config.bootstrapServers()).inventory();
    ctx.out()
        .printf(
            "inventory in %s: %d written, %d removed, %d unchanged%n",
            config.catalogue().inventory().name(), r.written(), r.removed(), r.unchanged());
    ctx.out().flush();
    return ExitCode.OK;
  }
}
