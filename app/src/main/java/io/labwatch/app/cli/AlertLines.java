package io.labwatch.app.cli;

import io.labwatch.events.Alert;
import io.labwatch.events.AlertState;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** One readable line per alert, for the console. */
final class AlertLines {

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

  private AlertLines() {}

  /** E.g. {@code 2026-11-25 14:02:11Z CRITICAL IP_CONFLICT firing: IP conflict on ...}. */
  static String line(Alert a) {
    String what;
    if (a.isEvent()) {
      what = "";
    } else if (a.state() == AlertState.RESOLVED) {
      what = " resolved";
    } else if (a.updatedAt().equals(a.startedAt())) {
      what = " firing";
    } else {
      what = " update";
    }
    return TIME.format(a.updatedAt())
        + " "
        + a.severity()
        + " "
        + a.kind()
        + what
        + ": "
        + a.summary();
  }
}
