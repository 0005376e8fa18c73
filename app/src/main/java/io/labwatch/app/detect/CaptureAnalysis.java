package io.labwatch.app.detect;

import io.labwatch.events.Alert;
import io.labwatch.events.AlertState;
import io.labwatch.events.ArpObservation;
import io.labwatch.events.Heartbeat;
import io.labwatch.events.LabwatchException;
import io.labwatch.events.Vendors;
import io.labwatch.producers.arp.PcapReplay;
import io.labwatch.streams.DetectionConfig;
import io.labwatch.streams.OfflineDetection;
import io.labwatch.streams.bindings.BindingRules;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@code labwatch analyze}: the sensor's file reader and the detection's own processor over a
 * capture, in capture time, without a broker ({@link OfflineDetection}), so the alerts are those
 * the live pipeline would have raised for the same packets. The reading runs on a thread of its own
 * ({@link Handoff}); the detection, and every call of {@code onAlert} and of the progress, on the
 * caller's.
 */
public final class CaptureAnalysis {

  /**
   * What the capture produced: the alerts as raised, and what was left open when it ended — the
   * incidents still firing (as of the capture's end, with their final counts) and the binding
   * changes still waiting for their window.
   */
  public record Result(
      PcapReplay.Summary replay,
      List<Alert> alerts,
      List<Alert> stillFiring,
      List<BindingRules.PendingChange> pending,
      Instant endedAt) {}

  private CaptureAnalysis() {}

  /**
   * Analyses {@code file}; every alert is handed to {@code onAlert} as soon as it is raised.
   *
   * @throws LabwatchException when the file cannot be read
   */
  public static Result run(
      Path file,
      String sensorId,
      DetectionConfig detection,
      Duration heartbeatInterval,
      Consumer<Alert> onAlert) {
    return run(file, sensorId, detection, heartbeatInterval, onAlert, PcapReplay.Progress.NONE);
  }

  /** The same, telling {@code progress} how far the reading got. */
  public static Result run(
      Path file,
      String sensorId,
      DetectionConfig detection,
      Duration heartbeatInterval,
      Consumer<Alert> onAlert,
      PcapReplay.Progress progress) {
    // the reading and parsing on a thread of their own, the detection on this one (Handoff); the
    // reader starts first, and loads the vendor table the alerts' texts need while the detection
    // is being set up
    Handoff<PcapReplay.Summary> reading =
        Handoff.start(
            "capture-reader",
            h -> {
              Vendors.size();
              return PcapReplay.replay(
                  file,
                  sensorId,
                  heartbeatInterval,
                  h,
                  new PcapReplay.Options(
                          PcapReplay.PLAUSIBLE_FROM, PcapReplay.PLAUSIBLE_UNTIL, h::abandoned)
                      .withProgress(h));
            });
    OfflineDetection offline;
    try {
      offline = new OfflineDetection(detection, detection.inventory());
    } catch (RuntimeException | Error e) {
      reading.abandon();
      throw e;
    }
    List<Alert> alerts = new ArrayList<>();
    PcapReplay.Summary summary =
        reading.drainInto(
            new Handoff.Sink() {
              @Override
              public void observation(String key, ArpObservation o, long timestamp) {
                emit(offline.process(key, o, timestamp));
              }

              @Override
              public void heartbeat(String key, Heartbeat h, long timestamp) {
                emit(offline.process(key, h, timestamp));
              }

              @Override
              public void progress(long packets, long bytes) {
                progress.at(packets, bytes);
              }

              private void emit(List<Alert> raised) {
                for (Alert a : raised) {
                  alerts.add(a);
                  onAlert.accept(a);
                }
              }
            });
    Map<String, Alert> asOfEnd = new LinkedHashMap<>();
    offline.stillFiring().forEach(a -> asOfEnd.put(a.fingerprint(), a));
    List<Alert> still =
        stillFiring(alerts).stream().map(a -> asOfEnd.getOrDefault(a.fingerprint(), a)).toList();
    return new Result(
        summary,
        alerts,
        still,
        offline.pendingChanges(),
        Instant.ofEpochMilli(Math.max(0, offline.streamTime())));
  }

  /** The incidents whose latest record is FIRING, in the order they began. */
  static List<Alert> stillFiring(List<Alert> alerts) {
    Map<String, Alert> latest = new LinkedHashMap<>();
    alerts.forEach(a -> latest.put(a.fingerprint(), a));
    return latest.values().stream().filter(a -> a.state() == AlertState.FIRING).toList();
  }
}
