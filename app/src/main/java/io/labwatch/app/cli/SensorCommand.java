package io.labwatch.app.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code labwatch sensor}: one sensor on its own. */
@Command(
    name = "sensor",
    mixinStandardHelpOptions = true,
    description = "Run one sensor on its own, publishing to Kafka (or printing with --stdout).",
    subcommands = {SensorArpCommand.class, SensorSnmpCommand.class, SensorHostCommand.class})
final class SensorCommand implements Callable<Integer> {

  @ParentCommand Labwatch labwatch;
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(labwatch.context().out());
    return ExitCode.USAGE;
  }
}
