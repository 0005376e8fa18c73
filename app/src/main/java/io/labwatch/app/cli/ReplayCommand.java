package io.labwatch.app.cli;

import io.labwatch.app.config.Durations;
import io.labwatch.app.config.LabwatchConfig;
import io.labwatch.app.detect.RangeReplay;
import io.labwatch.app.kafka.KafkaAccess;
import io.labwatch.events.Json;
import io.labwatch.events.LabwatchException;
import io.labwatch.sinks.AlertText;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code labwatch replay --from T --to T}: the detection re-run over what the topics kept. */
@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    description = {
      "Re-run labwatch's detection — every rule family: address bindings, impostors, host"
          + " load, router ports, reachability — over a time range of what the arp, host and snmp"
          + " topics kept, merged in time order across partitions and topics, and print the alerts"
          + " it raises.",
      "",
      "On a terminal, a progress bar on stderr shows how far into the range it is, the records"
          + " and the rate (after a second; never when stderr is a file or a pipe).",
      "",
      "It only reads: no consumer group, nothing written, no Slack, and the live detection's"
          + " state is not touched. Thresholds and the inventory come from the config, so"
          + " another --config answers \"would these settings have caught it?\". The live"
          + " pipeline's alerts for a range are the same as a replay's of it (the live rules"
          + " that need the wall clock aside: a sensor silent while nothing at all arrived).",
      "",
      "Times: " + Times.FORMS + ".",
      "",
      "Examples:",
      "  labwatch replay --from 2026-11-10 --to 2026-11-24T12:00Z",
      "  labwatch replay --from 2h --config stricter.yml --json | jq -r .summary"
    },
    exitCodeListHeading = ExitCodes.HEADING,
    exitCodeList = {
      ExitCodes.DONE,
      ExitCodes.FAILED,
      ExitCodes.USAGE,
      ExitCodes.INTERRUPTED,
      ExitCodes.TERMINATED
    })
final class ReplayCommand implements Callable<Integer> {

  @ParentCommand Labwatch parent;
  @Mixin CommonOptions common;
  @Mixin KafkaOptions kafka;

  @Option(
      names = "--from",
      required = true,
      paramLabel = "WHEN",
      description = "Start of the range (inclusive).")
  String from;

  @Option(
      names = "--to",
      paramLabel = "WHEN",
      defaultValue = "now",
      description = "End of the range (exclusive). Default: now.")
  String to;

  @Option(
      names = "--warm-up",
      paramLabel = "DURATION",
      defaultValue = "0s",
      description =
          "Also read this much before --from, so that the rules know the addresses and baselines"
              + " they would have known live; alerts from it are not printed. Default: none.")
  String warmUp;

  @Option(
      names = "--json",
      description = "Print each alert as a JSON line (the alerts topic's format).")
  boolean json;

  @Override
  public Integer call() {
    CliContext ctx = parent.context();
    CommonOptions.Overrides overrides = new CommonOptions.Overrides();
    kafka.addTo(overrides);
    LabwatchConfig config = parent.loadConfig(common, overrides).config();
    Times.Range range = Times.range(from, to);
    Instant start = range.from();
    Instant end = range.to();
    Duration warm;
    try {
      warm = Durations.parse(warmUp);
    } catch (IllegalArgumentException e) {
      throw new LabwatchException("--warm-up '" + warmUp + "' is not a duration (30m, 2h, 1d)");
    }
    KafkaAccess.connectedAdmin(config.kafkaClientProperties()).close();
    PrintWriter out = ctx.out();
    PrintWriter err = ctx.err();
    ProgressBar progress =
        ProgressBar.forRange(
            err, "replaying", end.toEpochMilli() - start.minus(warm).toEpochMilli());
    RangeReplay.Result result;
    try {
      result =
          RangeReplay.run(
              config.kafkaClientProperties(),
              config.catalogue(),
              config.detection(),
              start,
              end,
              warm,
              a -> {
                progress.done(); // an alert line starts on a clean line; the bar comes back
                out.println(json ? Json.toJson(a) : AlertText.line(a));
                out.flush();
              },
              ctx.shutdown()::isStopRequested,
              progress);
    } finally {
      progress.done();
    }
    if (result.records() == 0) {
      throw new LabwatchException(
          nothingKept(result.oldestKept(), result.deletedSome(), start, end, config));
    }
    if (result.deletedSome() && result.oldestKept() > start.minus(warm).toEpochMilli()) {
      err.println(
          "note: the topics keep records from "
              + Instant.ofEpochMilli(result.oldestKept())
              + " on; what came before was deleted by their retention");
    }
    err.println(result.line());
    err.flush();
    return ExitCode.OK;
  }

  /** Why a range held nothing, in one line. */
  static String nothingKept(
      long oldestKept, boolean deleted, Instant start, Instant end, LabwatchConfig config) {
    String topics =
        config.catalogue().arp().name()
            + ", "
            + config.catalogue().host().name()
            + " and "
            + config.catalogue().snmp().name();
    if (oldestKept == Long.MAX_VALUE) {
      return topics + " hold no records: has a sensor published to this Kafka (`labwatch status`)?";
    }
    Instant oldest = Instant.ofEpochMilli(oldestKept);
    if (!end.isAfter(oldest)) {
      return "nothing is kept from "
          + start
          + " to "
          + end
          + ": the range ends before the oldest record kept ("
          + oldest
          + (deleted
              ? "); older records were deleted by the topics' retention (labwatch topics shows it)"
              : "); nothing older was ever written");
    }
    return "no records of "
        + topics
        + " from "
        + start
        + " to "
        + end
        + " (kept from "
        + oldest
        + " on)";
  }
}
