package io.labwatch.app.detect;

import io.labwatch.events.Alert;
import io.labwatch.events.AlertState;
import io.labwatch.events.ArpObservation;
import io.labwatch.events.Heartbeat;
import io.labwatch.events.LabwatchException;
import io.labwatch.producers.arp.PcapReplay;
import io.labwatch.producers.publish.EventPublisher;
import io.labwatch.streams.DetectionConfig;
import io.labwatch.streams.OfflineDetection;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@code labwatch analyze}: the sensor's file reader and the detection's own processor over a
 * capture, in capture time, without a broker ({@link OfflineDetection}), so the alerts are those
 * the live pipeline would have raised for the same packets.
 */
public final class CaptureAnalysis {

  /** What the capture produced. */
  public record Result(PcapReplay.Summary replay, List<Alert> alerts, List<Alert> stillFiring) {}

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
    OfflineDetection offline = new OfflineDetection(detection, detection.inventory());
    List<Alert> alerts = new ArrayList<>();
    EventPublisher into =
        new EventPublisher() {
          @Override
          public void observation(ArpObservation o) {
            emit(offline.process(o.subjectIp().toString(), o, o.eventTime().toEpochMilli()));
          }

          @Override
          public void heartbeat(Heartbeat h) {
            emit(offline.process(h.sensorId(), h, h.eventTime().toEpochMilli()));
          }

          private void emit(List<Alert> raised) {
            for (Alert a : raised) {
              alerts.add(a);
              onAlert.accept(a);
            }
          }

          @Override
          public void close() {}
        };
    PcapReplay.Summary summary =
        PcapReplay.replay(file, sensorId, heartbeatInterval, into, PcapReplay.Options.offline());
    return new Result(summary, alerts, stillFiring(alerts));
  }

  /** The incidents whose latest record is FIRING. */
  static List<Alert> stillFiring(List<Alert> alerts) {
    Map<String, Alert> latest = new LinkedHashMap<>();
    alerts.forEach(a -> latest.put(a.fingerprint(), a));
    return latest.values().stream().filter(a -> a.state() == AlertState.FIRING).toList();
  }
}
