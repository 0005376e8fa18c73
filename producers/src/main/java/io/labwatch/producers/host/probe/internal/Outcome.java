package io.labwatch.producers.host.probe.internal;

import io.labwatch.events.MacAddress;
import io.labwatch.events.ProbeResult.ErrorClass;
import java.util.List;

/**
 * What one probe found, before it becomes a {@link io.labwatch.events.ProbeResult}.
 *
 * @param ok it was answered
 * @param latencyUs to the answer, or to the failure
 * @param error how it failed, null when ok
 * @param text what the failure said, one line; null when ok
 * @param answeredBy for ARP, the MACs that replied; empty otherwise
 */
public record Outcome(
    boolean ok, long latencyUs, ErrorClass error, String text, List<MacAddress> answeredBy) {

  public Outcome {
    latencyUs = Math.max(0, latencyUs);
    answeredBy = List.copyOf(answeredBy);
  }

  public static Outcome answered(long latencyUs) {
    return new Outcome(true, latencyUs, null, null, List.of());
  }

  public static Outcome answeredBy(long latencyUs, List<MacAddress> macs) {
    return new Outcome(true, latencyUs, null, null, macs);
  }

  public static Outcome failed(long latencyUs, ErrorClass error, String text) {
    return new Outcome(false, latencyUs, error, oneLine(text), List.of());
  }

  /** The first line of a message, at most 200 characters; null when it has none. */
  static String oneLine(String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    String line = text.strip().lines().findFirst().orElse("");
    return line.length() > 200 ? line.substring(0, 200) + "…" : line;
  }

  /** Microseconds since {@code startNanos} ({@link System#nanoTime()}). */
  public static long microsSince(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000;
  }
}
