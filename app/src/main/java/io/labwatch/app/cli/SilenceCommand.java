package io.labwatch.app.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code labwatch silence}: keep Slack quiet about some incidents for a while. */
@Command(
    name = "silence",
    mixinStandardHelpOptions = true,
    description = {
      "Keep Slack quiet about some incidents for a while, as Alertmanager's silences do: an"
          + " incident an active silence matches (by kind, subject, or both) is not posted —"
          + " neither its FIRING, nor its updates, nor its RESOLVED. It still fires:"
          + " labwatch_alert_firing shows it, labwatch_alert_silenced says it is silenced, and"
          + " labwatch status marks it. When the silence ends, by its time or by"
          + " 'labwatch silence expire', an incident that still fires is posted once more.",
      "",
      "Silences are kept in the compacted labwatch.silences topic; running sinks pick a change up"
          + " within a second, without a restart."
    },
    subcommands = {SilenceAddCommand.class, SilenceListCommand.class, SilenceExpireCommand.class})
final class SilenceCommand implements Callable<Integer> {

  @ParentCommand Labwatch labwatch;
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(labwatch.context().out());
    return ExitCode.USAGE;
  }
}
