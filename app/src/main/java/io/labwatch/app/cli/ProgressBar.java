package io.labwatch.app.cli;

import io.labwatch.producers.arp.PcapReplay;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A one-line progress bar on standard error for long work (a capture of a million packets takes ten
 * seconds to analyse): what is done, the share of the file, the rate — redrawn in place at most
 * five times a second, shown only once the work has taken a second (short work says nothing) and
 * only when standard error is a terminal (a log file or a pipe gets no carriage returns), and wiped
 * when the work is done, so that what is printed after it starts on a clean line.
 */
final class ProgressBar implements PcapReplay.Progress {

  static final long SHOW_AFTER_NS = 1_000_000_000L;
  static final long REDRAW_NS = 200_000_000L;
  private static final int WIDTH = 24;

  private final PrintWriter err;
  private final String what;
  private final String unit;
  private final long total;
  private final LongSupplier nanos;
  private final boolean on;
  private final long started;
  private long drawnAt;
  private int drawnLength;

  /**
   * @param what what is being done, e.g. {@code "analysing incident.pcap"}
   * @param unit what is counted, e.g. {@code "packets"}
   * @param total the whole of what the position runs through (a file's size, a range's
   *     milliseconds), for the share done; 0 or less when unknown
   * @param on whether to draw at all ({@link Terminal#stderr()})
   */
  ProgressBar(
      PrintWriter err, String what, String unit, long total, boolean on, LongSupplier nanos) {
    this.err = err;
    this.what = what;
    this.unit = unit;
    this.total = total;
    this.nanos = nanos;
    this.on = on;
    this.started = nanos.getAsLong();
    this.drawnAt = started;
  }

  /** A bar for reading a file of {@code total} bytes, counting packets. */
  static ProgressBar forCapture(PrintWriter err, String what, long total) {
    return new ProgressBar(err, what, "packets", total, Terminal.stderr(), System::nanoTime);
  }

  /** A bar for going through {@code totalMs} of records in time order, counting records. */
  static ProgressBar forRange(PrintWriter err, String what, long totalMs) {
    return new ProgressBar(err, what, "records", totalMs, Terminal.stderr(), System::nanoTime);
  }

  @Override
  public void at(long count, long position) {
    if (!on) {
      return;
    }
    long now = nanos.getAsLong();
    if (now - started < SHOW_AFTER_NS || now - drawnAt < REDRAW_NS) {
      return;
    }
    drawnAt = now;
    String line = line(count, position, now - started);
    err.print("\r" + line + " ".repeat(Math.max(0, drawnLength - line.length())));
    err.flush();
    drawnLength = line.length();
  }

  /** Wipes the bar, if one was drawn. */
  void done() {
    if (drawnLength > 0) {
      err.print("\r" + " ".repeat(drawnLength) + "\r");
      err.flush();
      drawnLength = 0;
    }
  }

  String line(long count, long position, long elapsedNs) {
    StringBuilder b = new StringBuilder(what).append(' ');
    if (total > 0 && position >= 0) {
      double share = Math.min(1.0, (double) position / total);
      int filled = (int) Math.round(share * WIDTH);
      b.append('[')
          .append("#".repeat(filled))
          .append(" ".repeat(WIDTH - filled))
          .append("] ")
          .append(String.format(Locale.ROOT, "%3d%%", (int) Math.floor(share * 100)))
          .append(' ');
    }
    double seconds = Math.max(elapsedNs, 1) / 1e9;
    b.append(String.format(Locale.ROOT, "%,d %s, %,.0f/s", count, unit, count / seconds));
    return b.toString();
  }
}
