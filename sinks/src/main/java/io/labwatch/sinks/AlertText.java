package io.labwatch.sinks;

import io.labwatch.events.Alert;
import io.labwatch.events.AlertState;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Alerts as plain text: the console's lines, and Slack's notification fallback. */
public final class AlertText {

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

  private AlertText() {}

  /** What happened to the incident: "firing", "update", "resolved", or "" for an event. */
  public static String stage(Alert a) {
    if (a.isEvent()) {
      return "";
    }
    if (a.state() == AlertState.RESOLVED) {
      return "resolved";
    }
    return a.updatedAt().equals(a.startedAt()) ? "firing" : "update";
  }

  /** E.g. {@code 2026-11-25 14:02:11Z CRITICAL IP_CONFLICT firing: IP conflict on ...}. */
  public static String line(Alert a) {
    String stage = stage(a);
    return TIME.format(a.updatedAt())
        + " "
        + a.severity()
        + " "
        + a.kind()
        + (stage.isEmpty() ? "" : " " + stage)
        + ": "
        + a.summary();
  }

  public static String time(java.time.Instant t) {
    return TIME.format(t);
  }

  /** "41 s", "5 min", "2 h 3 min". */
  public static String duration(Duration d) {
    long s = Math.max(0, d.toSeconds());
    if (s < 120) {
      return s + " s";
    }
    long m = s / 60;
    if (m < 120) {
      return m + " min";
    }
    long h = m / 60;
    return h < 48
        ? h + " h" + (m % 60 == 0 ? "" : " " + m % 60 + " min")
        : h / 24 + " d" + (h % 24 == 0 ? "" : " " + h % 24 + " h");
  }
}
