package io.labwatch.app.cli;

import io.labwatch.app.config.LabwatchConfig;
import io.labwatch.app.kafka.KafkaAccess;
import io.labwatch.app.report.ReportCollector;
import io.labwatch.app.report.ReportData;
import io.labwatch.app.report.ReportPage;
import io.labwatch.app.report.Screenshot;
import io.labwatch.events.LabwatchException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code labwatch report INCIDENT | --from T --to T}: one HTML page that tells the story. */
@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    description = {
      "Write an incident report: one self-contained HTML file (it fetches nothing, so it opens"
          + " offline, from a mail attachment or a Slack upload) with the incident's headline, a"
          + " zoomable timeline of the address's bindings — one lane per MAC with its vendor,"
          + " every claim marked by packet class, flips highlighted — with the alerts, the"
          + " sensors' heartbeats and silences, the probes of the address and its host's load on"
          + " the same time axis; the evidence as tables; and the commands that show the same"
          + " data again.",
      "",
      "INCIDENT is an incident id as the alerts carry it (IP_CONFLICT:10.77.0.10@2026-11-25T"
          + "14:02:11Z) or a fingerprint (IP_CONFLICT:10.77.0.10: its latest incident). Or a range"
          + " with --from/--to, of the addresses given with --ip, else of those its alerts are"
          + " about. Times: "
          + Times.FORMS
          + ".",
      "",
      "Examples:",
      "  labwatch report IP_CONFLICT:10.77.0.10",
      "  labwatch report --from 8h --ip 10.77.0.10 -o morning.html"
    },
    exitCodeListHeading = ExitCodes.HEADING,
    exitCodeList = {ExitCodes.DONE, ExitCodes.FAILED, ExitCodes.USAGE})
final class ReportCommand implements Callable<Integer> {

  @ParentCommand Labwatch parent;
  @Mixin CommonOptions common;
  @Mixin KafkaOptions kafka;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "INCIDENT",
      description = "Incident id or fingerprint.")
  String incident;

  @Option(names = "--from", paramLabel = "WHEN", description = "Start of a range to report.")
  String from;

  @Option(names = "--to", paramLabel = "WHEN", description = "End of the range. Default: now.")
  String to;

  @Option(
      names = "--ip",
      paramLabel = "IP",
      description = "An address to draw (repeatable); with --from/--to.")
  List<String> ips = new ArrayList<>();

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FILE",
      description = "Where to write the page. Default: labwatch-report-<incident>.html here.")
  Path output;

  @Option(
      names = "--png",
      paramLabel = "FILE",
      description =
          "Also a picture of the page (for Slack), taken with headless Chromium (Debian:"
              + " apt-get install chromium).")
  Path png;

  @Override
  public Integer call() throws IOException {
    CliContext ctx = parent.context();
    if ((incident == null) == (from == null)) {
      throw new LabwatchException(
          "give an INCIDENT (id or fingerprint) or a range (--from, --to), not both or neither");
    }
    if (incident != null && (to != null || !ips.isEmpty())) {
      throw new LabwatchException("--to and --ip go with --from, not with an INCIDENT");
    }
    for (String ip : ips) {
      try {
        io.labwatch.events.IpAddress.of(ip);
      } catch (IllegalArgumentException e) {
        throw new LabwatchException("--ip '" + ip + "' is not an IPv4 or IPv6 address");
      }
    }
    CommonOptions.Overrides overrides = new CommonOptions.Overrides();
    kafka.addTo(overrides);
    LabwatchConfig config = parent.loadConfig(common, overrides).config();
    Times.Range range = from == null ? null : Times.range(from, to);
    Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    KafkaAccess.connectedAdmin(config.kafkaClientProperties()).close();
    ReportCollector collector =
        new ReportCollector(config.kafkaClientProperties(), config.catalogue());
    ReportData data =
        incident != null
            ? collector.incident(incident, now)
            : collector.range(range.from(), range.to(), ips);
    Path file = ctx.workDir().resolve(output != null ? output : Path.of(defaultName(data, now)));
    Path parentDir = file.toAbsolutePath().getParent();
    if (parentDir != null && !Files.isDirectory(parentDir)) {
      throw new LabwatchException(
          "cannot write " + file + ": " + parentDir + " is not a directory");
    }
    Files.writeString(file, ReportPage.render(data, now), StandardCharsets.UTF_8);
    ctx.out().println(file);
    ctx.out().flush();
    ctx.err()
        .println(
            "report: "
                + data.lanes().size()
                + (data.lanes().size() == 1 ? " MAC, " : " MACs, ")
                + data.claims().size()
                + " claims, "
                + data.alerts().size()
                + " alert records, "
                + data.probes().size()
                + " probes, from "
                + data.from()
                + " to "
                + data.to());
    if (png != null) {
      Path picture = ctx.workDir().resolve(png);
      Screenshot.take(file, picture);
      ctx.out().println(picture);
    }
    ctx.err().flush();
    return ExitCode.OK;
  }

  static String defaultName(ReportData data, Instant now) {
    String what =
        data.incident() != null
            ? data.incident().kind()
                + "-"
                + data.incident().subject()
                + "-"
                + DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmm")
                    .withZone(ZoneOffset.UTC)
                    .format(data.incident().startedAt())
            : DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmm").withZone(ZoneOffset.UTC).format(now);
    return "labwatch-report-" + what.replaceAll("[^A-Za-z0-9._-]+", "_") + ".html";
  }
}
