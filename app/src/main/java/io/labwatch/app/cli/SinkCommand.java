package io.labwatch.app.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code labwatch sink}: one sink on its own. */
@Command(
    name = "sink",
    mixinStandardHelpOptions = true,
    description = "Run one sink on its own: it reads labwatch.alerts and delivers them.",
    subcommands = {SinkSlackCommand.class, SinkPrometheusCommand.class})
final class SinkCommand implements Callable<Integer> {

  @ParentCommand Labwatch labwatch;
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(labwatch.context().out());
    return ExitCode.USAGE;
  }
}
