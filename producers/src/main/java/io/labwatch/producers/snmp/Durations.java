package io.labwatch.producers.snmp;

import java.time.Duration;

/** Durations as the config writes them: {@code 500ms}, {@code 2s}, {@code 5m}, {@code 1h}. */
final class Durations {

  private Durations() {}

  static String text(Duration d) {
    long ms = d.toMillis();
    if (ms % 3_600_000 == 0 && ms > 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms % 60_000 == 0 && ms > 0) {
      return ms / 60_000 + "m";
    }
    if (ms % 1000 == 0) {
      return ms / 1000 + "s";
    }
    return ms + "ms";
  }
}
