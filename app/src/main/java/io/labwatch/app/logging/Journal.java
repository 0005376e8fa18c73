package io.labwatch.app.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.labwatch.events.Alert;
import io.labwatch.events.AlertState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.function.Function;

/**
 * Log lines for where they end up. On a terminal or in a file: the date and time first. Under
 * systemd, whose journal stamps every line itself, no time but the syslog priority ({@code <3>}
 * error, {@code <4>} warning, {@code <6>} info, {@code <7>} debug), which journald reads and strips
 * — so {@code journalctl -p warning} shows labwatch's warnings. The journal is recognized as
 * systemd documents it: {@code $JOURNAL_STREAM} names the device and inode of the stream, and
 * standard error is that stream.
 */
public final class Journal {

  private static final boolean TO_JOURNAL =
      toJournal(System.getenv("JOURNAL_STREAM"), Path.of("/proc/self/fd/2"));
  private static final boolean OUT_TO_JOURNAL =
      toJournal(System.getenv("JOURNAL_STREAM"), Path.of("/proc/self/fd/1"));

  private Journal() {}

  /** Whether standard error is the journal stream that {@code journalStream} names. */
  static boolean toJournal(String journalStream, Path stderr) {
    if (journalStream == null || !journalStream.contains(":")) {
      return false;
    }
    String inode = journalStream.substring(journalStream.indexOf(':') + 1).trim();
    try {
      // a socket's link reads socket:[INODE]
      return Files.readSymbolicLink(stderr).toString().equals("socket:[" + inode + "]");
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return false;
    }
  }

  /**
   * How {@code labwatch run} prints an alert on its standard output: under systemd with the
   * journal's priority for it — a critical incident firing {@code <2>} (crit), a warning (an
   * incident or an event like MAC_CHANGED) {@code <4>}, anything else (an incident resolved, an
   * info) {@code <5>} (notice) — so that {@code journalctl -p crit -u labwatch} lists the critical
   * incidents and {@code -p warning} all that needs a look; else nothing.
   */
  public static Function<Alert, String> alertPrefix() {
    return OUT_TO_JOURNAL ? Journal::priority : a -> "";
  }

  static String priority(Alert a) {
    if (a.state() == AlertState.RESOLVED && !a.isEvent()) {
      return "<5>";
    }
    return switch (a.severity()) {
      case CRITICAL -> "<2>";
      case WARNING -> "<4>";
      case INFO -> "<5>";
    };
  }

  static String priority(Level level) {
    return switch (level.toInt()) {
      case Level.ERROR_INT -> "<3>";
      case Level.WARN_INT -> "<4>";
      case Level.INFO_INT -> "<6>";
      default -> "<7>";
    };
  }

  /** {@code %lwprefix}: the priority for the journal, else the local date and time and a space. */
  public static final class Prefix extends ClassicConverter {
    private static final DateTimeFormatter TIME =
        DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS", Locale.ROOT)
            .withZone(ZoneId.systemDefault());

    @Override
    public String convert(ILoggingEvent event) {
      return TO_JOURNAL
          ? priority(event.getLevel())
          : TIME.format(Instant.ofEpochMilli(event.getTimeStamp())) + " ";
    }
  }
}
