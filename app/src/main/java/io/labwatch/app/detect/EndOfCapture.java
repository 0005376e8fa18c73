package io.labwatch.app.detect;

import io.labwatch.events.Alert;
import io.labwatch.events.Evidence;
import io.labwatch.events.Json;
import io.labwatch.events.MacAddress;
import io.labwatch.events.Segments;
import io.labwatch.events.Vendors;
import io.labwatch.sinks.AlertText;
import io.labwatch.streams.bindings.BindingRules;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code labwatch analyze} says of a capture's end: the incidents still firing, with their
 * final counts rather than the text they fired with, and the binding changes still waiting for
 * their window (a capture shorter than the window that holds a NIC swap would otherwise say nothing
 * at all). As text lines, or as JSON lines each with a {@code state} of its own.
 */
public final class EndOfCapture {

  /** A binding change waiting for its window, as a JSON line. */
  public record Pending(
      String state,
      String kind,
      String subject,
      MacAddress from,
      MacAddress to,
      Instant changedAt,
      Instant decidedAt,
      String summary) {}

  /** An incident still firing when the capture ended, as a JSON line. */
  public record StillFiring(
      String state,
      String fingerprint,
      String incidentId,
      String kind,
      String subject,
      String severity,
      Instant startedAt,
      Instant captureEndedAt,
      long durationMs,
      Long flips,
      String summary,
      Evidence evidence) {}

  private EndOfCapture() {}

  /** The text lines, still-firing incidents first. */
  public static List<String> text(CaptureAnalysis.Result r) {
    List<String> out = new ArrayList<>();
    for (Alert a : r.stillFiring()) {
      out.add(
          "still firing when the capture ends ("
              + AlertText.time(r.endedAt())
              + "): "
              + a.fingerprint()
              + " — "
              + counts(a, r.endedAt()));
    }
    for (BindingRules.PendingChange p : r.pending()) {
      out.add("waiting when the capture ends: " + pendingText(p));
    }
    return out;
  }

  /** The JSON lines, in the same order. */
  public static List<String> json(CaptureAnalysis.Result r) {
    List<String> out = new ArrayList<>();
    for (Alert a : r.stillFiring()) {
      out.add(
          Json.toJson(
              new StillFiring(
                  "STILL_FIRING",
                  a.fingerprint(),
                  a.incidentId(),
                  a.kind(),
                  a.subject(),
                  a.severity().name(),
                  a.startedAt(),
                  r.endedAt(),
                  duration(a, r.endedAt()).toMillis(),
                  a.evidence().flips(),
                  a.summary(),
                  a.evidence())));
    }
    for (BindingRules.PendingChange p : r.pending()) {
      out.add(
          Json.toJson(
              new Pending(
                  "PENDING",
                  BindingRules.MAC_CHANGED,
                  p.ip(),
                  MacAddress.of(p.from()),
                  MacAddress.of(p.to()),
                  Instant.ofEpochMilli(p.at()),
                  Instant.ofEpochMilli(p.decidedAt()),
                  pendingText(p))));
    }
    return out;
  }

  /**
   * {@code for 1 min 3 s since 2026-11-26 01:45:18Z, 12 flips; 00:a0:de:… (YAMAHA CORPORATION) 40
   * packets, 3c:fd:fe:… (Intel Corporate) 41 packets}.
   */
  private static String counts(Alert a, Instant end) {
    StringBuilder b =
        new StringBuilder("for ")
            .append(AlertText.duration(duration(a, end)))
            .append(" since ")
            .append(AlertText.time(a.startedAt()));
    Long flips = a.evidence().flips();
    if (flips != null) {
      b.append(", ").append(flips).append(flips == 1 ? " flip" : " flips");
    }
    List<String> macs = new ArrayList<>();
    for (Evidence.MacEvidence m : a.evidence().macs()) {
      macs.add(
          m.mac()
              + (m.vendor() == null ? "" : " (" + m.vendor() + ")")
              + " "
              + m.packets()
              + (m.packets() == 1 ? " packet" : " packets"));
    }
    if (!macs.isEmpty()) {
      b.append("; ").append(String.join(", ", macs));
    }
    return b.toString();
  }

  private static Duration duration(Alert a, Instant end) {
    Instant until = end.isAfter(a.updatedAt()) ? end : a.updatedAt();
    return Duration.between(a.startedAt(), until);
  }

  /**
   * {@code 10.77.0.10 moved from dc:9b:… (Apple, Inc.) to 00:0c:… (VMware, Inc.) at 2026-11-25
   * 14:02:11Z; becomes MAC_CHANGED unless dc:9b:… reappears by 2026-11-25 14:07:11Z}.
   */
  static String pendingText(BindingRules.PendingChange p) {
    return Segments.where(p.ip())
        + " moved from "
        + withVendor(p.from())
        + " to "
        + withVendor(p.to())
        + " at "
        + AlertText.time(Instant.ofEpochMilli(p.at()))
        + "; becomes "
        + BindingRules.MAC_CHANGED
        + " unless "
        + p.from()
        + " reappears by "
        + AlertText.time(Instant.ofEpochMilli(p.decidedAt()));
  }

  private static String withVendor(String mac) {
    String v = Vendors.describe(MacAddress.of(mac));
    return v == null ? mac : mac + " (" + v + ")";
  }
}
