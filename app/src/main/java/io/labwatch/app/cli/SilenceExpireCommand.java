package io.labwatch.app.cli;

import io.labwatch.app.config.LabwatchConfig;
import io.labwatch.app.kafka.SilenceStore;
import io.labwatch.events.Silence;
import io.labwatch.events.Topic;
import io.labwatch.sinks.AlertText;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code labwatch silence expire}: end silences now. */
@Command(
    name = "expire",
    mixinStandardHelpOptions = true,
    description = {
      "End silences now, before their time. An incident one of them kept quiet that still fires"
          + " is posted to Slack once more, saying its silence ended. The silence is kept, with"
          + " its new end: labwatch silence list --all shows it."
    },
    exitCodeListHeading = ExitCodes.HEADING,
    exitCodeList = {ExitCodes.DONE, ExitCodes.FAILED, ExitCodes.USAGE})
final class SilenceExpireCommand implements Callable<Integer> {

  @ParentCommand SilenceCommand parent;
  @Mixin CommonOptions common;
  @Mixin KafkaOptions kafka;

  @Parameters(
      arity = "1..*",
      paramLabel = "ID",
      description = "The silence's id, as labwatch silence add printed it or list shows it.")
  List<String> ids;

  @Override
  public Integer call() {
    CliContext ctx = parent.labwatch.context();
    CommonOptions.Overrides overrides = new CommonOptions.Overrides();
    kafka.addTo(overrides);
    LabwatchConfig config = parent.labwatch.loadConfig(common, overrides).config();
    Topic<String, Silence> topic = SilenceTopic.ensure(config);
    Map<String, Silence> silences = SilenceStore.read(topic, config.kafkaClientProperties());
    // all known before any is written: a typo in the second id ends none
    for (String id : ids) {
      if (!silences.containsKey(id.strip())) {
        throw new UsageException(
            "no silence '" + id + "' (labwatch silence list --all shows them)");
      }
    }
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    for (String id : ids) {
      Silence s = silences.get(id.strip());
      if (!s.endsAt().isAfter(now)) {
        ctx.out()
            .printf(
                "silence %s (%s) had already ended at %s%n",
                s.id(), s.matcher(), AlertText.time(s.endsAt()));
        continue;
      }
      Silence ended = s.endedAt(now);
      SilenceStore.write(topic, ended, config.kafkaClientProperties());
      ctx.out()
          .printf(
              "silence %s (%s) ended at %s; an incident it kept quiet that still fires is posted"
                  + " once more%n",
              s.id(), s.matcher(), AlertText.time(ended.endsAt()));
    }
    ctx.out().flush();
    return ExitCode.OK;
  }
}
