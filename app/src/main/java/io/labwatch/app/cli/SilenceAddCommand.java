package io.labwatch.app.cli;

import io.labwatch.app.config.LabwatchConfig;
import io.labwatch.app.kafka.SilenceStore;
import io.labwatch.events.AlertState;
import io.labwatch.events.Silence;
import io.labwatch.events.Topic;
import io.labwatch.sinks.AlertText;
import io.labwatch.sinks.LiveTable;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code labwatch silence add}: a new silence, from now on. */
@Command(
    name = "add",
    mixinStandardHelpOptions = true,
    description = {
      "Silence the incidents that match, from now for --for: Slack is not told of them (neither"
          + " FIRING, nor updates, nor RESOLVED) while they still show in Prometheus and in"
          + " labwatch status. Prints the new silence's id and when it ends. When it ends while a"
          + " matched incident still fires, that incident is posted once more.",
      "",
      "Match by KIND:SUBJECT (IP_CONFLICT:10.77.0.10; * for any: IP_CONFLICT:*, *:10.77.0.10), or"
          + " by --kind and/or --subject. A kind must be one labwatch raises; a subject is matched"
          + " as alerts have it (an IP address, a host name, device/ifIndex, IP/service).",
      "",
      "Example: labwatch silence add IP_CONFLICT:10.77.0.10 --for 2h --reason \"router swap,"
          + " Tom\""
    },
    exitCodeListHeading = ExitCodes.HEADING,
    exitCodeList = {ExitCodes.DONE, ExitCodes.FAILED, ExitCodes.USAGE})
final class SilenceAddCommand implements Callable<Integer> {

  @ParentCommand SilenceCommand parent;
  @Mixin CommonOptions common;
  @Mixin KafkaOptions kafka;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "KIND:SUBJECT",
      description = "What to silence, e.g. IP_CONFLICT:10.77.0.10; * matches any kind or subject.")
  String matcher;

  @Option(
      names = "--kind",
      paramLabel = "KIND",
      description = "Silence this kind of alert (any subject, unless --subject), e.g. LOAD_SPIKE.")
  String kind;

  @Option(
      names = "--subject",
      paramLabel = "SUBJECT",
      description = "Silence alerts about this (any kind, unless --kind), e.g. 10.77.0.10.")
  String subject;

  @Option(
      names = "--for",
      required = true,
      paramLabel = "DURATION",
      description = "How long, from now: 30m, 2h, 1h30m, 7d.")
  String duration;

  @Option(
      names = "--reason",
      required = true,
      paramLabel = "TEXT",
      description = "Why, for whoever wonders later why Slack was quiet.")
  String reason;

  @Override
  public Integer call() {
    CliContext ctx = parent.labwatch.context();
    // what was asked is checked before Kafka is: a typo is one line, with or without a broker
    SilenceMatch match = SilenceMatch.parse(matcher, kind, subject);
    Duration length = SilenceMatch.duration(duration);
    if (reason.isBlank()) {
      throw new UsageException("--reason: say why, for whoever wonders later why Slack was quiet");
    }
    CommonOptions.Overrides overrides = new CommonOptions.Overrides();
    kafka.addTo(overrides);
    LabwatchConfig config = parent.labwatch.loadConfig(common, overrides).config();
    Topic<String, Silence> topic = SilenceTopic.ensure(config);
    Map<String, Silence> existing = SilenceStore.read(topic, config.kafkaClientProperties());
    String id;
    do {
      id = UUID.randomUUID().toString().substring(0, 8);
    } while (existing.containsKey(id));
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    Silence s =
        new Silence(
            id,
            match.kind(),
            match.subject(),
            now,
            now.plus(length),
            reason.strip(),
            SilenceTopic.who(ctx.env()));
    SilenceStore.write(topic, s, config.kafkaClientProperties());
    ctx.out()
        .printf(
            "silence %s added: %s until %s (%s)%s; to end it early: labwatch silence expire %s%n",
            id,
            s.matcher(),
            AlertText.time(s.endsAt()),
            AlertText.duration(length),
            matching(config, s),
            id);
    ctx.out().flush();
    return ExitCode.OK;
  }

  /**
   * "; it matches 2 incidents firing now": a subject mistyped shows as 0 at once. Empty when the
   * alerts cannot be read: the silence is written all the same.
   */
  private static String matching(LabwatchConfig config, Silence s) {
    try {
      long n =
          LiveTable.snapshot(config.catalogue().alerts(), config.kafkaClientProperties())
              .values()
              .stream()
              .filter(a -> a.state() == AlertState.FIRING && !a.isEvent())
              .filter(a -> s.matches(a.kind(), a.subject()))
              .count();
      return "; it matches " + n + (n == 1 ? " incident" : " incidents") + " firing now";
    } catch (RuntimeException e) {
      return "";
    }
  }
}
