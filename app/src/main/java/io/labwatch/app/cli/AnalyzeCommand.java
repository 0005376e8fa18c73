package io.labwatch.app.cli;

import io.labwatch.app.config.LabwatchConfig;
import io.labwatch.app.detect.CaptureAnalysis;
import io.labwatch.app.detect.EndOfCapture;
import io.labwatch.events.Json;
import io.labwatch.producers.arp.Interfaces;
import io.labwatch.sinks.AlertText;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code labwatch analyze CAPTURE}: the alerts a capture would have raised. */
@Command(
    name = "analyze",
    mixinStandardHelpOptions = true,
    description = {
      "Read a capture file (pcap or pcapng, e.g. from tcpdump -w) and run labwatch's detection"
          + " over it, in capture time, printing the alerts it would have raised live. Needs no"
          + " broker and no root.",
      "",
      "On a terminal, a progress bar on stderr shows the share of the file read and the rate"
          + " (after a second; never when stderr is a file or a pipe).",
      "",
      "Thresholds and the inventory come from the config (--config), as for the live pipeline."
          + " At the end it lists the incidents still firing, with their final counts, and the"
          + " address changes still waiting for their window (a capture shorter than the window"
          + " holding a NIC swap would otherwise say nothing); with --json these are JSON lines"
          + " too, with state STILL_FIRING or PENDING.",
      "",
      "Examples:",
      "  labwatch analyze incident.pcapng",
      "  labwatch analyze incident.pcap --json | jq .summary"
    },
    exitCodeListHeading = ExitCodes.HEADING,
    exitCodeList = {ExitCodes.DONE, ExitCodes.CAPTURE_INCOMPLETE, ExitCodes.USAGE})
final class AnalyzeCommand implements Callable<Integer> {

  @ParentCommand Labwatch parent;
  @Mixin CommonOptions common;

  @Parameters(index = "0", paramLabel = "CAPTURE", description = "The capture file.")
  Path capture;

  @Option(
      names = "--json",
      description = "Print each alert as a JSON line (the alerts topic's format).")
  boolean json;

  @Option(
      names = "--sensor-id",
      paramLabel = "ID",
      description =
          "Sensor name in the alerts. Default: sensor.arp.sensorId, else <host name>-pcap.")
  String sensorId;

  @Override
  public Integer call() {
    CliContext ctx = parent.context();
    LabwatchConfig config = parent.loadConfig(common, new CommonOptions.Overrides()).config();
    String id =
        sensorId != null
            ? sensorId
            : config.sensor().arp().sensorId().isEmpty()
                ? Interfaces.hostName() + "-pcap"
                : config.sensor().arp().sensorId();
    PrintWriter out = ctx.out();
    PrintWriter err = ctx.err();
    ProgressBar progress =
        ProgressBar.forCapture(err, "analysing " + capture.getFileName(), size(capture));
    CaptureAnalysis.Result result;
    try {
      result =
          CaptureAnalysis.run(
              capture,
              id,
              config.detection(),
              config.sensor().arp().heartbeatInterval(),
              a -> {
                progress.done(); // an alert line starts on a clean line; the bar comes back
                out.println(json ? Json.toJson(a) : AlertText.line(a));
                out.flush();
              },
              progress);
    } finally {
      progress.done();
    }
    err.println(
        result.replay().line("analysed")
            + "; "
            + result.alerts().size()
            + (result.alerts().size() == 1 ? " alert" : " alerts"));
    // what was left open: results, so JSON goes with the alerts; as text it is a summary
    if (json) {
      EndOfCapture.json(result).forEach(out::println);
      out.flush();
    } else {
      EndOfCapture.text(result).forEach(err::println);
    }
    err.flush();
    return result.replay().incomplete() ? ExitCode.SOFTWARE : ExitCode.OK;
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      return -1; // the analysis says what is wrong with it
    }
  }
}
