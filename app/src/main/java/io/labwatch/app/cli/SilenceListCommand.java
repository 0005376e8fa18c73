package io.labwatch.app.cli;

import io.labwatch.app.config.LabwatchConfig;
import io.labwatch.app.kafka.SilenceStore;
import io.labwatch.events.Silence;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code labwatch silence list}: the silences in force, and with --all the recent past. */
@Command(
    name = "list",
    mixinStandardHelpOptions = true,
    description = {
      "List the silences in force: id, what they match, when they end and how long that is,"
          + " who made them and why; the soonest to end first. --all adds those that ended in the"
          + " last 7 days (expired by time or by labwatch silence expire), the latest first."
    },
    exitCodeListHeading = ExitCodes.HEADING,
    exitCodeList = {ExitCodes.DONE, ExitCodes.FAILED, ExitCodes.USAGE})
final class SilenceListCommand implements Callable<Integer> {

  /** How far back --all looks for silences that ended (Alertmanager keeps them 5 days). */
  static final Duration RECENT = Duration.ofDays(7);

  @ParentCommand SilenceCommand parent;
  @Mixin CommonOptions common;
  @Mixin KafkaOptions kafka;

  @Option(names = "--all", description = "Also the silences that ended in the last 7 days.")
  boolean all;

  @Override
  public Integer call() {
    CliContext ctx = parent.labwatch.context();
    CommonOptions.Overrides overrides = new CommonOptions.Overrides();
    kafka.addTo(overrides);
    LabwatchConfig config = parent.labwatch.loadConfig(common, overrides).config();
    var silences =
        SilenceStore.read(SilenceTopic.ensure(config), config.kafkaClientProperties()).values();
    Instant now = Instant.now();
    List<Silence> active =
        silences.stream()
            .filter(s -> s.endsAt().isAfter(now))
            .sorted(Comparator.comparing(Silence::endsAt).thenComparing(Silence::id))
            .toList();
    List<Silence> ended =
        all
            ? silences.stream()
                .filter(s -> !s.endsAt().isAfter(now))
                .filter(s -> s.endsAt().isAfter(now.minus(RECENT)))
                .sorted(Comparator.comparing(Silence::endsAt).reversed())
                .toList()
            : List.of();
    PrintWriter out = ctx.out();
    if (active.isEmpty() && ended.isEmpty()) {
      out.println(
          all
              ? "no silences in force or ended in the last " + RECENT.toDays() + " days"
              : "no silences in force (labwatch silence add makes one)");
    } else {
      SilenceTopic.header(out);
      active.forEach(s -> SilenceTopic.row(out, s, now));
      ended.forEach(s -> SilenceTopic.row(out, s, now));
    }
    out.flush();
    return ExitCode.OK;
  }
}
